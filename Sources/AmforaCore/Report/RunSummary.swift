/// The few lines a good Friday prints (cron mails them), and the JSON summary for machines.
public enum RunSummary {
    public static func text(_ r: RunResult) -> String {
        var out: [String] = []
        let count = { (s: String) in r.deliveries.filter { $0.status == s }.count }
        let loaded = count("loaded") + count("unchanged")
        out.append("amfora batch \(r.batch.iso): \(loaded) deliveries loaded, \(count("held")) held, \(count("stale")) stale, \(count("missing")) missing, \(count("failed")) failed")
        let records = r.deliveries.filter { $0.status == "loaded" || $0.status == "unchanged" }.reduce(0) { $0 + $1.records }
        let rejected = r.deliveries.reduce(0) { $0 + $1.rejected }
        out.append("records \(records), quarantined \(rejected); write-down recomputed for \(r.writeDown.persons) persons: \(r.writeDown.writtenDownPersons) of them over 37 hours, \(r.writeDown.writtenDownRecords) records written down")
        let minutes = Int((abs(r.marginSeconds) / 60).rounded())
        out.append(r.deadlineMissed
            ? "DEADLINE MISSED: finished \(minutes) minutes after Friday 06:00"
            : "on time: \(minutes / 60) h \(minutes % 60) min before Friday 06:00")
        for d in r.deliveries where d.status == "failed" {
            out.append("FAILED \(d.kind.rawValue) \(d.komnr) \(d.file ?? ""): \(d.message ?? "")")
        }
        for d in r.deliveries where d.status == "held" {
            out.append("HELD \(d.kind.rawValue) \(d.komnr) \(d.file ?? ""): \(d.message ?? "")")
        }
        for d in r.deliveries where d.rejected > 0 && d.status != "failed" {
            out.append("rejects: \(d.kind.rawValue) \(d.komnr) \(d.file ?? ""): \(d.rejected) lines quarantined")
        }
        for f in r.ignoredFiles { out.append("not a delivery: \(f)") }
        return out.joined(separator: "\n")
    }

    public static func json(_ r: RunResult) -> String {
        func q(_ s: String) -> String { ValidationOutput.json(s) }
        var parts: [String] = []
        parts.append("\"batch_date\":\(q(r.batch.iso))")
        parts.append("\"deadline_missed\":\(r.deadlineMissed)")
        parts.append("\"margin_seconds\":\(Int(r.marginSeconds))")
        parts.append("\"needs_person\":\(r.needsPerson)")
        parts.append("\"peak_rss_bytes\":\(r.peakResidentBytes)")
        let stages = r.stages.map { "{\"stage\":\(q($0.stage)),\"seconds\":\(($0.seconds * 1000).rounded() / 1000),\"detail\":\(q($0.detail))}" }
        parts.append("\"stages\":[\(stages.joined(separator: ","))]")
        let w = r.writeDown
        parts.append("\"write_down\":{\"persons\":\(w.persons),\"records\":\(w.records),\"written_down_persons\":\(w.writtenDownPersons),\"written_down_records\":\(w.writtenDownRecords),\"hours_removed\":\((w.hoursRemoved * 100).rounded() / 100)}")
        let ds = r.deliveries.map { d in
            "{\"komnr\":\(q(ValidationOutput.pad3(d.komnr))),\"kind\":\(q(d.kind.rawValue)),\"status\":\(q(d.status)),\"file\":\(d.file.map(q) ?? "null"),\"records\":\(d.records),\"rejected\":\(d.rejected),\"warnings\":\(d.warnings),\"new_versions\":\(d.inserted),\"removed\":\(d.removed)}"
        }
        parts.append("\"deliveries\":[\(ds.joined(separator: ","))]")
        parts.append("\"ignored_files\":[\(r.ignoredFiles.map(q).joined(separator: ","))]")
        return "{" + parts.joined(separator: ",") + "}\n"
    }
}

/// What a pass prints — what cron mails — and the JSON of the run for machines.
///
/// Headline first (batch, deliveries by state, municipalities without a delivery, the deadline),
/// then one line per thing a person must act on, grouped, with a command one can paste; the
/// report's path last. Quarantined lines below the reject threshold, aid files not delivered and
/// files that are not this batch's deliveries are in the report, not in the mail.
public enum RunSummary {
    /// Lines of one group before the rest is only counted.
    static let perGroup = 5

    /// The whole summary: the first pass of a batch, the pass that judged its deadline, or a
    /// person at a terminal.
    public static func text(_ r: RunResult) -> String {
        guard let report = r.report else { return headline(r) }
        var out = [headline(r)]
        out += attention(report)
        out += late(report)
        if !r.ignoredFiles.isEmpty {
            out.append("other files in the inbox: \(r.ignoredFiles.count), not this batch's deliveries (listed in run.txt)")
        }
        if let path = r.reportPath { out.append("report: \(path)") }
        return out.joined(separator: "\n")
    }

    /// A catch-up pass says only what is new: nothing when it did nothing; otherwise the headline,
    /// what this pass did with each delivery, and the report.
    public static func news(_ r: RunResult) -> String? {
        guard r.isNews else { return nil }
        if r.firstPass { return text(r) }
        var out = [headline(r)]
        if r.judgedNow, let report = r.report {
            // The pass after 06:00 that judged the deadline: what the batch still lacks.
            out += attention(report, only: [.failed, .notDelivered]) + late(report)
        }
        let names = CodeListCatalog.standard.municipalities
        for d in r.deliveries where d.isNews {
            let who = "\(d.kind.rawValue) \(ValidationOutput.pad3(d.komnr)) \(names[d.komnr] ?? "")"
            switch d.state {
            case .loaded: out.append("loaded now: \(who), \(count(d.records, "record")), \(count(d.rejected, "line")) quarantined")
            case .held: out.append("held now: \(who): \(d.message ?? "")")
            case .failed: out.append("failed now: \(who): \(d.message ?? "")")
            case .stale, .missing: break
            }
        }
        if let path = r.reportPath { out.append("report: \(path)") }
        return out.joined(separator: "\n")
    }

    static func headline(_ r: RunResult) -> String {
        guard let report = r.report else { return "amfora batch \(r.batch.iso)" }
        return headline(report)
    }

    /// Line one of the mail and of `status`.
    public static func headline(_ report: BatchReport) -> String {
        let rows = report.municipalities
        func n(_ s: DeliveryState) -> Int { rows.filter { $0.status == s }.count }
        let silent = silentMunicipalities(report)
        let absentOfOthers = rows.filter { $0.status.isAbsent && !silent.contains($0.komnr) }.count
        var line = "amfora batch \(report.batch.iso): \(count(n(.loaded), "delivery", "deliveries")) loaded, \(n(.held)) held, \(n(.failed)) failed, \(absentOfOthers) stale"
        line += silent.isEmpty ? "" : "; no delivery from \(count(silent.count, "municipality", "municipalities"))"
        return line + " — " + report.judgement.text
    }

    /// Municipalities that delivered nothing this batch (every kind stale or missing).
    static func silentMunicipalities(_ report: BatchReport) -> [Int] {
        let byKomnr = Dictionary(grouping: report.municipalities, by: \.komnr)
        return byKomnr.filter { $0.value.allSatisfy(\.status.isAbsent) }.keys.sorted()
    }

    /// One line per thing a person must act on (of the reasons `only` names, when given),
    /// grouped, with a command to paste.
    public static func attention(_ report: BatchReport, only reasons: Set<BatchVerdict.Reason>? = nil) -> [String] {
        let names = CodeListCatalog.standard.municipalities
        let batch = report.batch.iso
        func who(_ m: BatchReport.MunicipalityRow) -> String {
            "\(m.kind.rawValue) \(ValidationOutput.pad3(m.komnr)) \(names[m.komnr] ?? m.name)"
        }
        var out: [String] = []
        let items = report.verdict.items.filter { reasons?.contains($0.reason) ?? true }
        func group(_ reason: BatchVerdict.Reason, _ line: (BatchReport.MunicipalityRow) -> String, more: String) {
            let rows = items.filter { $0.reason == reason }.compactMap(\.row)
            out += rows.prefix(perGroup).map(line)
            if rows.count > perGroup { out.append("  … and \(rows.count - perGroup) more \(more) (see the report)") }
        }
        group(.failed, { m in
            "FAILED \(who(m)) (\(m.file ?? "")): \(m.flags.first ?? "") — when a good file is there: amfora rerun --municipality \(m.komnr) --batch-date \(batch)"
        }, more: "failed")
        group(.held, { m in
            "HELD \(who(m)): \(m.records) records against \(m.previousRecords) last Friday\(drop(m)) — look first: amfora accept --municipality \(m.komnr) --batch-date \(batch) --dry-run"
        }, more: "held")
        let silent = silentMunicipalities(report)
        let notDelivered = items.filter { $0.reason == .notDelivered }.compactMap(\.row)
        let quiet = notDelivered.filter { silent.contains($0.komnr) }
        if !quiet.isEmpty {
            let list = Set(quiet.map(\.komnr)).sorted().map { "\(ValidationOutput.pad3($0)) \(names[$0] ?? "")" }
            out.append("no delivery: \(list.prefix(10).joined(separator: ", "))\(list.count > 10 ? ", …" : "") — last Friday's data stays in force")
        }
        for m in notDelivered where !silent.contains(m.komnr) {
            out.append("not delivered: \(who(m)) — last Friday's data stays in force")
        }
        let rejects = items.filter { $0.reason == .rejects }.compactMap(\.row)
        if !rejects.isEmpty {
            let lines = rejects.reduce(0) { $0 + $1.rejected }
            let list = rejects.prefix(perGroup).map { "\(ValidationOutput.pad3($0.komnr)) \(names[$0.komnr] ?? "") \($0.kind.rawValue) \($0.rejected) of \($0.deliveredRecords)" }
            out.append("rejects above the threshold: \(count(rejects.count, "file")), \(count(lines, "line")) quarantined (\(list.joined(separator: "; "))\(rejects.count > perGroup ? "; …" : "")) — see rejects/ in the report")
        }
        return out
    }

    /// ` (−40 %)`
    static func drop(_ m: BatchReport.MunicipalityRow) -> String {
        guard m.previousRecords > 0 else { return "" }
        return " (−\(Int((Double(m.previousRecords - m.records) * 100 / Double(m.previousRecords)).rounded())) %)"
    }

    static func late(_ report: BatchReport) -> [String] {
        let names = CodeListCatalog.standard.municipalities
        let late = report.municipalities.filter(\.late)
        guard !late.isEmpty else { return [] }
        let list = late.prefix(10).map { "\(ValidationOutput.pad3($0.komnr)) \(names[$0.komnr] ?? "") \($0.kind.rawValue)" }
        return ["late (after 06:00): \(list.joined(separator: ", "))\(late.count > 10 ? ", …" : "")"]
    }

    /// `1 file`, `2 files`.
    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : many ?? one + "s")"
    }

    public static func json(_ r: RunResult) -> String {
        func q(_ s: String) -> String { ValidationOutput.json(s) }
        var parts: [String] = []
        parts.append("\"batch_date\":\(q(r.batch.iso))")
        let judgement = r.judgement ?? .replay
        parts.append("\"deadline\":{\"judgement\":\(q(judgement.stored.kind)),\"margin_seconds\":\(judgement.marginSeconds.map { String(Int($0.rounded())) } ?? "null"),\"missed\":\(judgement.isMissed)}")
        parts.append("\"needs_person\":\(r.needsPerson)")
        parts.append("\"first_pass\":\(r.firstPass)")
        parts.append("\"peak_rss_bytes\":\(r.peakResidentBytes)")
        func ms(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        let stages = r.stages.map { st in
            let cpu = st.cpuSeconds.map { ",\"cpu_seconds\":\(ms($0))" } ?? ""
            return "{\"stage\":\(q(st.stage)),\"seconds\":\(ms(st.seconds))\(cpu),\"detail\":\(q(st.detail))}"
        }
        parts.append("\"stages\":[\(stages.joined(separator: ","))]")
        let w = r.writeDown
        parts.append("\"write_down\":{\"persons\":\(w.persons),\"records\":\(w.records),\"written_down_persons\":\(w.writtenDownPersons),\"written_down_records\":\(w.writtenDownRecords),\"hours_removed\":\((w.hoursRemoved * 100).rounded() / 100)}")
        let ds = r.deliveries.map { d in
            "{\"komnr\":\(q(ValidationOutput.pad3(d.komnr))),\"kind\":\(q(d.kind.rawValue)),\"status\":\(q(d.state.rawValue)),\"loaded_before\":\(d.loadedBefore),\"file\":\(d.file.map(q) ?? "null"),\"records\":\(d.records),\"rejected\":\(d.rejected),\"warnings\":\(d.warnings),\"new_versions\":\(d.inserted),\"removed\":\(d.removed)}"
        }
        parts.append("\"deliveries\":[\(ds.joined(separator: ","))]")
        parts.append("\"ignored_files\":[\(r.ignoredFiles.map(q).joined(separator: ","))]")
        return "{" + parts.joined(separator: ",") + "}\n"
    }

    /// run.txt: the full summary and every file that was not taken, one a line.
    public static func log(_ r: RunResult) -> String {
        var lines = [text(r)]
        if !r.ignoredFiles.isEmpty { lines += ["", "files in the inbox that are not this batch's deliveries:"] + r.ignoredFiles.map { "  " + $0 } }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The batch report as one JSON object for machines (monitoring, dashboards):
///
/// `{"batch_date","generated_at","deadline","on_time","deadline_judgement","margin_seconds","needs_person",
///   "attention":[{"reason","komnr","kind"}],
///   "counts":{"loaded","stale","held","missing","failed"},
///   "national":{"records","previous_records","change_pct","unchanged","changed","new","removed",
///     "reappeared","history_changes","quarantined","warnings","written_down_persons",
///     "written_down_records","hours_removed_by_write_down","previous_hours_removed_by_write_down"},
///   "municipalities":[{"komnr":"101","name","kind","status","file","records","previous_records",
///     "change_pct","unchanged","changed","new","removed","reappeared","rejected","warnings",
///     "history_changes","late","needs_person","flags":[…]}],
///   "rejects_by_rule":[{"rule","severity","field","count"}]}`
///
/// `change_pct` is null without a previous dataset; text is CPR-scrubbed.
public enum JSONReport {
    public static func render(_ r: BatchReport) -> String {
        func q(_ s: String) -> String { ValidationOutput.json(CPR.scrub(s)) }
        func num(_ x: Double?, _ places: Int) -> String {
            x.flatMap { ReportFormat.fixed($0, places: places) } ?? "null"
        }
        let n = r.national
        var parts: [String] = []
        parts.append("\"batch_date\":\(q(r.batch.iso))")
        parts.append("\"generated_at\":\(q(r.generatedAt))")
        parts.append("\"deadline\":\(q(r.deadline))")
        parts.append("\"on_time\":\(r.onTime)")
        parts.append("\"deadline_judgement\":\(q(r.judgement.stored.kind))")
        let margin = r.judgement.marginSeconds.flatMap { $0.isFinite ? String(Int($0.rounded())) : nil } ?? "null"
        parts.append("\"margin_seconds\":\(margin)")
        parts.append("\"needs_person\":\(HTMLReport.needsPerson(r))")
        let attention = r.verdict.items.map { i in
            "{\"reason\":\(q(i.reason.rawValue)),\"komnr\":\(i.row.map { q(ValidationOutput.pad3($0.komnr)) } ?? "null"),\"kind\":\(i.row.map { q($0.kind.rawValue) } ?? "null")}"
        }
        parts.append("\"attention\":[\(attention.joined(separator: ","))]")
        parts.append("\"counts\":{\"loaded\":\(n.loaded),\"stale\":\(n.stale),\"held\":\(n.held),\"missing\":\(n.missing),\"failed\":\(n.failed)}")
        let nationalChange = n.previousRecords > 0 ? Double(n.records - n.previousRecords) * 100 / Double(n.previousRecords) : nil
        parts.append("\"national\":{\"records\":\(n.records),\"previous_records\":\(n.previousRecords)"
            + ",\"change_pct\":\(num(nationalChange, 1))"
            + ",\"unchanged\":\(n.unchanged),\"changed\":\(n.changed),\"new\":\(n.new),\"removed\":\(n.removed)"
            + ",\"reappeared\":\(n.reappeared),\"history_changes\":\(n.historyChanges)"
            + ",\"quarantined\":\(n.quarantined),\"warnings\":\(n.warnings)"
            + ",\"written_down_persons\":\(n.writtenDownPersons),\"written_down_records\":\(n.writtenDownRecords)"
            + ",\"hours_removed_by_write_down\":\(num(n.hoursWrittenDown, 2))"
            + ",\"previous_hours_removed_by_write_down\":\(num(n.previousHoursWrittenDown, 2))}")
        let ms = HTMLReport.ordered(r.municipalities).map { m in
            "{\"komnr\":\(q(ValidationOutput.pad3(m.komnr))),\"name\":\(q(m.name)),\"kind\":\(q(m.kind.rawValue))"
                + ",\"status\":\(q(m.status.rawValue)),\"file\":\(m.file.map(q) ?? "null")"
                + ",\"records\":\(m.records),\"previous_records\":\(m.previousRecords),\"change_pct\":\(num(m.changePercent, 1))"
                + ",\"unchanged\":\(m.unchanged),\"changed\":\(m.changed),\"new\":\(m.new),\"removed\":\(m.removed)"
                + ",\"reappeared\":\(m.reappeared),\"rejected\":\(m.rejected),\"warnings\":\(m.warnings)"
                + ",\"history_changes\":\(m.historyChanges),\"late\":\(m.late),\"needs_person\":\(m.needsPerson),\"flags\":[\(m.flags.map(q).joined(separator: ","))]}"
        }
        parts.append("\"municipalities\":[\(ms.joined(separator: ","))]")
        let rules = HTMLReport.ordered(r.rejectsByRule).map { g in
            "{\"rule\":\(q(g.rule)),\"severity\":\(q(g.severity.rawValue)),\"field\":\(g.field.map(q) ?? "null"),\"count\":\(g.count)}"
        }
        parts.append("\"rejects_by_rule\":[\(rules.joined(separator: ","))]")
        return "{" + parts.joined(separator: ",") + "}\n"
    }
}

/// 52.1 items 4–5: a measure runs from its first day to its (planned) last day.
public final class SlutdtMustNotPrecedeStartdt: RecordRule {
    public static let ruleIDs = ["dates.order"]
    let start: Int, end: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Startdt", "Slutdt") else { return nil }
        (start, end) = (ix[0], ix[1])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let s = r[start].day, let e = r[end].day, e < s else { return }
        findings.append(RecordFinding(
            field: "Slutdt", rule: "dates.order", severity: .error, value: r.raw(end),
            message: "Slutdt \(e.iso) is before Startdt \(s.iso); the last day cannot precede the first"))
    }
}

/// 52.1 item 8: "Start- og slutdatoen for åbne tilbud skal indberettes" — an open offer carries
/// its own start and end dates (an error without them). The item does not make dates without the
/// flag wrong, so those are a warning: the measure counts, and the supplier is told.
public final class OpenOfferNeedsItsDates: RecordRule {
    public static let ruleIDs = ["abtilbud.dates", "abtilbud.order"]
    let flag: Int, start: Int, end: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Abtilbud", "StdtAb", "SldtAB") else { return nil }
        (flag, start, end) = (ix[0], ix[1], ix[2])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard r[flag] != .invalid else { return }
        let open = r[flag].flag ?? false
        for (i, name) in [(start, "StdtAb"), (end, "SldtAB")] {
            if open, r[i].isMissing {
                findings.append(RecordFinding(
                    field: name, rule: "abtilbud.dates", severity: .error, value: "",
                    message: "\(name) is blank but Abtilbud says this is an open offer, which must report its dates"))
            } else if !open, !r[i].isMissing {
                findings.append(RecordFinding(
                    field: name, rule: "abtilbud.dates", severity: .warning, value: r.raw(i),
                    message: "\(name) is filled in but Abtilbud does not say this is an open offer (52.1 item 8 asks for these dates for open offers)"))
            }
        }
        if let s = r[start].day, let e = r[end].day, e < s {
            findings.append(RecordFinding(
                field: "SldtAB", rule: "abtilbud.order", severity: .error, value: r.raw(end),
                message: "SldtAB \(e.iso) is before StdtAb \(s.iso)"))
        }
    }
}

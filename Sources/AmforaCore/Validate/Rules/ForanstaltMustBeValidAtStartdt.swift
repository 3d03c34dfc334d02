/// 52.1 item 3: measures that started on or after the cut-over use the current table
/// (160–165 from 11 October 2010); the legacy codes 112, 141 and 142 are only for measures
/// that started before the later vendor cut-over, 13 December 2010. The periods and what
/// breaking them costs are data (codelists.tsv).
public final class ForanstaltMustBeValidAtStartdt: RecordRule {
    public static let ruleIDs = ["foranstalt.period"]
    let code: Int, start: Int
    let list: CodeList

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "Startdt"), let list = catalog["foranstalt"] else { return nil }
        (code, start, self.list) = (ix[0], ix[1], list)
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, let s = r[start].day, let entry = list[c], !entry.isValid(on: s) else { return }
        let period: String
        if let from = entry.validFrom {
            period = "is for measures starting on or after \(from.iso)"
        } else {
            period = "is a legacy code for measures starting before \(entry.validTo?.iso ?? "?")"
        }
        findings.append(RecordFinding(
            field: "Foranstalt", rule: "foranstalt.period", severity: entry.outsideSeverity, value: r.raw(code),
            message: "Foranstalt \(c) (\(entry.label)) \(period), but Startdt is \(s.iso)"))
    }
}

/// 52.1 item 13: company-based measures report where they take place.
public final class CompanyBasedMeasureNeedsStedkode: RecordRule {
    public static let ruleIDs = ["company.stedkode"]
    let code: Int, place: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "Stedkode") else { return nil }
        (code, place) = (ix[0], ix[1])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Measure.isCompanyBased(c), r[place].isMissing else { return }
        findings.append(RecordFinding(
            field: "Stedkode", rule: "company.stedkode", severity: .error, value: "",
            message: "Stedkode is blank but Foranstalt \(c) is company-based and must say where it takes place (52.1 item 13)"))
    }
}

/// 52.1 item 17: virksomhedspraktik, løntilskud, fleksjob and voksenelev report a job title
/// (Stillingsbetegnelse) as a DISCO-88, DISCO-AMS or DISCOweb code.
public final class CompanyBasedMeasureNeedsJobTitle: RecordRule {
    public static let ruleIDs = ["company.stillingsbetegnelse"]
    let code: Int, title: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "Stillingsbetegnelse") else { return nil }
        (code, title) = (ix[0], ix[1])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Measure.isCompanyBased(c), r[title].isMissing else { return }
        findings.append(RecordFinding(
            field: "Stillingsbetegnelse", rule: "company.stillingsbetegnelse", severity: .error, value: "",
            message: "Stillingsbetegnelse is blank but Foranstalt \(c) must report the job title as a DISCO code (52.1 item 17)"))
    }
}

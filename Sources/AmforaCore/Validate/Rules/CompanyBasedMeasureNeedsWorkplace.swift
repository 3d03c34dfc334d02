/// 52.1 items 14–15: a company-based measure names its workplace by CVR and P-number; where no
/// P-number can be had, by CVR plus the workplace's name and address.
public final class CompanyBasedMeasureNeedsWorkplace: RecordRule {
    public static let ruleIDs = ["company.cvr", "company.pnr-or-address"]
    let code: Int, cvr: Int, pnr: Int, name: Int, address: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "CVR", "Pnr", "Navn", "Adresse") else { return nil }
        (code, cvr, pnr, name, address) = (ix[0], ix[1], ix[2], ix[3], ix[4])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Measure.isCompanyBased(c) else { return }
        if r[cvr].isMissing {
            findings.append(RecordFinding(
                field: "CVR", rule: "company.cvr", severity: .error, value: "",
                message: "CVR is blank but Foranstalt \(c) is company-based and must name its workplace (52.1 item 14)"))
        }
        if r[pnr].isMissing, r[name].isMissing || r[address].isMissing {
            let missing = [r[name].isMissing ? "Navn" : nil, r[address].isMissing ? "Adresse" : nil].compactMap { $0 }
            findings.append(RecordFinding(
                field: missing.first, rule: "company.pnr-or-address", severity: .error, value: "",
                message: "Pnr is blank, so the workplace's name and address are required, but \(missing.joined(separator: " and ")) is blank (52.1 item 15)"))
        }
    }
}

/// 57.1 item 2: CVR and P-number are reported together, when the company receives the grant.
public final class AidPnrNeedsCVR: RecordRule {
    public static let ruleIDs = ["aid.pnr-without-cvr"]
    let cvr: Int, pnr: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        // Only the §57.2 layout has Startdtgod; §52.2 has its own workplace rules.
        guard layout.index(of: "Startdtgod") != nil, let ix = layout.indices("CVR", "Pnr") else { return nil }
        (cvr, pnr) = (ix[0], ix[1])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard r[cvr].isMissing, !r[pnr].isMissing else { return }
        findings.append(RecordFinding(
            field: "CVR", rule: "aid.pnr-without-cvr", severity: .error, value: "",
            message: "Pnr is filled in but CVR is blank; a grant to a company names both (57.1 item 2)"))
    }
}

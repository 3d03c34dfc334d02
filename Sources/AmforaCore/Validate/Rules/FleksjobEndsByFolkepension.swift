/// 52.1 item 5: "For lange forløb, fx fleksjob hvor slutdatoen ikke altid er fastsat, indberettes
/// datoen for hvornår personen forventes at gå på folkepension." A fleksjob (Foranstalt 130, 143)
/// that ends after the person's expected folkepension date (birth date by the century rule,
/// pension age from reference/facts.md) is a warning naming that date.
public final class FleksjobEndsByFolkepension: RecordRule {
    public static let ruleIDs = ["fleksjob.slutdt"]
    static let fleksjob: Set<Int> = [130, 143]
    let cpr: Int, code: Int, end: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("CPRnr", "Foranstalt", "Slutdt") else { return nil }
        (cpr, code, end) = (ix[0], ix[1], ix[2])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Self.fleksjob.contains(c), let e = r[end].day, let n = r[cpr].number,
              let born = CPR.birthDate(number: n) else { return }
        let pension = Folkepension.date(bornOn: born)
        guard e > pension else { return }
        findings.append(RecordFinding(
            field: "Slutdt", rule: "fleksjob.slutdt", severity: .warning, value: e.iso,
            message: "Slutdt \(e.iso) is after \(pension.iso), when the person is expected to reach folkepension age; a fleksjob without a fixed end carries that date (52.1 item 5)"))
    }
}

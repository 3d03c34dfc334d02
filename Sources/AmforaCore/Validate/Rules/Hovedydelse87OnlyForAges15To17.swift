/// 52.1 item 7: "Kun unge mellem 15-17 år må registreres med denne hovedydelse" — code 87 is
/// only for persons aged 15 to 17 at the measure's start.
public final class Hovedydelse87OnlyForAges15To17: RecordRule {
    public static let ruleIDs = ["hovedydelse.87-age"]
    let cpr: Int, benefit: Int, start: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("CPRnr", "Hovedydelse", "Startdt") else { return nil }
        (cpr, benefit, start) = (ix[0], ix[1], ix[2])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard r[benefit].number == 87, let n = r[cpr].number, let s = r[start].day,
              let born = CPR.birthDate(number: n) else { return }
        let age = born.age(on: s)
        guard age < 15 || age > 17 else { return }
        findings.append(RecordFinding(
            field: "Hovedydelse", rule: "hovedydelse.87-age", severity: .error, value: r.raw(benefit),
            message: "Hovedydelse 87 (unge mellem 15-17 år) but the person (\(r.raw(cpr))) is \(age) at Startdt \(s.iso)"))
    }
}

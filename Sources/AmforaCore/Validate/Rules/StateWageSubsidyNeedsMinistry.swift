/// 52.1 item 16: wage subsidy (139) at a state workplace (Stedkode 73) names the ministry area,
/// and a ministry area is one valid at the measure's start ("gamle" areas stay valid for
/// measures created before a change). Measures that started before the list existed
/// (2009-06-23) may carry codes of an earlier list this guideline does not give: those are
/// warned about, not rejected.
public final class StateWageSubsidyNeedsMinistry: RecordRule {
    public static let ruleIDs = ["wagesubsidy.ministeromraade", "ministeromraade.period"]
    let code: Int, place: Int, ministry: Int, start: Int
    let list: CodeList

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "Stedkode", "Ministeromraade", "Startdt"),
              let list = catalog["ministeromraade"] else { return nil }
        (code, place, ministry, start, self.list) = (ix[0], ix[1], ix[2], ix[3], list)
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        let atState = r[code].number == Measure.wageSubsidy && r[place].number == Measure.stateWorkplace
        if atState, r[ministry].isMissing {
            findings.append(RecordFinding(
                field: "Ministeromraade", rule: "wagesubsidy.ministeromraade", severity: .error, value: "",
                message: "Ministeromraade is blank but wage subsidy (139) at a state workplace (Stedkode 73) must name the ministry area (52.1 item 16)"))
        }
        guard let m = r[ministry].number, let s = r[start].day, let entry = list[m], !entry.isValid(on: s) else { return }
        let beforeList = list.firstValidDay.map { s < $0 } ?? false
        findings.append(RecordFinding(
            field: "Ministeromraade", rule: "ministeromraade.period", severity: beforeList ? .warning : entry.outsideSeverity,
            value: r.raw(ministry),
            message: beforeList
                ? "Ministeromraade \(m) cannot be checked: Startdt \(s.iso) is before the ministry list of \(list.firstValidDay!.iso)"
                : "Ministeromraade \(m) (\(entry.label)) is valid \(entry.validFrom?.iso ?? "…")–\(entry.validTo?.iso ?? "…"), not at Startdt \(s.iso)"))
    }
}

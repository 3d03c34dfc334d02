/// 52.1 item 18: "Der skal indberettes CVR-nummer og P-nummer på den virksomhed/kursusudbyder hos
/// hvem foranstaltningen finder sted", and item 19: "Der skal angives en unik systemgenereret
/// identifikationsnøgle for det enkelte kursushold. Der skal også angives en identifikationsnøgle
/// for enkeltpladser." A course (Foranstalt 160–165) names its provider's P-number and its team.
/// A warning by default, so the measure still counts (`severity.course.kursuspnr`,
/// `severity.course.holdid` in the config make them errors).
public final class CourseNeedsProviderPnrAndHold: RecordRule {
    public static let ruleIDs = ["course.kursuspnr", "course.holdid"]
    let code: Int, pnr: Int, hold: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "KursusPnr", "HoldID") else { return nil }
        (code, pnr, hold) = (ix[0], ix[1], ix[2])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Measure.courses.contains(c) else { return }
        if r[pnr].isMissing {
            findings.append(RecordFinding(
                field: "KursusPnr", rule: "course.kursuspnr", severity: .warning, value: "",
                message: "KursusPnr is blank but Foranstalt \(c) is a course: 52.1 item 18 asks for the provider's CVR and P-number"))
        }
        if r[hold].isMissing {
            findings.append(RecordFinding(
                field: "HoldID", rule: "course.holdid", severity: .warning, value: "",
                message: "HoldID is blank but Foranstalt \(c) is a course: 52.1 item 19 asks for a key of the team (or of the single place)"))
        }
    }
}

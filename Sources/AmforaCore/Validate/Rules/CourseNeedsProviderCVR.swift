/// 52.1 item 18: a course (Foranstalt 160–165) names its provider by CVR number.
public final class CourseNeedsProviderCVR: RecordRule {
    public static let ruleIDs = ["course.kursuscvr"]
    let code: Int, cvr: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let ix = layout.indices("Foranstalt", "KursusCVR") else { return nil }
        (code, cvr) = (ix[0], ix[1])
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let c = r[code].number, Measure.courses.contains(c), r[cvr].isMissing else { return }
        findings.append(RecordFinding(
            field: "KursusCVR", rule: "course.kursuscvr", severity: .error, value: "",
            message: "KursusCVR is blank but Foranstalt \(c) is a course and must name its provider's CVR (52.1 item 18)"))
    }
}

/// 52.1 item 6: average weekly hours. Zero is not a measure; above 37 is kept (the write-down
/// will scale it) but the municipality should hear about it.
public final class TimetalMustBeOneTo37: RecordRule {
    public static let ruleIDs = ["timetal.range", "timetal.above-37"]
    let hours: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let i = layout.index(of: "Timetal") else { return nil }
        hours = i
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let h = r[hours].number else { return }
        if h < 1 {
            findings.append(RecordFinding(
                field: "Timetal", rule: "timetal.range", severity: .error, value: r.raw(hours),
                message: "Timetal \(h) is not an average of 1 to 37 hours a week"))
        } else if h > 37 {
            findings.append(RecordFinding(
                field: "Timetal", rule: "timetal.above-37", severity: .warning, value: r.raw(hours),
                message: "Timetal \(h) is above 37 hours a week; loaded and written down to 37"))
        }
    }
}

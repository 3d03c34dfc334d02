import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// A value loaded with a warning is kept as delivered, in the warehouse and the views; only errors
/// keep a line out. HoldID is an opaque key, so two courses a person starts the same day stay two.
@Suite struct WarnedValuesTests {
    let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!

    static let course = ["Foranstalt": "162", "KursusCVR": "13748136", "KursusPnr": "1012345678", "HoldID": "H1",
                         "Stedkode": "", "CVR": "", "Pnr": "", "Navn": "", "Adresse": "", "Stillingsbetegnelse": "", "Postnummer": ""]

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day, _ lines: [String]) throws -> RunResult {
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
        var config = RunConfig()
        config.expectedMunicipalities = [101]
        return try WeeklyRun(RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("r"),
                                        config: config)).run()
    }

    func row(_ dir: borrowing TemporaryDirectory, _ sql: String) throws -> [String?] {
        let s = try Database(path: dir.file("w.sqlite"), readOnly: true).prepare(sql)
        guard try s.step() else { return [] }
        return (0..<s.columnCount).map { s.text($0) }
    }

    @Test func everyWarnedFieldRoundTripsToTheViews() throws {
        let dir = TemporaryDirectory()
        let warned = LineBuilder.activation(Self.course.merging([
            "JobplanID": "JP-0042", "JobplanOprettet": "32-01-2024", "JobplanRevideret": "2024/13/01",
            "Beskaeftigelsesmaal": "12", "Postnummer": "800", "KursusPnr": "12345X7890", "HoldID": "Hold nr. 7",
        ]) { $1 }).text
        let findings = check([warned]).1
        #expect(!findings.isEmpty && findings.allSatisfy { $0.severity == .warning }, "\(findings)")
        _ = try run(dir, friday1, [warned])
        let r = try row(dir, """
            SELECT jobplanid, jobplan_created, jobplan_revised, employment_goal, postnummer, kursuspnr, holdid FROM v_activity_history
            """)
        #expect(r == ["JP-0042", "32-01-2024", "2024/13/01", "12", "800", "12345X7890", "Hold nr. 7"])
        // A well-formed value still reads as it always did.
        let clean = LineBuilder.activation(["JobplanOprettet": "02-01-2024", "Postnummer": "0800", "CPRnr": "0202901234"]).text
        _ = try run(dir, friday2, [warned, clean])
        let c = try row(dir, "SELECT jobplan_created, postnummer FROM v_activity_history WHERE cpr = '0202901234'")
        #expect(c == ["2024-01-02", "0800"])
    }

    @Test func aChangedWarnedValueIsAChange() throws {
        let dir = TemporaryDirectory()
        let line = { (jobplan: String) in LineBuilder.activation(["JobplanID": jobplan]).text }
        _ = try run(dir, friday1, [line("JP-1")])
        _ = try run(dir, friday2, [line("JP-2")])
        #expect(try row(dir, "SELECT change, changed_fields FROM v_reconciliation WHERE batch_date = '2024-11-08'") == ["changed", "JobplanID"])
        #expect(try row(dir, "SELECT jobplanid FROM v_activity_history WHERE last_batch IS NULL") == ["JP-2"])
    }

    @Test func twoSameDayCoursesWithNonGUIDHoldIDsStayTwo() throws {
        let dir = TemporaryDirectory()
        let a = LineBuilder.activation(Self.course.merging(["HoldID": "HOLD-A"]) { $1 }).text
        let b = LineBuilder.activation(Self.course.merging(["HoldID": "HOLD-B", "Timetal": "20"]) { $1 }).text
        let first = try run(dir, friday1, [a, b])
        #expect(first.deliveries.first?.rejected == 0)
        #expect(try row(dir, "SELECT count(DISTINCT activity_id) FROM v_activity") == ["2"])
        // Next Friday: the same two (in the other order) are unchanged, and a change to one is that one's.
        let b2 = LineBuilder.activation(Self.course.merging(["HoldID": "HOLD-B", "Timetal": "25"]) { $1 }).text
        _ = try run(dir, friday2, [b2, a])
        #expect(try row(dir, "SELECT unchanged, changed, new, removed, duplicates FROM v_reconciliation_summary WHERE batch_date = '2024-11-08'")
                == ["1", "1", "0", "0", "0"])
        #expect(try row(dir, "SELECT changed_fields FROM v_reconciliation WHERE batch_date = '2024-11-08'") == ["Timetal"])
    }
}

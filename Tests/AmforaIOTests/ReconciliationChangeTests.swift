import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// Old → new: one row per changed field of every changed or moved measure (`v_reconciliation_change`),
/// and the report's history changes say the same.
@Suite struct ReconciliationChangeTests {
    let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day, _ lines: [String]) throws {
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
        var config = RunConfig()
        config.expectedMunicipalities = [101]
        _ = try WeeklyRun(RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("r"),
                                     config: config)).run()
    }

    func rows(_ dir: borrowing TemporaryDirectory) throws -> [String] {
        let s = try Database(path: dir.file("w.sqlite"), readOnly: true).prepare(
            "SELECT change, field, old_value, new_value FROM v_reconciliation_change WHERE batch_date = '2024-11-08' ORDER BY field")
        var out: [String] = []
        while try s.step() { out.append((0..<4).map { s.text(Int32($0)) ?? "NULL" }.joined(separator: "|")) }
        return out
    }

    @Test func changedAndMovedMeasuresSayOldAndNew() throws {
        let dir = TemporaryDirectory()
        // An old measure (ended in 2019: a history change) whose end and hours change, and one whose start moves.
        let a = ["CPRnr": "0101901234", "Startdt": "04-03-2019", "Slutdt": "28-06-2019", "Timetal": "20"]
        let b = ["CPRnr": "0202901234", "Startdt": "01-02-2024", "Slutdt": "31-12-2024"]
        try run(dir, friday1, [LineBuilder.activation(a).text, LineBuilder.activation(b).text])
        try run(dir, friday2, [LineBuilder.activation(a.merging(["Slutdt": "30-08-2019", "Timetal": "25"]) { $1 }).text,
                               LineBuilder.activation(b.merging(["Startdt": "05-02-2024"]) { $1 }).text])
        #expect(try rows(dir) == ["changed|Slutdt|2019-06-28|2019-08-30", "moved|Startdt|2024-02-01|2024-02-05", "changed|Timetal|20|25"])
        let csv = try String(contentsOfFile: dir.file("r/2024-11-08/history_changes.csv"), encoding: .utf8)
        #expect(csv.contains("Slutdt: 2019-06-28 → 2019-08-30; Timetal: 20 → 25"), "\(csv)")
        #expect(!containsFullCPR(csv))
    }
}

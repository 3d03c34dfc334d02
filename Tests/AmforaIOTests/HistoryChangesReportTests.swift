import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The report's history changes are read once, with their measures looked up in version order;
/// they must come as joining each change to its measure gives them, in the report's order
/// (by municipality, then start date), and the samples must be the first of them.
@Suite struct HistoryChangesReportTests {
    let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!
    let municipalities = [101: 60, 147: 12]

    /// Old measures (ended in 2019: history changes once changed), start dates repeating so that
    /// the order must break ties; on the second Friday every measure's end and hours change.
    func lines(_ komnr: Int, changed: Bool) -> [String] {
        (0..<municipalities[komnr]!).map { i in
            let start = String(format: "%02d-0%d-2019", 1 + (i * 7) % 28, 1 + i % 3)
            var fields = ["CPRnr": String(format: "%02d%02d90%04d", 1 + i % 28, 1 + komnr % 12, 1000 + i), "Komnr": String(komnr),
                          "Startdt": start, "Slutdt": "28-06-2019", "Timetal": "20"]
            if changed { fields.merge(["Slutdt": "30-08-2019", "Timetal": "25"]) { $1 } }
            return LineBuilder.activation(fields).text
        }
    }

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day) throws {
        for komnr in municipalities.keys {
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName, lines: lines(komnr, changed: day == friday2),
                      inSubdirectory: day.iso)
        }
        var config = RunConfig()
        config.expectedMunicipalities = municipalities.keys.sorted()
        _ = try WeeklyRun(RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("r"),
                                     config: config)).run()
    }

    @Test func historyChangesComeAsTheJoinGivesThemAndTheSamplesAreTheFirst() throws {
        let dir = TemporaryDirectory()
        try run(dir, friday1)
        try run(dir, friday2)
        let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
        let batch = Int64(friday2.ordinal)
        let all = try BatchReportBuilder.historyChanges(db, batch: batch)
        #expect(all.count == 72)
        #expect(all.allSatisfy { $0.oldToNew == ["Slutdt: 2019-06-28 → 2019-08-30", "Timetal: 20 → 25"] }, "\(all.first?.oldToNew ?? [])")
        let s = try db.prepare("""
            SELECT r.komnr, a.cprnr, a.startdt, a.slutdt, a.foranstalt FROM reconciliation r
            JOIN activity a ON a.version_id = coalesce(r.previous_version_id, r.version_id)
            WHERE r.batch_date = ? AND r.history_change = 1 ORDER BY r.komnr, a.startdt, r.rowid
            """)
        try s.bind([.int(batch)])
        var joined: [String] = []
        while try s.step() {
            joined.append("\(s.int(0)) \(CPR.mask(CPR.digits(of: Int(s.int(1))))) \(Day(ordinal: Int32(s.int(2))).iso) \(Day(ordinal: Int32(s.int(3))).iso) \(s.int(4))")
        }
        #expect(all.map { "\($0.komnr) \($0.person) \($0.startDate.iso) \($0.endDate.iso) \($0.foranstalt)" } == joined)

        let report = try BatchReportBuilder.build(db, batch: friday2)
        let sample = BatchReportBuilder.historySample
        #expect(report.historyChanges == Array(all.prefix(sample)))
        #expect(report.details[101]?.historyChanges == Array(all.filter { $0.komnr == 101 }.prefix(sample)))
        #expect(report.details[147]?.historyChanges == all.filter { $0.komnr == 147 })
        #expect(report.details[101]?.historyTotal == 60)
        #expect(report.allHistoryChanges == all, "the CSV lists them all")
        let csv = try String(contentsOfFile: dir.file("r/2024-11-08/history_changes.csv"), encoding: .utf8)
        #expect(csv.split(whereSeparator: \.isNewline).count == 1 + all.count)
    }
}

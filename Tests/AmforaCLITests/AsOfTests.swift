import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The README's as-of query of `v_activity_history` ("the dataset as it stood on Friday X") gives,
/// for every past Friday, exactly the rows `v_activity` showed right after that Friday's run —
/// over Fridays on which measures change, move, end, disappear and come back, a municipality
/// skips a Friday (stale: its dataset stays in force) and one delivers a shrunken file (held).
@Suite struct AsOfTests {
    static let first = Day(iso: "2024-09-06")!
    static let fridays = (0..<8).map { first + 7 * $0 }
    static let municipalities = [101, 147, 151]

    /// Municipality `komnr`'s measures on Friday `week`, evolved deterministically from the week before.
    static func lines(_ komnr: Int, week: Int) -> [String] {
        var g = SplitMix64(seed: UInt64(komnr * 1000))
        var out: [String] = []
        for person in 0..<30 {
            let born = 1000 + person
            // Gone in some weeks, back in a later one; a few new ones from week 3 on.
            let removedFrom = person % 4 == 0 ? Int.random(in: 2...12, using: &g) : 99, backAt = Int.random(in: 4...14, using: &g)
            guard person < 26 || week >= 3, week < removedFrom || week >= backAt else { continue }
            let changeWeek = Int.random(in: 1...7, using: &g)
            let hours = week >= changeWeek ? 30 : 20                           // hours changed
            let end = week >= changeWeek + 1 ? "31-12-2024" : "30-11-2024"    // extended
            let start = person % 5 == 0 && week >= 5 ? "15-02-2024" : "01-02-2024"  // moved
            out.append(LineBuilder.activation(["Komnr": ValidationOutput.pad3(komnr), "CPRnr": String(format: "0303%02d%04d", komnr % 100, born),
                                               "Timetal": String(hours), "Startdt": start, "Slutdt": end]).text)
        }
        return out
    }

    func inbox(_ dir: borrowing TemporaryDirectory, week: Int) -> String {
        let day = Self.fridays[week]
        for komnr in Self.municipalities {
            if komnr == 147, week == 4 { continue }                     // skips a Friday: stale
            var lines = Self.lines(komnr, week: week)
            if komnr == 151, week == 6 { lines = Array(lines.prefix(5)) }  // a truncated export: held
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
        }
        return dir.file(day.iso)
    }

    /// `view`'s rows in `v_activity`'s columns (without version ids and clocks), sorted.
    func rows(_ db: Database, _ view: String, columns: [String], where predicate: String = "") throws -> [String] {
        let s = try db.prepare("SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(view) \(predicate)")
        var out: [String] = []
        // A number as a number: one view may show 20 where the other shows 20.0.
        func value(_ c: Int32) -> String {
            s.isNull(c) ? "NULL" : s.isInteger(c) || s.isDouble(c) ? String(s.double(c)) : (s.text(c) ?? "?")
        }
        while try s.step() { out.append((0..<s.columnCount).map(value).joined(separator: "|")) }
        return out.sorted()
    }

    /// The eight Fridays run one after another into `w`; what `v_activity` showed after each.
    func runFridays(_ dir: borrowing TemporaryDirectory, config: String, into w: String) throws -> (shown: [[String]], columns: [String]) {
        var shown: [[String]] = []
        var columns: [String] = []
        for week in Self.fridays.indices {
            let day = Self.fridays[week]
            let r = try CLI.run(["run", "--config", config, "--source", inbox(dir, week: week), "--batch-date", day.iso,
                                 "--warehouse", w, "--reports", dir.file("reports")],
                                environment: ["AMFORA_TEST_NOW": day.iso + "T04:00:00+01:00"])
            #expect(r.status <= 1, "\(r.stdout)\(r.stderr)")
            let db = try Database(path: w, readOnly: true)
            if columns.isEmpty {
                // The columns both views have (v_activity adds the batch and the written-down hours).
                func names(_ view: String) throws -> [String] {
                    let s = try db.prepare("SELECT * FROM \(view) LIMIT 0")
                    return (0..<s.columnCount).map(s.columnName)
                }
                let history = Set(try names("v_activity_history"))
                columns = try names("v_activity").filter { history.contains($0) && !$0.hasSuffix("version_id") && !$0.hasSuffix("_at") }
            }
            shown.append(try rows(db, "v_activity", columns: columns))
        }
        return (shown, columns)
    }

    /// The README's as-of query: the dataset as it stood on Friday `day`.
    func asOf(_ db: Database, _ day: Day, columns: [String]) throws -> [String] {
        try rows(db, "v_activity_history", columns: columns, where: """
            WHERE first_batch <= '\(day.iso)' AND (removed_in_batch IS NULL OR removed_in_batch > '\(day.iso)')
            """)
    }

    func config(_ dir: borrowing TemporaryDirectory) -> String {
        dir.write("amfora.conf", lines: ["municipalities = 101, 147, 151", "shrink_minimum = 0", "shrink_threshold = 0.5"])
    }

    @Test func everyPastFridayIsWhatVActivityShowedThatFriday() throws {
        let dir = TemporaryDirectory()
        let w = dir.file("w.sqlite")
        let (shown, columns) = try runFridays(dir, config: config(dir), into: w)
        let db = try Database(path: w, readOnly: true)
        // The Fridays did what they were meant to: a stale one and a held one among them.
        #expect(try db.scalar("SELECT count(*) FROM v_batch WHERE komnr = '147' AND status = 'stale'") ?? 0 >= 1)
        let batches = try rows(db, "v_batch", columns: ["batch_date", "komnr", "status"])
        #expect(try db.scalar("SELECT count(*) FROM v_batch WHERE komnr = '151' AND status = 'held'") == 1, "\(batches)")
        #expect(zip(shown, shown.dropFirst()).filter { $0 != $1 }.count >= 6, "the dataset changes from Friday to Friday")
        for (week, day) in Self.fridays.enumerated() {
            let asOf = try asOf(db, day, columns: columns)
            #expect(asOf == shown[week], "as of \(day.iso): \(Set(asOf).symmetricDifference(shown[week]).sorted().prefix(4))")
        }
    }

    /// Found wrong after later Fridays ran: a corrected file for an old Friday, and the held
    /// delivery of another. A load compares with the dataset in force, which is now a later
    /// Friday's, so loading either would rewrite the later Fridays' history (it did: the as-of
    /// query of Friday 1 then gave a measure twice). Both are refused, and no Friday's dataset changes.
    @Test func aRerunOrAcceptOfAnOlderBatchChangesNoFridaysHistory() throws {
        let dir = TemporaryDirectory()
        let config = config(dir), w = dir.file("w.sqlite")
        let (shown, columns) = try runFridays(dir, config: config, into: w)
        func everyFriday() throws -> [[String]] {
            let db = try Database(path: w, readOnly: true)
            return try Self.fridays.map { try asOf(db, $0, columns: columns) }
        }
        #expect(try everyFriday() == shown)
        let common = ["--config", config, "--warehouse", w, "--reports", dir.file("reports")]
        let last = Self.fridays.last!.iso
        let rerunDay = Self.fridays[2]
        let corrected = Array(Self.lines(101, week: 2).dropFirst())
        let file = dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: rerunDay).fileName, lines: corrected, inSubdirectory: "fix")
        let heldDay = Self.fridays[6]
        for (what, args) in [("rerun", ["rerun", "--municipality", "101", "--file", file]),
                             ("accept", ["accept", "--municipality", "151", "--batch-date", heldDay.iso]),
                             ("accept --dry-run", ["accept", "--municipality", "151", "--batch-date", heldDay.iso, "--dry-run"]),
                             ("run", ["run", "--source", dir.file(rerunDay.iso), "--batch-date", rerunDay.iso])] {
            let r = try CLI.run(args + common)
            #expect(r.status == 2, "\(what): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("lies before the last batch run, \(last)") && r.stderr.contains("nothing was changed"), "\(what): \(r.stderr)")
            #expect(try everyFriday() == shown, "\(what) changed a Friday's history")
        }
        // The last batch itself is still rerun.
        let again = try CLI.run(["rerun", "--municipality", "101", "--source", dir.file(last)] + common)
        #expect(again.status <= 1, "\(again.stdout)\(again.stderr)")
        #expect(try everyFriday() == shown)
    }
}

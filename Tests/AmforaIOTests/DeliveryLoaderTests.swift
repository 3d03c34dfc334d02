import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

@Suite struct DeliveryLoaderTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func name(_ d: Day, _ komnr: Int = 101) -> DeliveryName { DeliveryName(kind: .amfora, komnr: komnr, batchDate: d) }

    func load(_ w: Warehouse, _ dir: borrowing TemporaryDirectory, _ day: Day, _ lines: [String], komnr: Int = 101) throws -> LoadOutcome {
        let n = name(day, komnr)
        let path = dir.write(n.fileName, lines: lines, inSubdirectory: day.iso)
        // These tests are about versions, not about holding shrunken deliveries.
        return try DeliveryLoader(warehouse: w).load(path: path, name: n, policy: LoadPolicy(acceptShrink: true), startedAt: "t")
    }

    func count(_ w: Warehouse, _ sql: String) throws -> Int { Int(try w.db.scalar(sql) ?? -1) }

    @Test func unchangedRecordsCostNothingAndChangesMakeVersions() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let a = LineBuilder.activation().text
        let b = LineBuilder.activation(["CPRnr": "0202851234", "Timetal": "20"]).text
        let c = LineBuilder.activation(["CPRnr": "0303801234"]).text
        let first = try load(w, dir, friday1, [a, b, c])
        #expect((first.inserted, first.unchanged, first.removed) == (3, 0, 0))

        // Next Friday: a unchanged (but written with another date form), b changed, c removed, d new.
        let a2 = LineBuilder.activation(["Startdt": "2024-02-01", "Slutdt": "310724"]).text
        let b2 = LineBuilder.activation(["CPRnr": "0202851234", "Timetal": "25"]).text
        let d = LineBuilder.activation(["CPRnr": "0404751234"]).text
        let second = try load(w, dir, friday2, [a2, b2, d])
        #expect((second.inserted, second.unchanged, second.removed) == (2, 1, 2))
        #expect(second.affectedPersons == [202_851_234, 303_801_234, 404_751_234])
        #expect(try count(w, "SELECT count(*) FROM activity") == 5)
        #expect(try count(w, "SELECT count(*) FROM v_activity") == 3)
        // The removed and the replaced version were last seen on the first Friday.
        let s = try w.db.prepare("SELECT cpr, first_batch, last_batch FROM v_activity_history WHERE last_batch IS NOT NULL ORDER BY cpr")
        var closed: [String] = []
        while try s.step() { closed.append("\(s.text(0)!) \(s.text(1)!) \(s.text(2)!)") }
        #expect(closed == ["0202851234 2024-11-01 2024-11-01", "0303801234 2024-11-01 2024-11-01"])
        // As of the first Friday the dataset is the first file's.
        let asOf = Int(friday1.ordinal)
        #expect(try count(w, "SELECT count(*) FROM activity WHERE first_batch <= \(asOf) AND (closed_in IS NULL OR closed_in > \(asOf))") == 3)
    }

    @Test func loadingTheSameBatchAgainIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let a = LineBuilder.activation().text, b = LineBuilder.activation(["CPRnr": "0202851234"]).text
        _ = try load(w, dir, friday1, [a, b])
        _ = try load(w, dir, friday2, [a])
        let snapshot = try count(w, "SELECT count(*) FROM activity") * 1000 + count(w, "SELECT count(*) FROM v_activity")
        _ = try load(w, dir, friday2, [a])
        _ = try load(w, dir, friday2, [a])
        #expect(try count(w, "SELECT count(*) FROM activity") * 1000 + count(w, "SELECT count(*) FROM v_activity") == snapshot)
        // A corrected delivery for the same batch replaces the first one entirely.
        _ = try load(w, dir, friday2, [a, b])
        #expect(try count(w, "SELECT count(*) FROM v_activity") == 2)
        #expect(try count(w, "SELECT count(*) FROM activity") == 2)
    }

    @Test func everyLineIsLoadedQuarantinedOrBlank() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let good = LineBuilder.activation().text
        let bad = LineBuilder.activation(["CPRnr": "0202851234", "Slutdt": "01-01-2024"]).text  // before Startdt
        let warned = LineBuilder.activation(["CPRnr": "0303801234", "Timetal": "45"]).text
        let o = try load(w, dir, friday1, [good, "", bad, warned, "   "])
        #expect(o.summary.tally.lines == 5)
        #expect(o.summary.tally.blankLines == 2)
        #expect(o.inserted == 2)
        #expect(o.rejected == 1)
        #expect(try count(w, "SELECT count(*) FROM quarantine WHERE line_no = 3") == 1)
        #expect(try count(w, "SELECT count(*) FROM v_reject WHERE rule = 'dates.order' AND line_no = 3 AND field = 'Slutdt'") == 1)
        #expect(try count(w, "SELECT count(*) FROM v_reject WHERE severity = 'warning' AND rule = 'timetal.above-37'") == 1)
    }

    @Test func aTruncatedFileLoadsNothing() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        _ = try load(w, dir, friday1, [LineBuilder.activation().text])
        let n = name(friday2)
        let path = dir.file(n.fileName)
        let text = LineBuilder.activation(["CPRnr": "0202851234"]).text + "\n" + String(LineBuilder.activation().text.prefix(100))
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        #expect(throws: LoadError.self) { try DeliveryLoader(warehouse: w).load(path: path, name: n, startedAt: "t") }
        #expect(try count(w, "SELECT count(*) FROM activity") == 1)
        #expect(try count(w, "SELECT count(*) FROM delivery WHERE batch_date = \(friday2.ordinal)") == 0)
    }

    /// A full disk, for real: SQLite's max_page_count makes the database full mid-load.
    @Test func aFullDiskLeavesTheWarehouseAsItWas() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        _ = try load(w, dir, friday1, [LineBuilder.activation().text])
        let pages = try w.db.scalar("PRAGMA page_count")!
        try w.db.execute("PRAGMA max_page_count = \(pages + 3)")
        let many = (0..<5000).map { i in LineBuilder.activation(["CPRnr": String(format: "02029%05d", i)]).text }
        do {
            _ = try load(w, dir, friday2, many)
            Issue.record("the load should have hit the page limit")
        } catch let e as SQLiteError {
            #expect(e.isDiskFull, "\(e)")
        }
        try w.db.execute("PRAGMA max_page_count = 1073741823")
        #expect(try count(w, "SELECT count(*) FROM activity") == 1)
        #expect(try count(w, "SELECT count(*) FROM delivery") == 1)
        // Space again: the same load now completes.
        let again = try load(w, dir, friday2, many)
        #expect(again.inserted == 5000, "\(again.inserted) \(again.unchanged) \(again.removed) \(again.summary.tally)")
    }
}

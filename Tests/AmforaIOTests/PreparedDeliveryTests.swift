import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// A delivery matched on a worker thread and written by `apply` must leave the warehouse exactly
/// as streaming it (`load`) does; and the cases that must stream are declined.
@Suite struct PreparedDeliveryTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func name(_ d: Day, _ kind: RecordKind = .amfora) -> DeliveryName { DeliveryName(kind: kind, komnr: 101, batchDate: d) }

    /// Last Friday: 60 people with one or two measures each.
    var lastFridayRecords: [LineBuilder] {
        (0..<60).flatMap { i -> [LineBuilder] in
            let cpr = String(format: "01%02d85%04d", 1 + i % 12, 1000 + i)
            let first = LineBuilder.activation(["CPRnr": cpr, "Timetal": String(10 + i % 27)])
            guard i % 3 == 0 else { return [first] }
            return [first, LineBuilder.activation(["CPRnr": cpr, "Timetal": "30", "Startdt": "01-03-2024"])]
        }
    }

    var lastFriday: [String] { lastFridayRecords.map(\.text) }

    /// This Friday: most unchanged (some written differently), some changed, removed, new,
    /// duplicated, quarantined, warned about, and blank lines.
    var thisFriday: [String] {
        var lines: [String] = []
        for (k, record) in lastFridayRecords.enumerated() {
            switch k % 10 {
            case 0: continue  // removed
            case 1: lines.append(record.with("Slutdt", "310724").text)  // the same content, written otherwise
            case 2: lines.append(record.with("Timetal", "5").text)  // changed
            default: lines.append(record.text)
            }
        }
        lines.append(LineBuilder.activation(["CPRnr": "0505951234", "Timetal": "20"]).text)  // new
        lines.append(LineBuilder.activation(["CPRnr": "0505951234", "Timetal": "20"]).text)  // the same again
        lines.append(LineBuilder.activation(["CPRnr": "0505951234", "Timetal": "12"]).text)  // same identity, new content
        lines.append(LineBuilder.activation(["CPRnr": "0606951234", "Slutdt": "01-01-2024"]).text)  // quarantined
        lines.append(LineBuilder.activation(["CPRnr": "0707951234", "Timetal": "45"]).text)  // a warning
        lines.insert("", at: 7)
        return lines
    }

    func warehouse(_ dir: borrowing TemporaryDirectory, _ file: String) throws -> Warehouse {
        let w = try Warehouse(path: dir.file(file))
        let n = name(friday1)
        let path = dir.write(n.fileName, lines: lastFriday, inSubdirectory: "1")
        _ = try DeliveryLoader(warehouse: w).load(path: path, name: n, startedAt: "t")
        return w
    }

    func prepare(_ w: Warehouse, _ path: String, _ n: DeliveryName, budget: Int = 96 << 20) throws -> PreparedDelivery? {
        try PreparedDelivery.prepare(path: path, name: n, options: ValidationOptions(),
                                     reader: try Database(path: w.path, readOnly: true), budget: budget)
    }

    /// Every row a load writes, in a canonical order, without the clock.
    func dump(_ w: Warehouse) throws -> [String] {
        var out: [String] = []
        for sql in ["SELECT * FROM activity ORDER BY version_id",
                    "SELECT * FROM load_change_set ORDER BY batch_date, komnr, kind, change",
                    "SELECT * FROM reject ORDER BY line_no, rule, field",
                    "SELECT batch_date, komnr, kind, file, line_no, hex(raw) FROM quarantine ORDER BY line_no",
                    "SELECT batch_date, komnr, kind, status, file, sha256, bytes, encoding, lines, records, rejected, warnings, blank_lines, message FROM delivery ORDER BY batch_date"] {
            let s = try w.db.prepare(sql)
            while try s.step() {
                out.append((0..<s.columnCount).map { s.isNull($0) ? "NULL" : (s.text($0) ?? "?") }.joined(separator: "|"))
            }
        }
        return out
    }

    @Test func aPreparedDeliveryLeavesTheWarehouseAsStreamingItDoes() throws {
        let dir = TemporaryDirectory()
        let streamed = try warehouse(dir, "a.sqlite"), prepared = try warehouse(dir, "b.sqlite")
        let n = name(friday2)
        let path = dir.write(n.fileName, lines: thisFriday, inSubdirectory: "2")

        let s = try DeliveryLoader(warehouse: streamed).load(path: path, name: n, startedAt: "t")
        let p = try #require(try prepare(prepared, path, n))
        #expect(p.repeats > 0 && p.repeats < p.unchanged, "both repeated lines and lines matched by content")
        let a = try DeliveryLoader(warehouse: prepared).apply(p, startedAt: "t")

        #expect(try dump(prepared) == dump(streamed))
        #expect((a.inserted, a.unchanged, a.removed, a.rejected) == (s.inserted, s.unchanged, s.removed, s.rejected))
        #expect(s.inserted > 0 && s.unchanged > 0 && s.removed > 0 && s.rejected == 1)
        #expect(a.addedVersions == s.addedVersions)
        #expect(a.goneVersions == s.goneVersions)
        #expect(a.affectedPersons == s.affectedPersons)
        #expect(a.duplicateIdentities == s.duplicateIdentities)
        #expect(!a.duplicateIdentities.isEmpty)
        #expect(a.addedForReconciliation.map(\.version) == s.addedForReconciliation.map(\.version))
        #expect(a.addedForReconciliation.map(\.activityID) == s.addedForReconciliation.map(\.activityID))
        #expect((a.sha256, a.bytes, a.previousRecords) == (s.sha256, s.bytes, s.previousRecords))
        #expect(a.summary.tally == s.summary.tally)
    }

    /// A file's encoding is assumed from last Friday's and checked in the one reading pass: a
    /// file in another encoding is left to streaming (which decides it first); one in the same
    /// encoding is prepared and read as detection would read it.
    @Test func aFileWhoseEncodingChangedIsLeftToStreaming() throws {
        let dir = TemporaryDirectory()
        let n = name(friday2)
        var lines = lastFriday
        lines[3] = LineBuilder.activation(["CPRnr": "0808951234", "Navn": "Ærø Æblemost"]).text
        let latin = dir.write(n.fileName, lines: lines, windows1252: true, inSubdirectory: "latin")
        let w = try warehouse(dir, "w.sqlite")
        #expect(try LastLoad.of(w.db, name: n)?.encoding == .utf8)
        #expect(try prepare(w, latin, n) == nil)
        let streamed = try DeliveryLoader(warehouse: w).load(path: latin, name: n, startedAt: "t")
        #expect(streamed.summary.encoding == .windows1252)
        #expect(try w.db.scalar("SELECT count(*) FROM activity WHERE navn = 'Ærø Æblemost'") == 1)

        let same = try warehouse(dir, "same.sqlite")
        let p = try #require(try prepare(same, dir.write(n.fileName, lines: lines, inSubdirectory: "utf8"), n))
        #expect(p.summary.encoding == .utf8 && p.repeats > 0 && p.added.count == 1)
    }

    @Test func aidsTooLeaveTheWarehouseAsStreamingThem() throws {
        let dir = TemporaryDirectory()
        func aids(_ day: Day, _ lines: [String], _ w: Warehouse, prepared: Bool) throws {
            let n = name(day, .hjaelp1)
            let path = dir.write(n.fileName, lines: lines, inSubdirectory: "\(day.iso)-\(prepared)")
            if prepared, let p = try prepare(w, path, n) {
                _ = try DeliveryLoader(warehouse: w).apply(p, startedAt: "t")
            } else {
                _ = try DeliveryLoader(warehouse: w).load(path: path, name: n, startedAt: "t")
            }
        }
        let before = (0..<20).map { LineBuilder.aid(["Identnr": String(format: "01019%05d", $0)]).text }
        let after = Array(before.dropFirst(1)) + [LineBuilder.aid(["Identnr": "0202851234"]).text]
        let a = try Warehouse(path: dir.file("a.sqlite")), b = try Warehouse(path: dir.file("b.sqlite"))
        for (w, prepared) in [(a, false), (b, true)] {
            try aids(friday1, before, w, prepared: prepared)
            try aids(friday2, after, w, prepared: prepared)
        }
        let dumpAids = { (w: Warehouse) throws -> [String] in
            var out: [String] = []
            let s = try w.db.prepare("SELECT * FROM aid ORDER BY version_id")
            while try s.step() { out.append((0..<s.columnCount).map { s.text($0) ?? "NULL" }.joined(separator: "|")) }
            return out
        }
        #expect(try dumpAids(a) == dumpAids(b))
        #expect(try b.db.scalar("SELECT count(*) FROM aid WHERE closed_in IS NULL") == 20)
    }

    @Test func whatMustStreamIsNotPrepared() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let n1 = name(friday1)
        let first = dir.write(n1.fileName, lines: lastFriday, inSubdirectory: "1")
        // A first dataset has nothing to match against.
        #expect(try prepare(w, first, n1) == nil)
        #expect(try !PreparedDelivery.isPreparable(w.db, name: n1))
        _ = try DeliveryLoader(warehouse: w).load(path: first, name: n1, startedAt: "t")

        let n2 = name(friday2)
        let second = dir.write(n2.fileName, lines: thisFriday, inSubdirectory: "2")
        #expect(try PreparedDelivery.isPreparable(w.db, name: n2))
        // More to write than the budget allows: streamed, so memory stays bounded.
        #expect(try prepare(w, second, n2, budget: 1000) == nil)
        // Loaded in this batch already: a reload undoes that load first, in its own transaction.
        _ = try DeliveryLoader(warehouse: w).load(path: second, name: n2, startedAt: "t")
        #expect(try !PreparedDelivery.isPreparable(w.db, name: n2))
        #expect(try prepare(w, second, n2) == nil)
    }

    @Test func aPreparationOvertakenByAnotherLoadIsRefused() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir, "w.sqlite")
        let n = name(friday2)
        let path = dir.write(n.fileName, lines: thisFriday, inSubdirectory: "2")
        let p = try #require(try prepare(w, path, n))
        _ = try DeliveryLoader(warehouse: w).load(path: path, name: n, startedAt: "t")
        let before = try dump(w)
        #expect(throws: PreparedDelivery.Outdated.self) { try DeliveryLoader(warehouse: w).apply(p, startedAt: "t") }
        #expect(try dump(w) == before)
    }

    @Test func aFullDiskDuringAnApplyLeavesTheWarehouseAsItWas() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir, "w.sqlite")
        let n = name(friday2)
        let many = lastFriday + (0..<5000).map { i in LineBuilder.activation(["CPRnr": String(format: "02029%05d", i)]).text }
        let path = dir.write(n.fileName, lines: many, inSubdirectory: "2")
        let p = try #require(try prepare(w, path, n))
        let before = try dump(w)
        let pages = try w.db.scalar("PRAGMA page_count")!
        try w.db.execute("PRAGMA max_page_count = \(pages + 3)")
        do {
            _ = try DeliveryLoader(warehouse: w).apply(p, startedAt: "t")
            Issue.record("the load should have hit the page limit")
        } catch let e as SQLiteError {
            #expect(e.isDiskFull, "\(e)")
        }
        try w.db.execute("PRAGMA max_page_count = 1073741823")
        #expect(try dump(w) == before)
        // Space again: the same prepared delivery now loads.
        #expect(try DeliveryLoader(warehouse: w).apply(p, startedAt: "t").inserted == 5000)
    }

    @Test func aHeldPreparedDeliveryWritesNothing() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir, "w.sqlite")
        let n = name(friday2)
        let path = dir.write(n.fileName, lines: Array(lastFriday.prefix(10)), inSubdirectory: "2")
        let p = try #require(try prepare(w, path, n))
        let before = try dump(w)
        #expect(throws: LoadError.self) { try DeliveryLoader(warehouse: w).apply(p, startedAt: "t") }
        #expect(try dump(w) == before)
        // Accepted, it loads.
        let o = try DeliveryLoader(warehouse: w).apply(p, policy: LoadPolicy(acceptShrink: true), startedAt: "t")
        #expect(o.removed == lastFriday.count - 10)
    }
}

@testable import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// A line delivered again byte for byte, which was loaded without a finding, is recognised by its
/// hash and not parsed again (`LineHasher`, `CurrentVersions.takeRepeat`); nothing else is.
@Suite struct RepeatedLineTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!
    func name(_ d: Day) -> DeliveryName { DeliveryName(kind: .amfora, komnr: 101, batchDate: d) }

    /// 40 clean measures and one with a warning (more than 37 hours).
    var lines: [String] {
        (0..<40).map { LineBuilder.activation(["CPRnr": String(format: "0101%02d%04d", 80 + $0 % 15, 1000 + $0)]).text }
            + [LineBuilder.activation(["CPRnr": "0707951234", "Timetal": "45"]).text]
    }

    func loadFirstFriday(_ dir: borrowing TemporaryDirectory) throws -> Warehouse {
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let n = name(friday1)
        _ = try DeliveryLoader(warehouse: w).load(path: dir.write(n.fileName, lines: lines, inSubdirectory: "1"), name: n, startedAt: "t")
        return w
    }

    func prepare(_ w: Warehouse, _ path: String, options: ValidationOptions = ValidationOptions()) throws -> PreparedDelivery {
        try #require(try PreparedDelivery.prepare(path: path, name: name(friday2), options: options,
                                                  reader: try Database(path: w.path, readOnly: true)))
    }

    @Test func onlyALineWithoutAFindingKeepsItsHash() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        #expect(try w.db.scalar("SELECT count(*) FROM activity WHERE line_hash IS NOT NULL") == 40)
        #expect(try w.db.scalar("SELECT count(*) FROM activity WHERE line_hash IS NULL AND timetal = 45") == 1)
    }

    @Test func theSameLinesAgainAreRecognisedAndTheWarningIsGivenAgain() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        let p = try prepare(w, dir.write(name(friday2).fileName, lines: lines, inSubdirectory: "2"))
        #expect(p.repeats == 40, "every clean line recognised")
        #expect(p.unchanged == 41 && p.added.isEmpty && p.gone.isEmpty)
        #expect(p.findings.count == 1 && p.findings.allSatisfy { $0.severity == .warning })
        let o = try DeliveryLoader(warehouse: w).apply(p, startedAt: "t")
        #expect((o.inserted, o.removed, o.unchanged) == (0, 0, 41))
        #expect(try w.db.scalar("SELECT count(DISTINCT batch_date) FROM reject WHERE severity = 'warning'") == 2,
                "the warned line is checked, and warned about, every Friday")
    }

    /// Streaming a delivery into the warehouse (a rerun, a wholesale change) matches it with the
    /// same matcher as a worker does: its repeated lines are recognised too, and nothing is written for them.
    @Test func aStreamedDeliveryIsMatchedTheSameWay() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        let n = name(friday2), options = ValidationOptions()
        let path = dir.write(n.fileName, lines: lines, inSubdirectory: "2")
        let sink = try RowSink(db: w.db, layout: options.layouts.layout(for: .amfora), name: n, file: n.fileName)
        let found = try w.db.transaction {
            var current = try CurrentVersions.read(w.db, n)
            return try DeliveryMatcher.match(path: path, name: n, options: options, source: HashedReading(path: path, options: options).source,
                                             against: &current, into: sink)
        }
        #expect(found.repeats == 40 && found.unchanged == 41 && found.gone.isEmpty)
        #expect(sink.written.isEmpty)
        #expect(try w.db.scalar("SELECT count(*) FROM reject WHERE batch_date = \(friday2.ordinal)") == 1, "the warning given again")
    }

    /// A line written otherwise (the same content) or changed is parsed: matched by content, or new.
    @Test func aLineNotRepeatedByteForByteIsParsed() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        var second = lines
        second[0] = LineBuilder.activation(["CPRnr": "0101801000", "Slutdt": "310724"]).text  // the same, written otherwise
        second[1] = LineBuilder.activation(["CPRnr": "0101811001", "Timetal": "12"]).text  // changed
        let p = try prepare(w, dir.write(name(friday2).fileName, lines: second, inSubdirectory: "2"))
        #expect(p.repeats == 38)
        #expect(p.unchanged == 40 && p.added.count == 1 && p.gone.count == 1)
    }

    /// Versions loaded before line hashes were kept (schema 3) have none: matched by content.
    @Test func versionsWithoutALineHashAreMatchedByContent() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        try w.db.execute("UPDATE activity SET line_hash = NULL")
        let p = try prepare(w, dir.write(name(friday2).fileName, lines: lines, inSubdirectory: "2"))
        #expect(p.repeats == 0)
        #expect(p.unchanged == 41 && p.added.isEmpty && p.gone.isEmpty)
    }

    /// A warehouse of schema 3 gains the column (empty) and the wider current-version index.
    @Test func migrationFourKeepsTheDataAndAddsTheLineHash() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        try oldWarehouse(at: path, version: 3, rows: """
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, first_batch, source_file, line_no)
            VALUES (1, 2, 3, 101901234, 101, 20000, 'AMFORA_101_20241101.txt', 1)
            """)
        let w = try Warehouse(path: path)
        #expect(try w.db.scalar("SELECT max(version) FROM schema_version") == Int64(Warehouse.schemaVersion))
        #expect(try w.db.scalar("SELECT count(*) FROM activity WHERE version_id = 1 AND line_hash IS NULL") == 1)
        let index = try w.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'activity_current'")
        #expect(try index.step())
        #expect(index.text(0)?.contains("line_hash") == true)
    }

    /// Code lists that changed since a line was checked: the line is checked again, not taken on
    /// trust — here measure 139 ended before the lines' start dates, an error now.
    @Test func changedCodeListsTakeNoLineOnTrust() throws {
        let dir = TemporaryDirectory()
        let w = try loadFirstFriday(dir)
        let text = try ResourceTable.text(named: "codelists")
        let ended = text.replacingOccurrences(of: "foranstalt\t139\t\t\t", with: "foranstalt\t139\t\t2000-01-01\t")
        #expect(ended != text)
        let catalog = try CodeListCatalog(codeLists: ended, municipalities: ResourceTable.text(named: "kommuner"))
        let p = try prepare(w, dir.write(name(friday2).fileName, lines: lines, inSubdirectory: "2"),
                            options: ValidationOptions(catalog: catalog))
        #expect(p.repeats == 0)
        #expect(p.rows.quarantined.count == 41 && p.unchanged == 0)
    }
}

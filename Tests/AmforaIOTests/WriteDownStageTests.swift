import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The write-down stage reads the current measures from the current-version index (there is no index by person):
/// for everyone or for the affected persons, it must give what `WriteDown.person` gives for each
/// person's current measures, and closed versions must play no part.
@Suite struct WriteDownStageTests {
    struct Segment: Hashable {
        let start: Int, end: Int, rate: Double
    }

    struct Row: Hashable, Comparable {
        let version: Int, cpr: Int, hours: Int, average: Double, segments: [Segment]
        static func < (a: Row, b: Row) -> Bool { a.version < b.version }
    }

    /// Random persons with overlapping measures in three municipalities; about a third of the
    /// versions closed, overlapping the current ones often enough that counting them changes the result.
    func warehouse(_ dir: borrowing TemporaryDirectory, persons: Int) throws -> (Warehouse, expected: [Row]) {
        let w = try Warehouse(path: dir.file("w.sqlite"))
        var rng = SplitMix64(seed: 7)
        let insert = try w.db.prepare("""
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, startdt, slutdt, timetal,
                                  first_batch, closed_in, source_file, line_no)
            VALUES (?, ?, 0, ?, ?, ?, ?, ?, 1, ?, 'f', 1)
            """)
        var expected: [Row] = []
        var version = 0
        let base = Int(Day(iso: "2024-01-01")!.ordinal)
        for p in 0..<persons {
            let cpr = 101_900_000 + p * 37
            var current: [WriteDown.Measure] = []
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                version += 1
                let start = base + Int.random(in: 0...60, using: &rng)
                let m = WriteDown.Measure(id: version, start: Day(ordinal: Int32(start)),
                                          end: Day(ordinal: Int32(start + Int.random(in: 0...60, using: &rng))),
                                          hours: Int.random(in: 1...40, using: &rng))
                let closed = Int.random(in: 0..<3, using: &rng) == 0
                if !closed { current.append(m) }
                try insert.bind([.int(Int64(version)), .int(Int64(version)), .int(Int64(cpr)), .int([Int64(101), 147, 151].randomElement(using: &rng)!),
                                 .int(Int64(m.start.ordinal)), .int(Int64(m.end.ordinal)), .int(Int64(m.hours)), closed ? .int(2) : .null])
                try insert.run()
            }
            for (m, r) in zip(current, WriteDown.person(current)) where r.averageHours < Double(m.hours) {
                expected.append(Row(version: m.id, cpr: cpr, hours: m.hours, average: r.averageHours,
                                    segments: r.segments.map { Segment(start: Int($0.start.ordinal), end: Int($0.end.ordinal), rate: $0.rate) }))
            }
        }
        return (w, expected.sorted())
    }

    func written(_ db: Database) throws -> [Row] {
        var segments: [Int: [Segment]] = [:]
        let g = try db.prepare("SELECT version_id, start_date, end_date, rate FROM writedown_segment ORDER BY version_id, start_date")
        while try g.step() { segments[Int(g.int(0)), default: []].append(Segment(start: Int(g.int(1)), end: Int(g.int(2)), rate: g.double(3))) }
        let s = try db.prepare("SELECT version_id, cprnr, hours, hours_written_down FROM writedown ORDER BY version_id")
        var out: [Row] = []
        while try s.step() {
            let v = Int(s.int(0))
            out.append(Row(version: v, cpr: Int(s.int(1)), hours: Int(s.int(2)), average: s.double(3), segments: segments[v] ?? []))
        }
        return out
    }

    @Test func everyoneAtOnceGivesWhatThePersonsMeasuresGive() throws {
        let dir = TemporaryDirectory()
        let (w, expected) = try warehouse(dir, persons: 400)
        #expect(expected.count > 100)
        let summary = try WriteDownStage.apply(w.db, persons: nil)
        #expect(try written(w.db) == expected)
        #expect(summary.writtenDownRecords == expected.count)
        #expect(summary.persons == Int(try w.db.scalar("SELECT count(DISTINCT cprnr) FROM activity WHERE closed_in IS NULL") ?? 0))
    }

    @Test func theAffectedPersonsGiveTheSameAsEveryone() throws {
        let dir = TemporaryDirectory()
        let (w, expected) = try warehouse(dir, persons: 400)
        // A stale row of a person who is not affected stays; an affected person's stale row goes.
        try w.db.execute("INSERT INTO writedown (version_id, cprnr, hours, hours_written_down) VALUES (999999, 5, 10, 1)")
        var persons: Set<Int> = []
        let s = try w.db.prepare("SELECT DISTINCT cprnr FROM activity")
        while try s.step() { persons.insert(Int(s.int(0))) }
        let half = Set(persons.sorted().prefix(persons.count / 2))
        _ = try WriteDownStage.apply(w.db, persons: half)
        #expect(try written(w.db).filter { $0.version != 999999 } == expected.filter { half.contains($0.cpr) })
        _ = try WriteDownStage.apply(w.db, persons: persons.subtracting(half))
        #expect(try written(w.db).filter { $0.version != 999999 } == expected)
        #expect(try written(w.db).contains { $0.version == 999999 })
        try w.db.execute("UPDATE writedown SET hours_written_down = 0 WHERE cprnr = \(expected[0].cpr)")
        _ = try WriteDownStage.apply(w.db, persons: [expected[0].cpr])
        #expect(try written(w.db).filter { $0.version != 999999 } == expected)
    }

    /// The measures in force are read from the current-version index alone: the table holds every
    /// closed version of every past Friday too, and a pass over it grew with the history.
    @Test func theCurrentMeasuresAreReadFromTheIndexAlone() throws {
        let dir = TemporaryDirectory()
        let (w, _) = try warehouse(dir, persons: 20)
        var plan: [String] = []
        let s = try w.db.prepare("EXPLAIN QUERY PLAN " + WriteDownStage.currentMeasuresQuery)
        while try s.step() { plan.append(s.text(3) ?? "") }
        #expect(plan == ["SCAN activity USING COVERING INDEX activity_current"], "\(plan)")
        // So are a municipality's current versions, which the load compares each delivery with.
        for (table, index) in [(WarehouseTable.activity, "activity_current (komnr=?)"), (.aid, "aid_current (komnr=? AND kind=?)")] {
            let q = try w.db.prepare("EXPLAIN QUERY PLAN " + CurrentVersions.query(table))
            #expect(try q.step())
            #expect(q.text(3) == "SEARCH \(table) USING COVERING INDEX \(index)", "\(q.text(3) ?? "")")
        }
    }

    func textRows(_ db: Database, _ sql: String) throws -> [String] {
        let s = try db.prepare(sql)
        var out: [String] = []
        while try s.step() { out.append((0..<s.columnCount).map { s.text($0) ?? "∅" }.joined(separator: "|")) }
        return out
    }

    /// A warehouse of schema 14 (the index without the write-down's columns, one week table,
    /// figures keyed by three columns) gains the wider index, the recent week table and the
    /// figures by one key, with the same figures, and its written-down versions their measures'
    /// municipality (17) and the list of superseded stretches (18); and its write-down is the same.
    @Test func migrationsFifteenToEighteenKeepTheWriteDownAndTheFigures() throws {
        let dir = TemporaryDirectory()
        let (w, expected) = try warehouse(dir, persons: 100)
        _ = try WriteDownStage.apply(w.db, persons: nil)
        let figures = try textRows(w.db, "SELECT * FROM v_week_stats ORDER BY week_start, komnr, foranstalt")
        #expect(figures.count > 50)
        let writtenDown = try textRows(w.db, "SELECT version_id, komnr FROM writedown ORDER BY version_id")
        #expect(Set(writtenDown.map { $0.split(separator: "|")[1] }).count > 1)
        do {
            let old = try Database(path: dir.file("w.sqlite"))
            try old.execute("""
                DROP INDEX activity_current;
                CREATE INDEX activity_current ON activity (komnr, version_id, content_hash, line_hash, activity_id) WHERE closed_in IS NULL;
                DROP VIEW v_activity_week; DROP VIEW v_person_week; DROP VIEW v_week_stats;
                DROP TABLE week_segment_recent;
                DROP TABLE week_segment_superseded;
                ALTER TABLE week_stats RENAME TO week_figures;
                CREATE TABLE week_stats (
                    week_start INTEGER NOT NULL, komnr INTEGER NOT NULL, foranstalt INTEGER NOT NULL, persons INTEGER NOT NULL,
                    measures INTEGER NOT NULL, hour_days INTEGER NOT NULL, micro_hour_days INTEGER NOT NULL,
                    PRIMARY KEY (week_start, komnr, foranstalt)
                ) WITHOUT ROWID;
                INSERT INTO week_stats SELECT id / 10000000, id / 10000 % 1000, id % 10000 - 1, persons, measures, hour_days, micro_hour_days FROM week_figures;
                DROP TABLE week_figures;
                \(Schema.weekViews(.oneTable))
                ALTER TABLE writedown DROP COLUMN komnr;
                DROP TABLE activity_closed_recent; DROP TABLE activity_closed;
                CREATE INDEX activity_gone ON activity (activity_id) WHERE closed_in IS NOT NULL;
                DELETE FROM schema_version WHERE version >= 15;
                """)
        }
        let migrated = try Warehouse(path: dir.file("w.sqlite"))
        #expect(try migrated.db.scalar("SELECT max(version) FROM schema_version") == Int64(Schema.migrations.count))
        let sql = try { () throws -> String? in
            let s = try migrated.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'activity_current'")
            return try s.step() ? s.text(0) : nil
        }()
        #expect(sql?.contains("cprnr, startdt, slutdt, timetal, foranstalt, closed_in)") == true, "\(sql ?? "")")
        #expect(try textRows(migrated.db, "SELECT * FROM v_week_stats ORDER BY week_start, komnr, foranstalt") == figures)
        #expect(try textRows(migrated.db, "SELECT version_id, komnr FROM writedown ORDER BY version_id") == writtenDown)
        _ = try WriteDownStage.apply(migrated.db, persons: nil)
        #expect(try written(migrated.db) == expected)
    }
}

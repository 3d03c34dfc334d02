import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The week views now read an interval index kept by the write-down (`WeekTables`). They must
/// give exactly what the earlier views gave by expanding every measure into every week — kept
/// here as the oracle — after a rebuild and after a run that recomputed only some persons, and
/// `v_week_stats` must be the sums of `v_activity_week`.
@Suite struct WeekViewsTests {
    /// The views as migration 1 defined them: every measure expanded into every week it touches.
    static let expansion = """
        CREATE TEMP VIEW old_segment AS
            SELECT a.version_id, a.activity_id, a.cprnr, a.komnr, a.timetal AS hours, s.start_date, s.end_date, s.rate
            FROM activity a JOIN writedown_segment s ON s.version_id = a.version_id WHERE a.closed_in IS NULL
            UNION ALL
            SELECT a.version_id, a.activity_id, a.cprnr, a.komnr, a.timetal, a.startdt, a.slutdt, a.timetal
            FROM activity a WHERE a.closed_in IS NULL AND a.version_id NOT IN (SELECT version_id FROM writedown);
        CREATE TEMP VIEW old_activity_week AS
            SELECT s.activity_id, printf('%010d', s.cprnr) AS cpr, printf('%03d', s.komnr) AS komnr, w.iso_week,
                   date(w.week_start * 86400, 'unixepoch') AS week_start,
                   sum(s.hours * (min(s.end_date, w.week_end) - max(s.start_date, w.week_start) + 1) / 7.0) AS hours,
                   sum(s.rate * (min(s.end_date, w.week_end) - max(s.start_date, w.week_start) + 1) / 7.0) AS hours_written_down
            FROM old_segment s JOIN iso_week w ON w.week_start BETWEEN s.start_date - 6 AND s.end_date
            GROUP BY s.version_id, w.week_start;
        CREATE TEMP VIEW old_person_week AS
            SELECT cpr, iso_week, week_start, sum(hours) AS hours, sum(hours_written_down) AS hours_written_down
            FROM old_activity_week GROUP BY cpr, week_start;
        """

    /// Random persons in three municipalities with one to five measures each: short and long
    /// (up to three years), starting any weekday, often overlapping beyond 37 hours, some of
    /// zero hours; about a quarter of the versions closed.
    func warehouse(_ dir: borrowing TemporaryDirectory, persons: Int, seed: UInt64 = 11) throws -> Warehouse {
        let w = try Warehouse(path: dir.file("w.sqlite"))
        var rng = SplitMix64(seed: seed)
        var version = 0
        for p in 0..<persons {
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                version += 1
                try insertMeasure(w.db, version: version, person: 101_900_000 + p * 37, closed: Int.random(in: 0..<4, using: &rng) == 0, &rng)
            }
        }
        return w
    }

    /// `warehouse` with its week tables built by a write-down of everyone.
    func rebuilt(_ dir: borrowing TemporaryDirectory, persons: Int) throws -> Warehouse {
        let w = try warehouse(dir, persons: persons)
        _ = try WriteDownStage.apply(w.db, persons: nil)
        return w
    }

    func insertMeasure(_ db: Database, version: Int, person: Int, closed: Bool, _ rng: inout SplitMix64) throws {
        let start = Int(Day(iso: "2023-12-25")!.ordinal) + Int.random(in: 0...120, using: &rng)
        let length = [Int.random(in: 0...20, using: &rng), Int.random(in: 0...200, using: &rng), Int.random(in: 0...1100, using: &rng)].randomElement(using: &rng)!
        let s = try db.prepare("""
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, foranstalt, startdt, slutdt, timetal,
                                  first_batch, closed_in, source_file, line_no)
            VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, 1, ?, 'f', 1)
            """)
        try s.bind([.int(Int64(version)), .int(Int64(1_000_000 + version)), .int(Int64(person)), .int([Int64(101), 147, 151].randomElement(using: &rng)!),
                    .int([Int64(110), 120, 175].randomElement(using: &rng)!), .int(Int64(start)), .int(Int64(start + length)),
                    .int([0, 10, 20, 30, 37, 40].randomElement(using: &rng)!), closed ? .int(2) : .null])
        try s.run()
    }

    /// Rows as text with the hours rounded to a millionth, sorted: a multiset to compare.
    func rows(_ db: Database, _ sql: String) throws -> [String] {
        let s = try db.prepare(sql)
        var out: [String] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { c in
                s.isNull(c) ? "∅" : (sqlite3Type(s, c) == 2 ? String(format: "%.6f", s.double(c)) : (s.text(c) ?? ""))
            }.joined(separator: "|"))
        }
        return out.sorted()
    }

    func sqlite3Type(_ s: Statement, _ c: Int32) -> Int32 { s.isDouble(c) ? 2 : 1 }

    func expectSameAsExpansion(_ db: Database) throws {
        try db.execute("DROP VIEW IF EXISTS temp.old_person_week; DROP VIEW IF EXISTS temp.old_activity_week; DROP VIEW IF EXISTS temp.old_segment;")
        try db.execute(Self.expansion)
        let activity = try rows(db, "SELECT activity_id, cpr, komnr, iso_week, week_start, hours, hours_written_down FROM v_activity_week")
        #expect(activity.count > 1000)
        #expect(activity == (try rows(db, "SELECT activity_id, cpr, komnr, iso_week, week_start, hours, hours_written_down FROM old_activity_week")))
        let person = try rows(db, "SELECT cpr, iso_week, week_start, hours, hours_written_down FROM v_person_week")
        #expect(person == (try rows(db, "SELECT cpr, iso_week, week_start, hours, hours_written_down FROM old_person_week")))
        // The measure's own Foranstalt and municipality, as v_activity shows them.
        #expect(try db.scalar("""
            SELECT count(*) FROM v_activity_week w JOIN v_activity a ON a.activity_id = w.activity_id
            WHERE a.foranstalt IS NOT w.foranstalt OR a.komnr <> w.komnr
            """) == 0)
    }

    /// `v_week_stats` against `v_activity_week` for the same weeks.
    func expectStatsAreTheWeekSums(_ db: Database, weeks: [String]) throws {
        for week in weeks {
            let stats = try rows(db, "SELECT komnr, foranstalt, persons, measures, hours, hours_written_down FROM v_week_stats WHERE week_start = '\(week)'")
            let sums = try rows(db, """
                SELECT komnr, foranstalt, count(DISTINCT cpr), count(*), sum(hours), sum(hours_written_down)
                FROM v_activity_week WHERE week_start = '\(week)' GROUP BY komnr, foranstalt
                """)
            // The table keeps micro-hours per stretch, so it may differ from the sums in the sixth decimal.
            #expect(stats.count == sums.count, "week \(week)")
            for (a, b) in zip(stats, sums) {
                let x = a.split(separator: "|"), y = b.split(separator: "|")
                #expect(x.prefix(4) == y.prefix(4), "week \(week): \(a) vs \(b)")
                for i in 4...5 { #expect(abs(Double(x[i])! - Double(y[i])!) < 1e-4, "week \(week): \(a) vs \(b)") }
            }
        }
    }

    func randomWeeks(_ db: Database, _ n: Int, seed: UInt64) throws -> [String] {
        var rng = SplitMix64(seed: seed)
        let all = try rows(db, "SELECT DISTINCT week_start FROM v_activity_week")
        return (0..<n).map { _ in all.randomElement(using: &rng)! } + [all.first!, all.last!]
    }

    @Test func aRebuildGivesWhatExpandingEveryMeasureGave() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 300)
        try expectSameAsExpansion(w.db)
        try expectStatsAreTheWeekSums(w.db, weeks: try randomWeeks(w.db, 25, seed: 1))
    }

    /// Where a test's Fridays of changes stand: their random source and the measures added so far.
    struct Changes {
        var rng: SplitMix64
        var added = 0
        init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    }

    /// Changes `count` current measures (closed, extended with other hours, or joined by a new
    /// measure of the same person) and returns the persons affected.
    func changeSomeMeasures(_ w: Warehouse, _ count: Int, _ changes: inout Changes) throws -> Set<Int> {
        var affected: Set<Int> = []
        let current = try rows(w.db, "SELECT version_id || '|' || cprnr FROM activity WHERE closed_in IS NULL")
        for row in current.shuffled(using: &changes.rng).prefix(count) {
            let parts = row.split(separator: "|").map { Int($0)! }
            affected.insert(parts[1])
            switch Int.random(in: 0..<3, using: &changes.rng) {
            case 0: try w.db.execute("UPDATE activity SET closed_in = 3 WHERE version_id = \(parts[0])")
            case 1: try w.db.execute("UPDATE activity SET slutdt = slutdt + 45, timetal = 25 WHERE version_id = \(parts[0])")
            default:
                changes.added += 1
                try insertMeasure(w.db, version: 90_000 + changes.added, person: parts[1], closed: false, &changes.rng)
            }
        }
        return affected
    }

    /// A Friday that changes `count` measures, written down for the persons it affects.
    @discardableResult
    func recompute(_ w: Warehouse, changing count: Int, _ changes: inout Changes) throws -> WriteDownSummary {
        try WriteDownStage.apply(w.db, persons: try changeSomeMeasures(w, count, &changes))
    }

    /// The stretches in force, wherever they lie.
    func liveStretches(_ db: Database) throws -> [String] {
        try rows(db, "SELECT \(Schema.stretchColumns) FROM week_segment WHERE \(Schema.stretchNumber("week_segment")) NOT IN (SELECT stretch FROM week_segment_superseded) UNION ALL SELECT \(Schema.stretchColumns) FROM week_segment_recent")
    }

    /// A run recomputes some persons: measures closed, added, lengthened; a person left with no
    /// measure. The tables must end where a rebuild from scratch ends.
    @Test func runsThatRecomputeSomePersonsEndWhereARebuildEnds() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 300)
        var changes = Changes(seed: 99)
        var affected = try changeSomeMeasures(w, 120, &changes)
        let gone = 101_900_000 + 5 * 37
        try w.db.execute("UPDATE activity SET closed_in = 3 WHERE cprnr = \(gone)")
        affected.insert(gone)
        let first = try WriteDownStage.apply(w.db, persons: affected)
        // Each way a changed stretch is written was taken: superseded, inserted, and (the next
        // Friday, in the recent table) updated in place.
        #expect(!first.weekTables.hasPrefix("week tables: 0 rows gone") && !first.weekTables.contains(" 0 new")
                    && !first.weekTables.contains(" 0 superseded"), "\(first.weekTables)")
        #expect(try w.db.scalar("SELECT count(*) FROM v_person_week WHERE cpr = '\(String(format: "%010d", gone))'") == 0)
        try expectSameAsExpansion(w.db)
        // A second Friday changes stretches that lie in the recent table too (fewer: recent
        // stretches beyond the measures in force would be folded in by the write-down itself).
        let second = try recompute(w, changing: 40, &changes)
        let recentAfterFirst = try rows(w.db, "SELECT \(Schema.stretchColumns) FROM week_segment_recent")
        let superseded = try w.db.scalar("SELECT count(*) FROM week_segment_superseded") ?? -1
        #expect(!recentAfterFirst.isEmpty, "\(first.weekTables) \(second.weekTables) \(superseded)")
        #expect(!second.weekTables.contains("(0 of them in place)"), "\(second.weekTables)")
        try expectSameAsExpansion(w.db)
        try expectStatsAreTheWeekSums(w.db, weeks: try randomWeeks(w.db, 25, seed: 2))
        // A person's stretches that share weeks lie in one table.
        #expect(try w.db.scalar("""
            SELECT count(*) FROM (SELECT DISTINCT cpr FROM week_segment WHERE \(Schema.stretchNumber("week_segment")) NOT IN (SELECT stretch FROM week_segment_superseded) AND level >= \(IntervalLevel.together))
            WHERE cpr IN (SELECT cpr FROM week_segment_recent WHERE level >= \(IntervalLevel.together))
            """) == 0)
        let live = try liveStretches(w.db), figures = try rows(w.db, "SELECT * FROM week_stats")
        let views = try rows(w.db, "SELECT * FROM v_activity_week")
        let folded = try w.db.transaction { try WeekTables.compact(w.db) }
        #expect(folded.folded > 0 && folded.removed > 0)
        #expect(try liveStretches(w.db) == live && (try rows(w.db, "SELECT * FROM v_activity_week")) == views)
        #expect(try w.db.scalar("SELECT count(*) FROM week_segment_recent") == 0 && (try w.db.scalar("SELECT count(*) FROM week_segment_superseded")) == 0)
        let compacted = try rows(w.db, "SELECT * FROM week_segment")
        _ = try WriteDownStage.apply(w.db, persons: nil)
        #expect(try rows(w.db, "SELECT * FROM week_segment") == compacted)
        #expect(try rows(w.db, "SELECT * FROM week_stats") == figures)
    }

    /// A week whose last measure of a municipality and Foranstalt ends early, or goes, loses its
    /// figures row: no row of zeros is left behind.
    @Test func aWeekLeftWithoutMeasuresLosesItsFigures() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 30)
        let person = 101_955_555
        try w.db.execute("""
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, foranstalt, startdt, slutdt, timetal, first_batch, source_file, line_no)
            VALUES (80001, 2000001, 0, \(person), 851, 175, \(Day(iso: "2024-01-01")!.ordinal), \(Day(iso: "2024-03-31")!.ordinal), 30, 1, 'f', 1)
            """)
        func weeksOf851() throws -> Int64 { try w.db.scalar("SELECT count(*) FROM v_week_stats WHERE komnr = '851'") ?? -1 }
        _ = try WriteDownStage.apply(w.db, persons: [person])
        #expect(try weeksOf851() == 13)
        try w.db.execute("UPDATE activity SET slutdt = \(Day(iso: "2024-01-21")!.ordinal) WHERE version_id = 80001")
        _ = try WriteDownStage.apply(w.db, persons: [person])
        #expect(try weeksOf851() == 3)
        try w.db.execute("UPDATE activity SET closed_in = 3 WHERE version_id = 80001")
        _ = try WriteDownStage.apply(w.db, persons: [person])
        #expect(try weeksOf851() == 0)
        #expect(try w.db.scalar("SELECT count(*) FROM week_stats WHERE measures = 0") == 0)
        try expectStatsAreTheWeekSums(w.db, weeks: try randomWeeks(w.db, 10, seed: 3))
    }

    /// Migration 18 lists the stretches a warehouse of schema 17 had flagged `superseded`: its
    /// week views answer the same after it, and the next Friday goes on from there.
    @Test func migrationEighteenListsTheFlaggedStretches() throws {
        let dir = TemporaryDirectory()
        var changes = Changes(seed: 31)
        var expected: (persons: [String], measures: [String]) = ([], [])
        do {
            let w = try rebuilt(dir, persons: 200)
            try recompute(w, changing: 70, &changes)
            #expect(try w.db.scalar("SELECT count(*) FROM week_segment_superseded") ?? 0 > 10)
            expected = (try rows(w.db, "SELECT * FROM v_person_week"), try rows(w.db, "SELECT * FROM v_activity_week"))
            try w.db.execute("""
                DROP VIEW v_activity_week; DROP VIEW v_person_week; DROP VIEW v_week_stats;
                ALTER TABLE week_segment ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
                UPDATE week_segment SET superseded = 1 WHERE \(Schema.stretchNumber("week_segment")) IN (SELECT stretch FROM week_segment_superseded);
                DROP TABLE week_segment_superseded;
                \(Schema.weekViews(.flagged))
                DROP TABLE activity_closed_recent; DROP TABLE activity_closed;
                CREATE INDEX activity_gone ON activity (activity_id) WHERE closed_in IS NOT NULL;
                DELETE FROM schema_version WHERE version >= 18;
                """)
            #expect(try rows(w.db, "SELECT * FROM v_person_week") == expected.persons)
        }
        let migrated = try Warehouse(path: dir.file("w.sqlite"))
        #expect(try migrated.db.scalar("SELECT count(*) FROM week_segment_superseded") ?? 0 > 10)
        #expect(try rows(migrated.db, "SELECT * FROM v_person_week") == expected.persons)
        #expect(try rows(migrated.db, "SELECT * FROM v_activity_week") == expected.measures)
        try recompute(migrated, changing: 30, &changes)
        try expectSameAsExpansion(migrated.db)
    }

    /// A stretch's key and its number (`Schema.stretchNumber`) are one and the same, in the same
    /// order, at the limits of each part too.
    @Test func aStretchNumberIsItsKey() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("n.sqlite"))
        var rng = SplitMix64(seed: 4)
        var keys = [WeekTables.StretchKey(level: 63, start: (1 << 17) - 1, version: (1 << 40) - 1), WeekTables.StretchKey(level: 0, start: 0, version: 0)]
        for _ in 0..<500 {
            keys.append(WeekTables.StretchKey(level: Int.random(in: 0..<49, using: &rng), start: Int32.random(in: 7305...47846, using: &rng),
                                              version: Int64.random(in: 1..<(1 << 40), using: &rng)))
        }
        for k in keys {
            #expect(WeekTables.StretchKey(number: k.number) == k)
            let s = try db.prepare("SELECT \(Schema.stretchNumber("t")) FROM (SELECT ?1 AS level, ?2 AS start_date, ?3 AS version_id) t")
            s.bind(k.level, at: 1)
            s.bind(Int(k.start), at: 2)
            s.bind(Int(k.version), at: 3)
            #expect(try s.step() && s.int(0) == k.number)
        }
        for (a, b) in zip(keys, keys.dropFirst()) { #expect((a < b) == (a.number < b.number)) }
    }

    /// A few persons' earlier stretches are looked up through the indexes by person, many are
    /// found by one pass over both tables: the same stretches either way, from both tables.
    @Test func theEarlierStretchesAreTheSameLookedUpOrScanned() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 200)
        var changes = Changes(seed: 8)
        try recompute(w, changing: 60, &changes)
        let persons = Set(try rows(w.db, "SELECT DISTINCT cprnr FROM activity").map { Int($0)! }.shuffled(using: &changes.rng).prefix(120))
        let looked = try EarlierStretches.read(w.db, of: persons, lookingUp: true)
        let scanned = try EarlierStretches.read(w.db, of: persons, lookingUp: false)
        #expect(looked.byPerson == scanned.byPerson && looked.recent == scanned.recent)
        #expect(looked.byPerson.count > 50 && !looked.recent.isEmpty)
        let plan = try rows(w.db, "EXPLAIN QUERY PLAN SELECT * FROM week_segment WHERE cpr = printf('%010d', 1)").joined()
        #expect(plan.contains("week_segment_person (cpr=?)"), "\(plan)")
    }

    /// Without `amfora maintain` the recent table would grow without end: once it holds more
    /// stretches than there are measures in force, the write-down folds it in itself.
    @Test func theWriteDownFoldsTheRecentTableInWhenItOutgrowsTheMeasures() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 100)
        var changes = Changes(seed: 5)
        try recompute(w, changing: 20, &changes)
        #expect(try w.db.scalar("SELECT count(*) FROM week_segment_recent") ?? 0 > 0)
        let inForce = try w.db.scalar("SELECT count(*) FROM activity WHERE closed_in IS NULL") ?? 0
        for _ in 0..<20 where try w.db.scalar("SELECT count(*) FROM week_segment_recent") ?? 0 > 0 {
            try recompute(w, changing: 150, &changes)
        }
        #expect(try w.db.scalar("SELECT count(*) FROM week_segment_recent") == 0, "in force: \(inForce)")
        #expect(try w.db.scalar("SELECT count(*) FROM week_segment_superseded") == 0)
        try expectSameAsExpansion(w.db)
    }

    /// A week is read by a range of starts per level, a person's measures through the index on the CPR
    /// number — never by expanding stretches into weeks (which took minutes nationally).
    @Test func aWeekAndAPersonAreFoundByTheIndexes() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 20)
        func plan(_ sql: String) throws -> String { try rows(w.db, "EXPLAIN QUERY PLAN " + sql).joined(separator: "\n") }
        for view in ["v_person_week", "v_activity_week"] {
            for filter in ["week_start = '2024-03-04'", "iso_week = '2024-W10'"] {
                let p = try plan("SELECT count(*), sum(hours_written_down) FROM \(view) WHERE \(filter)")
                #expect(p.contains("USING PRIMARY KEY (level=? AND start_date>? AND start_date<?)"), "\(view) \(filter)\n\(p)")
                #expect(!p.contains("SCAN s"), "\(view) \(filter)\n\(p)")
                // The superseded stretches are probed by rowid, not gathered into a list first.
                #expect(p.contains("USING ROWID SEARCH ON TABLE week_segment_superseded FOR IN-OPERATOR"), "\(view) \(filter)\n\(p)")
            }
        }
        // A person's weeks, of measures and in total, through the index by person.
        for view in ["v_activity_week", "v_person_week"] {
            let person = try plan("SELECT * FROM \(view) WHERE cpr = '0101900000'")
            #expect(person.contains("week_segment_person (cpr=?)") && person.contains("week_segment_recent_person (cpr=?)"), "\(view) by person\n\(person)")
            #expect(!person.contains("SCAN s"), "\(view) by person\n\(person)")
        }
        let p = try plan("SELECT * FROM v_week_stats s JOIN v_code c ON c.list = 'foranstalt' AND c.code = s.foranstalt WHERE s.week_start = '2024-03-04'")
        #expect(p.contains("SEARCH t USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"), "\(p)")
    }

    /// The report's write-down, nationally and by municipality, reads the write-down alone
    /// (each version keeps its measure's municipality) and gives what joining every written-down
    /// version to its measure gives.
    @Test func theReportsWriteDownIsWhatJoiningTheMeasuresGives() throws {
        let dir = TemporaryDirectory()
        let w = try rebuilt(dir, persons: 60)
        let figures = try WrittenDownFigures.read(w.db)
        let joined = try rows(w.db, """
            SELECT a.komnr, count(DISTINCT w.cprnr), sum(w.hours - w.hours_written_down) FROM writedown w
            JOIN activity a ON a.version_id = w.version_id WHERE a.closed_in IS NULL GROUP BY a.komnr
            """)
        let read = figures.byMunicipality.map { "\($0.key)|\($0.value.persons)|\(String(format: "%.6f", $0.value.hoursRemoved))" }.sorted()
        #expect(joined.count > 1 && read == joined)
        let national = try rows(w.db, """
            SELECT count(DISTINCT w.cprnr), count(*), sum(w.hours - w.hours_written_down) FROM writedown w
            JOIN activity a ON a.version_id = w.version_id WHERE a.closed_in IS NULL
            """)
        #expect(national == ["\(figures.persons)|\(figures.records)|\(String(format: "%.6f", figures.hoursRemoved))"])
    }

    /// The merge that finds a person's changed stretches gives what the sets would: on random
    /// sorted lists with unique keys, where a key may come back with other content.
    @Test func theChangedStretchesAreWhatTheSetsGive() {
        struct Item: Equatable, Hashable { let key: Int; let payload: Int }
        var g = SplitMix64(seed: 15)
        for _ in 0..<500 {
            func list() -> [Item] {
                Set((0..<Int.random(in: 0...12, using: &g)).map { _ in Int.random(in: 0...20, using: &g) }).sorted()
                    .map { Item(key: $0, payload: Int.random(in: 0...1, using: &g)) }
            }
            let old = list(), new = list()
            var changes: (gone: [Item], new: [Item]) = ([], [])
            WeekTables.difference(old, new, by: { $0.key < $1.key }, into: &changes)
            #expect(Set(changes.gone) == Set(old).subtracting(new) && changes.gone.count == Set(old).subtracting(new).count)
            #expect(Set(changes.new) == Set(new).subtracting(old) && changes.new.count == Set(new).subtracting(old).count)
        }
    }
}

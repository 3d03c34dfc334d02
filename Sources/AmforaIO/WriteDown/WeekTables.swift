import AmforaCore
import Foundation

/// Keeps the week tables behind `v_activity_week`, `v_person_week` and `v_week_stats`
/// (`AmforaCore/Weeks`) in step with the write-down, inside its transaction: for each person it
/// recomputes, the stretches that changed are replaced and their weeks' figures corrected.
///
/// The earlier stretches of a Friday's quarter of a million persons are read in one pass over
/// the table (a lookup per person cost five times as much), and the changed rows are written
/// in key order at the end. Rebuilding (a first Friday, or when most persons changed) appends
/// every row to a scratch table on disk and writes the tables once in key order, with the index
/// by person built afterwards: ten million random inserts took minutes.
final class WeekTables {
    private let db: Database
    private let rebuilding: Bool
    private var stats = WeekStatsDelta()
    private var earlier: [Int64: [MeasureStretch]] = [:]
    private var measureChanges: (gone: [MeasureStretch], new: [MeasureStretch]) = ([], [])
    private var totalChanges: (gone: [PersonStretch], new: [PersonStretch]) = ([], [])
    private let appendMeasure: Statement?
    private let appendTotal: Statement?
    /// Seconds spent reading earlier rows, writing changed rows, correcting the figures.
    private var seconds = (reading: 0.0, writing: 0.0, figures: 0.0, changedWeeks: 0)

    var timing: String {
        String(format: "week tables: reading %.1f s, writing %.1f s, figures %.1f s (%d week rows)",
               seconds.reading, seconds.writing, seconds.figures, seconds.changedWeeks)
    }

    init(_ db: Database, persons: Set<Int>?) throws {
        self.db = db
        rebuilding = persons == nil
        if rebuilding {
            try db.execute("""
                DELETE FROM week_segment; DELETE FROM person_segment; DELETE FROM week_stats;
                DROP INDEX IF EXISTS week_segment_person;
                DROP TABLE IF EXISTS temp.new_week_segment; DROP TABLE IF EXISTS temp.new_person_segment;
                CREATE TEMP TABLE new_week_segment AS SELECT * FROM week_segment WHERE 0;
                CREATE TEMP TABLE new_person_segment AS SELECT * FROM person_segment WHERE 0;
                """)
            appendMeasure = try db.prepare(Self.insertMeasureSQL("temp.new_week_segment"))
            appendTotal = try db.prepare(Self.insertTotalSQL("temp.new_person_segment"))
        } else {
            appendMeasure = nil
            appendTotal = nil
            let t = Self.clock()
            try readEarlier(of: persons!)
            seconds.reading = Self.clock() - t
        }
    }

    static func insertMeasureSQL(_ table: String) -> String {
        """
        INSERT INTO \(table) (level, start_date, version_id, end_date, cprnr, komnr, foranstalt, activity_id, hours, rate)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    }

    static func insertTotalSQL(_ table: String) -> String {
        "INSERT INTO \(table) (level, start_date, cprnr, end_date, hours) VALUES (?, ?, ?, ?, ?)"
    }

    /// The person's new stretches replace their earlier ones (none when the person has no
    /// current measure left).
    func replace(person: Int64, measures new: [MeasureStretch], totals newTotals: [PersonStretch]) throws {
        if rebuilding {
            let t = Self.clock()
            stats.add(person: new, sign: 1)
            seconds.figures += Self.clock() - t
            for s in new { try Self.bind(appendMeasure!, s); try appendMeasure!.run() }
            for s in newTotals { try Self.bind(appendTotal!, s); try appendTotal!.run() }
            return
        }
        let old = earlier.removeValue(forKey: person) ?? []
        guard old != new else { return }
        let t = Self.clock()
        stats.add(person: old, sign: -1)
        stats.add(person: new, sign: 1)
        seconds.figures += Self.clock() - t
        let kept = Set(old).intersection(new)
        measureChanges.gone += old.filter { !kept.contains($0) }
        measureChanges.new += new.filter { !kept.contains($0) }
        // The totals written last time follow from the stretches written last time.
        let oldTotals = WriteDown.stretches(of: person, Self.measures(of: old))
        let keptTotals = Set(oldTotals).intersection(newTotals)
        totalChanges.gone += oldTotals.filter { !keptTotals.contains($0) }
        totalChanges.new += newTotals.filter { !keptTotals.contains($0) }
    }

    /// Writes the changed rows and the corrected week figures (or, when rebuilding, the tables
    /// in key order and then the index by person).
    func finish() throws {
        let t0 = Self.clock()
        if rebuilding {
            try db.execute("""
                INSERT INTO week_segment SELECT * FROM temp.new_week_segment ORDER BY level, start_date, version_id;
                INSERT INTO person_segment SELECT * FROM temp.new_person_segment ORDER BY level, start_date, cprnr;
                DROP TABLE temp.new_week_segment; DROP TABLE temp.new_person_segment;
                \(Schema.weekSegmentPersonIndex);
                DELETE FROM week_index_state; INSERT INTO week_index_state (built) VALUES (1);
                """)
        } else {
            try writeChangedRows()
        }
        let t1 = Self.clock()
        seconds.writing += t1 - t0
        try writeFigures()
        seconds.figures += Self.clock() - t1
    }

    /// Whether the week tables were ever built (a warehouse from before them was not).
    static func built(_ db: Database) throws -> Bool {
        try db.scalar("SELECT count(*) FROM week_index_state") ?? 0 > 0
    }

    private func readEarlier(of persons: Set<Int>) throws {
        let q = try db.prepare("SELECT cprnr, version_id, activity_id, komnr, foranstalt, start_date, end_date, hours, rate FROM week_segment")
        while try q.step() {
            let person = q.int(0)
            guard persons.contains(Int(person)) else { continue }
            earlier[person, default: []].append(MeasureStretch(
                versionID: q.int(1), activityID: q.int(2), person: person, komnr: Int(q.int(3)),
                foranstalt: q.isNull(4) ? nil : Int(q.int(4)), start: Day(ordinal: Int32(q.int(5))),
                end: Day(ordinal: Int32(q.int(6))), hours: Int(q.int(7)), rate: q.isNull(8) ? nil : q.double(8)))
        }
        for p in earlier.keys { earlier[p]!.sort(by: WeekTables.order) }
    }

    /// Deletes before inserts (a stretch may come back under the same key), each in key order.
    private func writeChangedRows() throws {
        func key(_ s: MeasureStretch) -> (Int, Int32, Int64) { (IntervalLevel.of(s.start, s.end), s.start.ordinal, s.versionID) }
        func key(_ s: PersonStretch) -> (Int, Int32, Int64) { (IntervalLevel.of(s.start, s.end), s.start.ordinal, s.person) }
        let deleteMeasure = try db.prepare("DELETE FROM week_segment WHERE level = ? AND start_date = ? AND version_id = ?")
        for s in measureChanges.gone.sorted(by: { key($0) < key($1) }) {
            let k = key(s)
            try deleteMeasure.bind([.int(Int64(k.0)), .int(Int64(k.1)), .int(k.2)])
            try deleteMeasure.run()
        }
        let deleteTotal = try db.prepare("DELETE FROM person_segment WHERE level = ? AND start_date = ? AND cprnr = ?")
        for s in totalChanges.gone.sorted(by: { key($0) < key($1) }) {
            let k = key(s)
            try deleteTotal.bind([.int(Int64(k.0)), .int(Int64(k.1)), .int(k.2)])
            try deleteTotal.run()
        }
        let insertMeasure = try db.prepare(Self.insertMeasureSQL("week_segment"))
        for s in measureChanges.new.sorted(by: { key($0) < key($1) }) { try Self.bind(insertMeasure, s); try insertMeasure.run() }
        let insertTotal = try db.prepare(Self.insertTotalSQL("person_segment"))
        for s in totalChanges.new.sorted(by: { key($0) < key($1) }) { try Self.bind(insertTotal, s); try insertTotal.run() }
    }

    private func writeFigures() throws {
        let update = try db.prepare("""
            UPDATE week_stats SET persons = persons + ?4, measures = measures + ?5, hour_days = hour_days + ?6,
                micro_hour_days = micro_hour_days + ?7
            WHERE week_start = ?1 AND komnr = ?2 AND foranstalt = ?3
            """)
        let insert = try db.prepare("""
            INSERT INTO week_stats (week_start, komnr, foranstalt, persons, measures, hour_days, micro_hour_days) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let dropEmpty = try db.prepare("DELETE FROM week_stats WHERE week_start = ? AND komnr = ? AND foranstalt = ? AND measures = 0")
        let changes = stats.changes()
        seconds.changedWeeks = changes.count
        for c in changes {
            let key: [SQLValue] = [.int(Int64(WeekCalendar.monday(of: c.week).ordinal)), .int(Int64(c.group.komnr)),
                                   .int(Int64(c.group.foranstalt ?? -1))]
            let values: [SQLValue] = [.int(Int64(c.persons)), .int(Int64(c.measures)), .int(c.hourDays), .int(c.microHourDays)]
            // Most weeks exist already: one update, and an insert only where it found none.
            let updated = try !rebuilding && run(update, key + values)
            if !updated {
                try insert.bind(key + values)
                try insert.run()
            } else if c.measures < 0 {
                try dropEmpty.bind(key)
                try dropEmpty.run()
            }
        }
    }

    /// Runs `s`; whether it changed a row.
    private func run(_ s: Statement, _ values: [SQLValue]) throws -> Bool {
        try s.bind(values)
        try s.run()
        return db.changes > 0
    }

    private static func bind(_ s: Statement, _ m: MeasureStretch) throws {
        try s.bind([.int(Int64(IntervalLevel.of(m.start, m.end))), .int(Int64(m.start.ordinal)), .int(m.versionID),
                    .int(Int64(m.end.ordinal)), .int(m.person), .int(Int64(m.komnr)),
                    m.foranstalt.map { .int(Int64($0)) } ?? .null, .int(m.activityID), .int(Int64(m.hours)),
                    m.rate.map { .double($0) } ?? .null])
    }

    private static func bind(_ s: Statement, _ p: PersonStretch) throws {
        try s.bind([.int(Int64(IntervalLevel.of(p.start, p.end))), .int(Int64(p.start.ordinal)), .int(p.person),
                    .int(Int64(p.end.ordinal)), .int(Int64(p.hours))])
    }

    /// A person's measures as their stretches tell them: each version from its first day to its last.
    static func measures(of stretches: [MeasureStretch]) -> [WriteDown.Measure] {
        var out: [WriteDown.Measure] = []
        for s in stretches {
            if let last = out.last, last.id == Int(s.versionID) {
                out[out.count - 1] = WriteDown.Measure(id: last.id, start: min(last.start, s.start), end: max(last.end, s.end), hours: s.hours)
            } else {
                out.append(WriteDown.Measure(id: Int(s.versionID), start: s.start, end: s.end, hours: s.hours))
            }
        }
        return out
    }

    /// The order the write-down produces a person's stretches in: by version, then start.
    static func order(_ a: MeasureStretch, _ b: MeasureStretch) -> Bool { (a.versionID, a.start) < (b.versionID, b.start) }

    private static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

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
        Self.difference(old, new, by: Self.order, into: &measureChanges)
        // The totals written last time follow from the stretches written last time.
        let oldTotals = WriteDown.stretches(of: person, Self.measures(of: old))
        Self.difference(oldTotals, newTotals, by: { $0.start < $1.start }, into: &totalChanges)
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
            deleteMeasure.bind(k.0, at: 1)
            deleteMeasure.bind(Int(k.1), at: 2)
            deleteMeasure.bind(Int(k.2), at: 3)
            try deleteMeasure.run()
        }
        let deleteTotal = try db.prepare("DELETE FROM person_segment WHERE level = ? AND start_date = ? AND cprnr = ?")
        for s in totalChanges.gone.sorted(by: { key($0) < key($1) }) {
            let k = key(s)
            deleteTotal.bind(k.0, at: 1)
            deleteTotal.bind(Int(k.1), at: 2)
            deleteTotal.bind(Int(k.2), at: 3)
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
        // Bound value by value: a million and a half weeks bound as arrays cost an allocation each.
        func bind(_ s: Statement, _ c: WeekStatsDelta.Change, figures: Bool) {
            s.bind(Int(WeekCalendar.monday(of: c.week).ordinal), at: 1)
            s.bind(c.group.komnr, at: 2)
            s.bind(c.group.foranstalt ?? -1, at: 3)
            guard figures else { return }
            s.bind(c.persons, at: 4)
            s.bind(c.measures, at: 5)
            s.bind(Int(c.hourDays), at: 6)
            s.bind(Int(c.microHourDays), at: 7)
        }
        for c in changes {
            // Most weeks exist already: one update, and an insert only where it found none.
            var updated = false
            if !rebuilding {
                bind(update, c, figures: true)
                try update.run()
                updated = db.changes > 0
            }
            if !updated {
                bind(insert, c, figures: true)
                try insert.run()
            } else if c.measures < 0 {
                bind(dropEmpty, c, figures: false)
                try dropEmpty.run()
            }
        }
    }

    private static func bind(_ s: Statement, _ m: MeasureStretch) throws {
        s.bind(IntervalLevel.of(m.start, m.end), at: 1)
        s.bind(Int(m.start.ordinal), at: 2)
        s.bind(Int(m.versionID), at: 3)
        s.bind(Int(m.end.ordinal), at: 4)
        s.bind(Int(m.person), at: 5)
        s.bind(m.komnr, at: 6)
        if let f = m.foranstalt { s.bind(f, at: 7) } else { s.bindNull(at: 7) }
        s.bind(Int(m.activityID), at: 8)
        s.bind(m.hours, at: 9)
        if let r = m.rate { s.bind(r, at: 10) } else { s.bindNull(at: 10) }
    }

    private static func bind(_ s: Statement, _ p: PersonStretch) throws {
        s.bind(IntervalLevel.of(p.start, p.end), at: 1)
        s.bind(Int(p.start.ordinal), at: 2)
        s.bind(Int(p.person), at: 3)
        s.bind(Int(p.end.ordinal), at: 4)
        s.bind(p.hours, at: 5)
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

    /// What only `old` has and what only `new` has, both sorted by `less`, under which no two
    /// elements of one list are equal (a version's stretches start on different days, and so
    /// do a person's totals): a merge, not the sets that hashed every stretch twice.
    static func difference<T: Equatable>(_ old: [T], _ new: [T], by less: (T, T) -> Bool, into changes: inout (gone: [T], new: [T])) {
        var i = 0, j = 0
        while i < old.count, j < new.count {
            if old[i] == new[j] {
                i += 1; j += 1
            } else if less(old[i], new[j]) {
                changes.gone.append(old[i]); i += 1
            } else if less(new[j], old[i]) {
                changes.new.append(new[j]); j += 1
            } else {
                changes.gone.append(old[i]); changes.new.append(new[j]); i += 1; j += 1
            }
        }
        changes.gone += old[i...]
        changes.new += new[j...]
    }

    /// The order the write-down produces a person's stretches in: by version, then start.
    static func order(_ a: MeasureStretch, _ b: MeasureStretch) -> Bool { (a.versionID, a.start) < (b.versionID, b.start) }

    private static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

import AmforaCore
import Foundation

/// Keeps the week tables behind `v_activity_week`, `v_person_week` and `v_week_stats`
/// (`AmforaCore/Weeks`) in step with the write-down, inside its transaction: for each person it
/// recomputes, the stretches that changed are replaced and their weeks' figures corrected.
///
/// The earlier stretches of a Friday's quarter of a million persons are read in one pass over
/// the table (a lookup per person cost five times as much), on a connection and core of their
/// own while the write-down reads the measures (`EarlierStretches`); the figures' corrections
/// are computed on another (`WeekFiguresBeside`); and the changed rows are written in key order
/// at the end. Rebuilding (a first Friday, or when most persons changed) appends every row to a
/// scratch table on disk and writes the table once in key order, with the index by person built
/// afterwards: ten million random inserts took minutes.
final class WeekTables {
    private let db: Database
    private let rebuilding: Bool
    private let stats = WeekFiguresBeside()
    private var earlier: EarlierStretches?
    private var changes: (gone: [MeasureStretch], new: [MeasureStretch]) = ([], [])
    private let append: Statement?
    /// Seconds spent waiting for the earlier rows and the figures' corrections (computed on
    /// threads of their own), writing changed rows, writing the corrected figures; rows written.
    private var measured = (waiting: 0.0, writing: 0.0, figures: 0.0, changedWeeks: 0, gone: 0, new: 0, inPlace: 0)

    var timing: String {
        String(format: "week tables: %d rows gone, %d new (%d of them in place), waiting %.1f s, writing %.1f s, figures %.1f s (%d week rows)",
               measured.gone, measured.new, measured.inPlace, measured.waiting, measured.writing, measured.figures, measured.changedWeeks)
    }

    init(_ db: Database, persons: Set<Int>?) throws {
        self.db = db
        rebuilding = persons == nil
        if let persons {
            append = nil
            earlier = try EarlierStretches(db, of: persons)
        } else {
            try db.execute("""
                DELETE FROM week_segment; DELETE FROM week_stats;
                DROP INDEX IF EXISTS week_segment_person;
                DROP TABLE IF EXISTS temp.new_week_segment;
                CREATE TEMP TABLE new_week_segment AS SELECT * FROM week_segment WHERE 0;
                """)
            append = try db.prepare(Self.insertSQL("temp.new_week_segment"))
        }
    }

    static func insertSQL(_ table: String) -> String {
        """
        INSERT INTO \(table) (level, start_date, version_id, end_date, cpr, komnr, foranstalt, activity_id, hours, rate)
        VALUES (?1, ?2, ?3, ?4, printf('%010d', ?5), printf('%03d', ?6), ?7, ?8, ?9, ?10)
        """
    }

    /// The person's new stretches (marked `MeasureStretch.markingTogether`, in `order`) replace
    /// their earlier ones (none when the person has no current measure left).
    func replace(person: Int64, measures new: [MeasureStretch]) throws {
        if rebuilding {
            stats.add(person: new, sign: 1)
            for s in new { try Self.bind(append!, s); try append!.run() }
            return
        }
        let t = Self.clock()
        let old = try earlier!.take(person)
        measured.waiting += Self.clock() - t
        guard old != new else { return }
        stats.add(person: old, sign: -1)
        stats.add(person: new, sign: 1)
        Self.difference(old, new, by: Self.order, into: &changes)
    }

    /// Writes the changed rows and the corrected week figures (or, when rebuilding, the tables
    /// in key order and then the index by person).
    func finish() throws {
        stats.finishAdding()
        let t0 = Self.clock()
        if rebuilding {
            try db.execute("""
                INSERT INTO week_segment SELECT * FROM temp.new_week_segment ORDER BY level, start_date, version_id;
                DROP TABLE temp.new_week_segment;
                \(Schema.weekSegmentPersonIndex);
                DELETE FROM week_index_state; INSERT INTO week_index_state (built) VALUES (1);
                """)
        } else {
            try writeChangedRows()
        }
        let t1 = Self.clock()
        measured.writing += t1 - t0
        let changes = stats.changes()
        let t2 = Self.clock()
        measured.waiting += t2 - t1
        try writeFigures(changes)
        measured.figures += Self.clock() - t2
    }

    /// Whether the week tables were ever built (a warehouse from before them was not).
    static func built(_ db: Database) throws -> Bool {
        try db.scalar("SELECT count(*) FROM week_index_state") ?? 0 > 0
    }

    /// Deletes and inserts in one pass in key order, so that each page is written once while
    /// it is in the cache (two passes wrote a third more pages); a stretch that comes back
    /// under the same key with other figures is updated in place, which leaves the index by
    /// person alone.
    private func writeChangedRows() throws {
        func key(_ s: MeasureStretch) -> (Int, Int32, Int64) { (IntervalLevel.filed(s), s.start.ordinal, s.versionID) }
        let delete = try db.prepare("DELETE FROM week_segment WHERE level = ? AND start_date = ? AND version_id = ?")
        let insert = try db.prepare(Self.insertSQL("week_segment"))
        let update = try db.prepare("""
            UPDATE week_segment SET end_date = ?4, komnr = printf('%03d', ?6), foranstalt = ?7, activity_id = ?8, hours = ?9, rate = ?10
            WHERE level = ?1 AND start_date = ?2 AND version_id = ?3
            """)
        // Only the keys of what is gone, and what is new sorted in place: with the figures'
        // changed weeks sorted beside this, copies of both lists were a tenth of the peak.
        let gone = changes.gone.map(key).sorted(by: <)
        var new = changes.new
        changes = ([], [])
        new.sort { key($0) < key($1) }
        measured.gone = gone.count
        measured.new = new.count
        func remove(_ k: (Int, Int32, Int64)) throws {
            delete.bind(k.0, at: 1)
            delete.bind(Int(k.1), at: 2)
            delete.bind(Int(k.2), at: 3)
            try delete.run()
        }
        var i = 0, j = 0
        while i < gone.count || j < new.count {
            if j == new.count || (i < gone.count && gone[i] < key(new[j])) {
                try remove(gone[i]); i += 1
            } else if i == gone.count || key(new[j]) < gone[i] {
                try Self.bind(insert, new[j]); try insert.run(); j += 1
            } else {
                // The same version's stretch from the same day, at the same level: the person too.
                try Self.bind(update, new[j]); try update.run(); i += 1; j += 1
                measured.inPlace += 1
            }
        }
    }

    private func writeFigures(_ changes: [WeekStatsDelta.Change]) throws {
        let update = try db.prepare("""
            UPDATE week_stats SET persons = persons + ?4, measures = measures + ?5, hour_days = hour_days + ?6,
                micro_hour_days = micro_hour_days + ?7
            WHERE week_start = ?1 AND komnr = ?2 AND foranstalt = ?3
            """)
        let insert = try db.prepare("""
            INSERT INTO week_stats (week_start, komnr, foranstalt, persons, measures, hour_days, micro_hour_days) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let dropEmpty = try db.prepare("DELETE FROM week_stats WHERE week_start = ? AND komnr = ? AND foranstalt = ? AND measures = 0")
        measured.changedWeeks = changes.count
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
        s.bind(IntervalLevel.filed(m), at: 1)
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

    /// What only `old` has and what only `new` has, both sorted by `less`, under which no two
    /// elements of one list are equal (a version's stretches start on different days): a merge,
    /// not the sets that hashed every stretch twice.
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

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
///
/// A Friday's changed stretches fall on nearly every page of the large table and of its index by
/// person, however they are ordered. So they are written to a small table of their own,
/// `week_segment_recent`, and the large table's stretches they replace are listed by number in
/// another, `week_segment_superseded`: the large table is written only when `compact` folds the
/// small ones back in (when `amfora maintain` finds them grown). A person's stretches that share
/// weeks are summed together by the views, so they always lie in one table: when any of them
/// changes, those still in the large table move to the small one as well.
final class WeekTables {
    private let db: Database
    private let rebuilding: Bool
    private let stats = WeekFiguresBeside()
    private var earlier: EarlierStretches?
    /// What the write-down changed: the keys of stretches gone (and whether they lie in the
    /// recent table), and the new stretches.
    private var changes: (gone: [(key: StretchKey, recent: Bool)], new: [MeasureStretch]) = ([], [])
    private let append: Statement?
    /// Seconds spent waiting for the earlier rows and the figures' corrections (computed on
    /// threads of their own), writing changed rows, writing the corrected figures; rows written.
    private var measured = (waiting: 0.0, writing: 0.0, figures: 0.0, changedWeeks: 0, gone: 0, new: 0, inPlace: 0, superseded: 0)

    var timing: String {
        String(format: "week tables: %d rows gone, %d new (%d of them in place), %d superseded in the large table, waiting %.1f s, writing %.1f s, figures %.1f s (%d week rows)",
               measured.gone, measured.new, measured.inPlace, measured.superseded, measured.waiting, measured.writing, measured.figures, measured.changedWeeks)
    }

    init(_ db: Database, persons: Set<Int>?) throws {
        self.db = db
        rebuilding = persons == nil
        if let persons {
            append = nil
            earlier = try EarlierStretches(db, of: persons)
        } else {
            try db.execute("""
                DELETE FROM week_segment; DELETE FROM week_segment_recent; DELETE FROM week_segment_superseded; DELETE FROM week_stats;
                DROP INDEX IF EXISTS week_segment_person;
                DROP TABLE IF EXISTS temp.new_week_segment;
                CREATE TEMP TABLE new_week_segment AS SELECT \(Schema.stretchColumns) FROM week_segment WHERE 0;
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
        let (old, recent) = try earlier!.take(person)
        measured.waiting += Self.clock() - t
        guard old != new else { return }
        stats.add(person: old, sign: -1)
        stats.add(person: new, sign: 1)
        var changed: (gone: [MeasureStretch], new: [MeasureStretch]) = ([], [])
        Self.difference(old, new, by: Self.order, into: &changed)
        if changed.gone.contains(where: \.together) || changed.new.contains(where: \.together) {
            // The person's stretches that share weeks are summed together: those still in the
            // large table move to the recent one with the changed.
            let gone = Set(changed.gone)
            for s in old where s.together && !recent.contains(StretchKey(s)) && !gone.contains(s) {
                changed.gone.append(s)
                changed.new.append(s)
            }
        }
        changes.gone += changed.gone.map { (StretchKey($0), recent.contains(StretchKey($0))) }
        changes.new += changed.new
    }

    /// Writes the changed rows and the corrected week figures (or, when rebuilding, the tables
    /// in key order and then the index by person).
    func finish() throws {
        stats.finishAdding()
        let t0 = Self.clock()
        if rebuilding {
            try db.execute("""
                INSERT INTO week_segment (\(Schema.stretchColumns))
                    SELECT \(Schema.stretchColumns) FROM temp.new_week_segment ORDER BY level, start_date, version_id;
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

    /// Writes the changes in one pass in key order, so that each page is written once while it
    /// is in the cache (two passes wrote a third more pages): a stretch gone from the large table
    /// is listed as superseded, one gone from the recent table deleted, a new one inserted into
    /// the recent table. A recent stretch that comes back under the same key with other figures
    /// is updated in place (the person is the same); a large one is superseded and comes back
    /// in the recent table.
    private func writeChangedRows() throws {
        let supersede = try db.prepare("INSERT INTO week_segment_superseded (stretch) VALUES (?)")
        let delete = try db.prepare("DELETE FROM week_segment_recent WHERE level = ? AND start_date = ? AND version_id = ?")
        let insert = try db.prepare(Self.insertSQL("week_segment_recent"))
        let updateRecent = try db.prepare("""
            UPDATE week_segment_recent SET end_date = ?4, komnr = printf('%03d', ?6), foranstalt = ?7, activity_id = ?8, hours = ?9, rate = ?10
            WHERE level = ?1 AND start_date = ?2 AND version_id = ?3
            """)
        // Only the keys of what is gone, and what is new sorted in place: with the figures'
        // changed weeks sorted beside this, copies of both lists were a tenth of the peak.
        let gone = changes.gone.sorted { $0.key < $1.key }
        var new = changes.new
        changes = ([], [])
        new.sort { StretchKey($0) < StretchKey($1) }
        measured.gone = gone.count
        measured.new = new.count
        func remove(_ g: (key: StretchKey, recent: Bool)) throws {
            if g.recent {
                delete.bind(g.key.level, at: 1)
                delete.bind(Int(g.key.start), at: 2)
                delete.bind(Int(g.key.version), at: 3)
                try delete.run()
            } else {
                supersede.bind(Int(g.key.number), at: 1)
                try supersede.run()
                measured.superseded += 1
            }
        }
        func write(_ s: Statement, _ m: MeasureStretch) throws { try Self.bind(s, m); try s.run() }
        var i = 0, j = 0
        while i < gone.count || j < new.count {
            if j == new.count || (i < gone.count && gone[i].key < StretchKey(new[j])) {
                try remove(gone[i]); i += 1
            } else if i == gone.count || StretchKey(new[j]) < gone[i].key {
                try write(insert, new[j]); j += 1
            } else {
                // The same version's stretch from the same day, at the same level: the person too.
                if gone[i].recent {
                    try write(updateRecent, new[j])
                    measured.inPlace += 1
                } else {
                    try remove(gone[i])
                    try write(insert, new[j])
                }
                i += 1; j += 1
            }
        }
    }

    /// Folds the recent table into the large one: the superseded stretches deleted, the recent
    /// ones inserted in key order. The views give the same rows before and after. Inside the
    /// caller's transaction.
    static func compact(_ db: Database) throws -> (folded: Int, removed: Int) {
        let superseded = try db.prepare("SELECT stretch FROM week_segment_superseded")
        let delete = try db.prepare("DELETE FROM week_segment WHERE level = ? AND start_date = ? AND version_id = ?")
        var removed = 0
        while try superseded.step() {
            let key = StretchKey(number: superseded.int(0))
            delete.bind(key.level, at: 1)
            delete.bind(Int(key.start), at: 2)
            delete.bind(Int(key.version), at: 3)
            try delete.run()
            removed += db.changes
        }
        try db.execute("DELETE FROM week_segment_superseded")
        try db.execute("""
            INSERT INTO week_segment (\(Schema.stretchColumns))
                SELECT \(Schema.stretchColumns) FROM week_segment_recent ORDER BY level, start_date, version_id;
            """)
        let folded = db.changes
        try db.execute("DELETE FROM week_segment_recent")
        return (folded, removed)
    }

    /// When the recent table is folded in (`compact`), the one policy for both callers.
    /// `amfora maintain` folds it once it holds this share of the large table's stretches: each
    /// Friday's changes then leave the large table's index by person alone, and a week's question
    /// reads at most about a tenth more rows.
    static let foldedAtShare = 0.1

    /// Folds the recent table in if `amfora maintain` should (`foldedAtShare`): the stretches
    /// folded, 0 when not yet due. Its own transaction.
    static func compactIfDue(_ db: Database) throws -> Int {
        let recent = try recentStretches(db)
        let large = Int(try db.scalar("SELECT count(*) FROM week_segment") ?? 0)
        guard recent > 0, Double(recent) >= foldedAtShare * Double(large) else { return 0 }
        return try db.transaction { try compact(db).folded }
    }

    /// Folds the recent table in when it holds more stretches than there are measures in force:
    /// `amfora maintain` does so long before; without it the table would grow, and with it each
    /// Friday's writing and each week's question. Inside the write-down's transaction.
    static func compactIfOvergrown(_ db: Database, measuresInForce: Int) throws {
        if try recentStretches(db) > measuresInForce { _ = try compact(db) }
    }

    private static func recentStretches(_ db: Database) throws -> Int {
        Int(try db.scalar("SELECT count(*) FROM week_segment_recent") ?? 0)
    }

    private func writeFigures(_ changes: [WeekStatsDelta.Change]) throws {
        let update = try db.prepare("""
            UPDATE week_stats SET persons = persons + ?2, measures = measures + ?3, hour_days = hour_days + ?4,
                micro_hour_days = micro_hour_days + ?5
            WHERE id = ?1
            """)
        let insert = try db.prepare("INSERT INTO week_stats (id, persons, measures, hour_days, micro_hour_days) VALUES (?, ?, ?, ?, ?)")
        let dropEmpty = try db.prepare("DELETE FROM week_stats WHERE id = ? AND measures = 0")
        measured.changedWeeks = changes.count
        // Bound value by value: a million and a half weeks bound as arrays cost an allocation each.
        func bind(_ s: Statement, _ c: WeekStatsDelta.Change, figures: Bool) {
            s.bind(Self.figuresKey(week: c.week, c.group), at: 1)
            guard figures else { return }
            s.bind(c.persons, at: 2)
            s.bind(c.measures, at: 3)
            s.bind(Int(c.hourDays), at: 4)
            s.bind(Int(c.microHourDays), at: 5)
        }
        for c in changes {
            // Most weeks exist already: one update, and an insert only where it found none.
            // (`UPDATE … RETURNING measures` saved the second lookup of a week that lost
            // measures, but made every update three times as slow.)
            if !rebuilding {
                bind(update, c, figures: true)
                try update.run()
                if db.changes > 0 {
                    if c.measures < 0 {
                        bind(dropEmpty, c, figures: false)
                        try dropEmpty.run()
                    }
                    continue
                }
            }
            bind(insert, c, figures: true)
            try insert.run()
        }
    }

    /// A week's figures for a municipality and Foranstalt (−1: none) under one integer, in the
    /// order of week, municipality, Foranstalt (both three digits in §52.2), as `v_week_stats` reads them.
    static func figuresKey(week: Int, _ g: WeekStatsDelta.Group) -> Int {
        (Int(WeekCalendar.monday(of: week).ordinal) * 1000 + g.komnr) * 10000 + (g.foranstalt ?? -1) + 1
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

    /// Where a stretch is filed in either week table (its primary key).
    struct StretchKey: Hashable, Comparable {
        let level: Int
        let start: Int32
        let version: Int64

        init(_ s: MeasureStretch) { (level, start, version) = (IntervalLevel.filed(s), s.start.ordinal, s.versionID) }
        init(level: Int, start: Int32, version: Int64) { (self.level, self.start, self.version) = (level, start, version) }

        static func < (a: Self, b: Self) -> Bool { (a.level, a.start, a.version) < (b.level, b.start, b.version) }

        /// The key as one integer in the same order (`Schema.stretchNumber`, which the views
        /// compute): `week_segment_superseded` lists the large table's replaced stretches by it,
        /// and a week's question probes that table's rowids once per stretch it reads.
        var number: Int64 {
            precondition(version >> Self.versionBits == 0 && start >= 0 && start >> Self.startBits == 0 && level < 64, "stretch key out of range")
            return (Int64(level) << Self.startBits + Int64(start)) << Self.versionBits + version
        }

        init(number: Int64) {
            version = number & (Int64(1) << Self.versionBits - 1)
            start = Int32(number >> Self.versionBits & (Int64(1) << Self.startBits - 1))
            level = Int(number >> (Self.versionBits + Self.startBits))
        }

        /// A version number below 2^40, a start (a day number, 1990–2100 in `DeliveryDate`)
        /// below 2^17, a level below 64: the number fits in 63 bits.
        static let versionBits = 40, startBits = 17
    }

    /// The order the write-down produces a person's stretches in: by version, then start.
    static func order(_ a: MeasureStretch, _ b: MeasureStretch) -> Bool { (a.versionID, a.start) < (b.versionID, b.start) }

    private static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

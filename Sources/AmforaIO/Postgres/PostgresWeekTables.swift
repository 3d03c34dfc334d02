import AmforaCore
import Foundation

/// SQLite's week tables (`WeekTables`) in PostgreSQL, kept in the write-down's transaction for
/// exactly the persons it recomputes: `amfora.week_segment` (each current measure's stretches at
/// one rate, filed by `IntervalLevel`) behind `v_activity_week` and `v_person_week`, and
/// `amfora.week_stats` (`WeekStatsDelta`) behind `v_week_stats`.
///
/// The recomputed persons' earlier stretches are read first, in one COPY (by the CPR index); of
/// a person's stretches only those that differ are deleted (by their key) and copied in; the
/// figures get the difference, computed beside (`WeekFiguresBeside`) and merged in by one statement. Rates
/// are kept in millionths of an hour, the figures' unit, so that the earlier stretches read back
/// are the very ones whose figures were added.
final class PostgresWeekTables: WeekIndex {
    private let connection: PostgresConnection
    private let keyer: PersonKey.Keyer
    /// The recomputed persons' stretches as filed; nil when every person is recomputed
    /// (`rebuilding`: the tables were emptied).
    private var earlier: [Int64: [MeasureStretch]]?
    private let figures = WeekFiguresBeside()
    /// The keys of a week's stretches gone (`WeekTables.StretchKey`), deleted before the new
    /// ones are copied in: only what differs, as in SQLite (all of a changed person's stretches
    /// took twice as long to write).
    private var gone: [(person: Int64, key: WeekTables.StretchKey)] = []
    /// A week's new stretches.
    private var new: [MeasureStretch] = []
    /// Rebuilding: every stretch streamed in as it comes (ten million would not fit in memory).
    private var stream: CopyStream?
    private var key: (person: Int64, text: String) = (-1, "")
    /// Seconds reading the earlier stretches, deleting the changed persons', copying the new
    /// ones, writing the figures; rows and changed weeks.
    private var measured = (reading: 0.0, deleting: 0.0, copying: 0.0, figures: 0.0, pending: 0, earlier: 0, gone: 0, new: 0, changedWeeks: 0)

    var timing: String {
        String(format: "week tables: %d persons recomputed, %d earlier stretches read in %.1f s, %d gone deleted in %.1f s, %d new copied in %.1f s, figures %.1f s (%d week rows)",
               measured.pending, measured.earlier, measured.reading, measured.gone, measured.deleting, measured.new, measured.copying, measured.figures, measured.changedWeeks)
    }

    /// `persons` nil: everyone, into emptied tables.
    init(_ c: PostgresConnection, persons: Set<Int>?, key: PersonKey) throws {
        connection = c
        keyer = key.keyer()
        if let persons {
            let t = Self.clock()
            measured.pending = persons.count
            earlier = try Self.stretches(c, of: persons)
            measured.reading = Self.clock() - t
            measured.earlier = earlier!.values.reduce(0) { $0 + $1.count }
        } else {
            try c.execute("TRUNCATE amfora.week_segment, amfora.week_stats")
            stream = try c.copyIn("amfora.week_segment", columns: Self.columns)
        }
    }

    /// Ends an unfinished COPY when the write-down fails, so that the connection can roll back.
    func abandon() {
        stream?.abort()
        stream = nil
    }

    func replace(person: Int64, measures stretches: [MeasureStretch]) throws {
        let filed = stretches.map(Self.filed)
        let old = earlier?.removeValue(forKey: person) ?? []
        guard old != filed else { return }
        figures.add(person: old, sign: -1)
        figures.add(person: filed, sign: 1)
        var changed: (gone: [MeasureStretch], new: [MeasureStretch]) = ([], [])
        WeekTables.difference(old, filed, by: WeekTables.order, into: &changed)
        gone += changed.gone.map { (person, WeekTables.StretchKey($0)) }
        if let stream {
            for s in filed { stream.add(row(s, stream)) }
        } else {
            new += changed.new
        }
    }

    /// Writes the changed persons' stretches and the corrected figures; `pending` are the
    /// recomputed persons, of whom those left without a current measure lose their stretches.
    func finish(pending: Set<Int>?) throws {
        for p in pending ?? [] where earlier?[Int64(p)] != nil { try replace(person: Int64(p), measures: []) }
        if let stream {
            self.stream = nil
            _ = try stream.finish()
        }
        figures.finishAdding()
        let t0 = Self.clock()
        if !gone.isEmpty {
            // Each by its person's index entries: a hash join read the whole table (3.5 s
            // nationally), the index by level and start holds a hundred stretches a key (19 s),
            // the person's index a few (1.4 s).
            try connection.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            try connection.run("""
                DELETE FROM amfora.week_segment s
                USING unnest(?::bigint[], ?::smallint[], ?::integer[], ?::bigint[]) AS g(cprnr, level, start_date, version_id)
                WHERE s.cprnr = g.cprnr AND s.level = g.level AND s.start_date = g.start_date AND s.version_id = g.version_id
                """, [.text(connection.idList(gone.map(\.person))), .text(connection.idList(gone.map { Int64($0.key.level) })),
                      .text(connection.idList(gone.map { Int64($0.key.start) })), .text(connection.idList(gone.map(\.key.version)))])
            try connection.execute("RESET enable_hashjoin; RESET enable_mergejoin")
        }
        let t1 = Self.clock()
        if !new.isEmpty {
            measured.new = try connection.copy(into: "amfora.week_segment", columns: Self.columns) { stream in
                for s in new { stream.add(row(s, stream)) }
            }
            new = []
        }
        let t2 = Self.clock()
        let changes = figures.changes()
        measured.changedWeeks = changes.count
        try writeFigures(changes)
        (measured.gone, measured.deleting, measured.copying, measured.figures) = (gone.count, t1 - t0, t2 - t1, Self.clock() - t2)
        if earlier == nil { try connection.execute("DELETE FROM amfora.week_tables_state; INSERT INTO amfora.week_tables_state VALUES (true)") }
    }

    /// Whether the write-down has filled the tables (after migration 4 it has not yet).
    static func filled(_ c: PostgresConnection) throws -> Bool {
        try c.scalar("SELECT count(*) FROM amfora.week_tables_state") ?? 0 > 0
    }

    private func row(_ s: MeasureStretch, _ stream: CopyStream) -> CopyRow {
        if s.person != key.person { key = (s.person, keyer.of(cpr: Int(s.person))) }
        var r = stream.row()
        r.append(Int64(IntervalLevel.filed(s)))
        r.append(Int64(s.start.ordinal))
        r.append(s.versionID)
        r.append(Int64(s.end.ordinal))
        r.append(s.person)
        r.append(key.text)
        r.append(Int64(s.komnr))
        r.append(s.foranstalt.map(Int64.init))
        r.append(s.activityID)
        r.append(Int64(s.hours))
        r.append(s.rate.map(Self.micro))
        return r
    }

    /// The figures' changes added where a week's row exists, inserted where not; rows left
    /// without a measure are removed, as SQLite's are.
    private func writeFigures(_ changes: [WeekStatsDelta.Change]) throws {
        guard !changes.isEmpty else { return }
        let columns = ["week_start", "komnr", "foranstalt", "persons", "measures", "hour_days", "micro_hour_days"]
        let rebuilding = earlier == nil
        let target = rebuilding ? "amfora.week_stats" : "week_stats_change"
        if !rebuilding {
            try connection.execute("CREATE TEMP TABLE week_stats_change (LIKE amfora.week_stats) ON COMMIT DROP")
        }
        try connection.copy(into: target, columns: columns) { stream in
            for c in changes {
                var r = stream.row()
                r.append(Int64(WeekCalendar.monday(of: c.week).ordinal))
                r.append(Int64(c.group.komnr))
                r.append(Int64(c.group.foranstalt ?? -1))
                r.append(Int64(c.persons))
                r.append(Int64(c.measures))
                r.append(c.hourDays)
                r.append(c.microHourDays)
                stream.add(r)
            }
        }
        guard !rebuilding else { return }
        // One join of the changes with the figures (MERGE: 2.6 s for a national Friday's 1.7
        // million changed rows; INSERT … ON CONFLICT probed the key for each, 3.9 s). The
        // statistics let the planner see that most of the table changes.
        try connection.execute("""
            ANALYZE week_stats_change;
            MERGE INTO amfora.week_stats t USING week_stats_change c
                ON t.week_start = c.week_start AND t.komnr = c.komnr AND t.foranstalt = c.foranstalt
            WHEN MATCHED THEN UPDATE SET persons = t.persons + c.persons, measures = t.measures + c.measures,
                hour_days = t.hour_days + c.hour_days, micro_hour_days = t.micro_hour_days + c.micro_hour_days
            WHEN NOT MATCHED THEN INSERT VALUES (c.week_start, c.komnr, c.foranstalt, c.persons, c.measures, c.hour_days, c.micro_hour_days);
            DELETE FROM amfora.week_stats t USING week_stats_change c
            WHERE c.measures < 0 AND t.week_start = c.week_start AND t.komnr = c.komnr AND t.foranstalt = c.foranstalt AND t.measures = 0;
            DROP TABLE week_stats_change;
            """)
    }

    static let columns = ["level", "start_date", "version_id", "end_date", "cprnr", "person_key", "komnr", "foranstalt",
                          "activity_id", "hours", "micro_rate"]

    /// Up to this many persons' stretches are read through the CPR index, more by a pass over the
    /// table: 250,000 random persons' took 1.3 s by the index, the pass over a national table 4.9 s.
    static let byIndexUpTo = 1_000_000

    /// The persons' stretches as filed, by person: through the CPR index for a week's persons,
    /// by one pass over the table for very many (as `PostgresWriteDown.currentMeasures`).
    static func stretches(_ c: PostgresConnection, of persons: Set<Int>) throws -> [Int64: [MeasureStretch]] {
        var out: [Int64: [MeasureStretch]] = [:]
        guard !persons.isEmpty else { return out }
        let only = persons.count <= byIndexUpTo ? " WHERE cprnr = ANY('\(c.idList(persons.sorted().map(Int64.init)))'::bigint[])" : ""
        var v: [Int64?] = []
        try c.copyOut("SELECT level, start_date, version_id, end_date, cprnr, komnr, foranstalt, activity_id, hours, micro_rate FROM amfora.week_segment" + only) { row in
            CopyIntegers.parse(row, into: &v)
            guard v.count == 10, let level = v[0], let start = v[1], let version = v[2], let end = v[3], let person = v[4],
                  persons.contains(Int(person)) else { return }
            out[person, default: []].append(MeasureStretch(
                versionID: version, activityID: v[7] ?? 0, person: person, komnr: Int(v[5] ?? 0), foranstalt: v[6].map(Int.init),
                start: Day(ordinal: Int32(start)), end: Day(ordinal: Int32(end)), hours: Int(v[8] ?? 0),
                rate: v[9].map { Double($0) / 1_000_000 }, together: level >= IntervalLevel.together))
        }
        // In the order the write-down makes them (`WeekTables.order`), to compare.
        for k in out.keys { out[k]!.sort(by: WeekTables.order) }
        return out
    }

    /// The stretch as it is filed: its rate in whole millionths of an hour.
    static func filed(_ s: MeasureStretch) -> MeasureStretch {
        guard let rate = s.rate else { return s }
        return MeasureStretch(versionID: s.versionID, activityID: s.activityID, person: s.person, komnr: s.komnr,
                              foranstalt: s.foranstalt, start: s.start, end: s.end, hours: s.hours,
                              rate: Double(micro(rate)) / 1_000_000, together: s.together)
    }

    static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func micro(_ rate: Double) -> Int64 { Int64((rate * 1_000_000).rounded()) }
}

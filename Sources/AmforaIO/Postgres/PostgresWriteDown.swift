public import AmforaCore
import Foundation

/// The write-down stage (`WriteDownStage`) in PostgreSQL: the same pure write-down and the same
/// `SegmentWriter`, its rows copied in, and the week tables kept for the same persons
/// (`PostgresWeekTables`).
public enum PostgresWriteDown {
    /// Recomputes every person a load left pending (`PendingWork`) and forgets them, in one
    /// transaction (`everyone`: all persons, as after a first Friday, or when the week tables
    /// were never filled). Nil when nothing is pending.
    public static func applyPending(_ w: PostgresWarehouse, everyone: Bool = false) throws -> WriteDownSummary? {
        let c = w.connection
        return try c.transaction {
            let unfilled = try !PostgresWeekTables.filled(c)
            guard try PendingWork.anyPersons(c) || everyone || unfilled else { return nil }
            let all = everyone || unfilled
            let persons = all ? [] : try PendingWork.persons(c)
            let summary = try recompute(c, persons: all || persons.count > 1_000_000 ? nil : persons, key: w.personKey)
            try PendingWork.forgetPersons(c)
            return summary
        }
    }

    static func recompute(_ c: PostgresConnection, persons: Set<Int>?, key: PersonKey) throws -> WriteDownSummary {
        if let persons {
            let list = c.idList(persons.map(Int64.init))
            try c.run("DELETE FROM writedown_segment WHERE version_id IN (SELECT version_id FROM writedown WHERE cprnr = ANY(?::bigint[]))", [.text(list)])
            try c.run("DELETE FROM writedown WHERE cprnr = ANY(?::bigint[])", [.text(list)])
        } else {
            try c.execute("TRUNCATE writedown, writedown_segment")
        }
        let t = PostgresWeekTables.clock()
        let measures = try currentMeasures(c, of: persons)
        let reading = PostgresWeekTables.clock() - t
        let weeks = try PostgresWeekTables(c, persons: persons, key: key)
        var writer = SegmentWriter(rows: PostgresWriteDownRows(), weeks: weeks)
        do {
            for m in measures { try writer.add(m) }
            try writer.finish()
        } catch {
            weeks.abandon()
            throw error
        }
        try weeks.finish(pending: persons)
        try writer.rows.copy(into: c)
        var summary = writer.summary
        summary.weekTables = String(format: "%d current measures read in %.1f s; ", measures.count, reading) + weeks.timing
        return summary
    }

    /// Up to this many persons are looked up by index, more by a pass over every measure.
    static let byIndexUpTo = 1_000_000

    /// The current measures of `persons` (nil: everyone), by person, streamed out of the table.
    static func currentMeasures(_ c: PostgresConnection, of persons: Set<Int>?) throws -> [CurrentMeasure] {
        var all: [CurrentMeasure] = []
        var v: [Int64?] = []
        // A week's persons by the index on the CPR number (an array of numbers in the text: COPY
        // takes no parameters); everyone, or very many, by one pass over the table.
        let only = persons.flatMap { $0.count <= byIndexUpTo ? " AND cprnr = ANY('\(c.idList($0.sorted().map(Int64.init)))'::bigint[])" : nil } ?? ""
        try c.copyOut("SELECT cprnr, version_id, startdt, slutdt, timetal, activity_id, komnr, foranstalt FROM amfora.activity WHERE closed_in IS NULL" + only) { row in
            CopyIntegers.parse(row, into: &v)
            guard v.count == 8, let person = v[0], let id = v[1], let start = v[2], let end = v[3], let hours = v[4] else { return }
            if let persons, !persons.contains(Int(person)) { return }
            all.append(CurrentMeasure(person: person,
                                      measure: WriteDown.Measure(id: Int(id), start: Day(ordinal: Int32(start)), end: Day(ordinal: Int32(end)), hours: Int(hours)),
                                      activityID: v[5] ?? 0, komnr: Int32(truncatingIfNeeded: v[6] ?? 0),
                                      foranstalt: v[7].map { Int32(truncatingIfNeeded: $0) } ?? -1))
        }
        CurrentMeasure.sortByPerson(&all)
        return all
    }
}

/// The write-down's rows gathered while the persons are written down, then copied in by one COPY
/// per table (one connection carries one COPY at a time, and the two kinds of row interleave).
struct PostgresWriteDownRows: WriteDownRows {
    private var averages: [(version: Int, person: Int64, hours: Int, writtenDown: Double, komnr: Int32)] = []
    private var segments: [(version: Int, segment: WriteDown.Segment)] = []

    mutating func average(version: Int, person: Int64, hours: Int, writtenDown: Double, komnr: Int32) throws {
        averages.append((version, person, hours, writtenDown, komnr))
    }

    mutating func segment(version: Int, _ s: WriteDown.Segment) throws {
        segments.append((version, s))
    }

    func copy(into c: PostgresConnection) throws {
        try c.copy(into: "writedown", columns: ["version_id", "cprnr", "hours", "hours_written_down", "komnr"]) { stream in
            for a in averages {
                var r = stream.row()
                r.append(Int64(a.version))
                r.append(a.person)
                r.append(Int64(a.hours))
                r.append(a.writtenDown)
                r.append(Int64(a.komnr))
                stream.add(r)
            }
        }
        try c.copy(into: "writedown_segment", columns: ["version_id", "start_date", "end_date", "rate"]) { stream in
            for (version, s) in segments {
                var r = stream.row()
                r.append(Int64(version))
                r.append(Int64(s.start.ordinal))
                r.append(Int64(s.end.ordinal))
                r.append(s.rate)
                stream.add(r)
            }
        }
    }
}

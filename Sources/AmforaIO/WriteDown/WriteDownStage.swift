public import AmforaCore
import Foundation

/// Applies the 37-hour write-down (AmforaCore/WriteDown) to the warehouse: per person across
/// all municipalities, for the persons whose current records changed — or for everyone.
///
/// There is no index by person: the load would write a random page of it for every new version
/// (and, with `closed_in` in it, for every closed one), about half of what a weekly load wrote.
/// The measures come from one pass over the table instead, sorted here by person.
public enum WriteDownStage {
    /// `persons == nil` recomputes everyone (first load, or when most persons changed).
    public static func apply(_ db: Database, persons: Set<Int>?) throws -> WriteDownSummary {
        try db.transaction { try recompute(db, persons: persons) }
    }

    private static func recompute(_ db: Database, persons: Set<Int>?) throws -> WriteDownSummary {
        var writer = try SegmentWriter(db)
        if let persons {
            try forgetWriteDown(db, of: persons)
        } else {
            try db.execute("DELETE FROM writedown; DELETE FROM writedown_segment;")
        }
        for (person, m) in try currentMeasures(db, of: persons) { try writer.add(person: person, m) }
        try writer.finish()
        return writer.summary
    }

    /// Recomputes every person a load left pending (`PendingWork`) and forgets them, in one
    /// transaction. `everyone`: all persons (a first Friday), which is also taken when more than a
    /// million are pending, since clearing the whole write-down is then cheaper than forgetting
    /// that many persons' rows one by one. Nil when nothing is pending.
    public static func applyPending(_ db: Database, everyone: Bool = false) throws -> WriteDownSummary? {
        try db.transaction {
            guard try PendingWork.anyPersons(db) else { return nil }
            let persons = everyone ? [] : try PendingWork.persons(db)
            let summary = try recompute(db, persons: everyone || persons.count > 1_000_000 ? nil : persons)
            try PendingWork.forgetPersons(db)
            return summary
        }
    }

    /// Removes the affected persons' earlier write-down. It is found by the person kept with each
    /// written-down version, in one pass over the (small) write-down: going through each person's
    /// versions would cost a lookup each.
    static func forgetWriteDown(_ db: Database, of persons: Set<Int>) throws {
        var versions: [Int64] = []
        let rows = try db.prepare("SELECT version_id, cprnr FROM writedown")
        while try rows.step() {
            if persons.contains(Int(rows.int(1))) { versions.append(rows.int(0)) }
        }
        let deleteAverage = try db.prepare("DELETE FROM writedown WHERE version_id = ?")
        let deleteSegments = try db.prepare("DELETE FROM writedown_segment WHERE version_id = ?")
        for v in versions {
            for s in [deleteAverage, deleteSegments] {
                s.bind(Int(v), at: 1)
                try s.run()
            }
        }
    }

    /// The current measures of `persons` (nil: everyone), by person: one pass over the table and
    /// a sort in memory (32 bytes a measure). For a Friday's quarter of a million affected
    /// persons the pass costs no more than looking their measures up through an index by person would.
    static func currentMeasures(_ db: Database, of persons: Set<Int>?) throws -> [(person: Int64, measure: WriteDown.Measure)] {
        var all: [(person: Int64, measure: WriteDown.Measure)] = []
        if persons == nil {
            all.reserveCapacity(Int(try db.scalar("SELECT count(*) FROM activity WHERE closed_in IS NULL") ?? 0))
        }
        let rows = try db.prepare("SELECT cprnr, version_id, startdt, slutdt, timetal FROM activity NOT INDEXED WHERE closed_in IS NULL")
        while try rows.step() {
            let person = rows.int(0)
            if let persons, !persons.contains(Int(person)) { continue }
            all.append((person, measure(rows)))
        }
        all.sort { ($0.person, $0.measure.id) < ($1.person, $1.measure.id) }
        return all
    }

    private static func measure(_ row: Statement) -> WriteDown.Measure {
        WriteDown.Measure(id: Int(row.int(1)), start: Day(ordinal: Int32(row.int(2))),
                          end: Day(ordinal: Int32(row.int(3))), hours: Int(row.int(4)))
    }
}

/// Collects one person's measures at a time (they arrive grouped by person) and writes the
/// written-down ones: the average hours per version and its segments.
private struct SegmentWriter {
    private let insertAverage: Statement
    private let insertSegment: Statement
    private var person: Int64?
    private var measures: [WriteDown.Measure] = []
    private(set) var summary = WriteDownSummary()

    init(_ db: Database) throws {
        insertAverage = try db.prepare("INSERT INTO writedown (version_id, cprnr, hours, hours_written_down) VALUES (?, ?, ?, ?)")
        insertSegment = try db.prepare("INSERT INTO writedown_segment (version_id, start_date, end_date, rate) VALUES (?, ?, ?, ?)")
    }

    mutating func add(person cpr: Int64, _ m: WriteDown.Measure) throws {
        if cpr != person {
            try finish()
            person = cpr
        }
        measures.append(m)
    }

    mutating func finish() throws {
        guard !measures.isEmpty, let cpr = person else { return }
        summary.persons += 1
        summary.records += measures.count
        var any = false
        for (m, r) in zip(measures, WriteDown.person(measures)) where r.averageHours < Double(m.hours) {
            any = true
            summary.writtenDownRecords += 1
            summary.hoursRemoved += Double(m.hours) - r.averageHours
            insertAverage.bind(m.id, at: 1)
            insertAverage.bind(Int(cpr), at: 2)
            insertAverage.bind(m.hours, at: 3)
            insertAverage.bind(r.averageHours, at: 4)
            try insertAverage.run()
            for s in r.segments {
                insertSegment.bind(m.id, at: 1)
                insertSegment.bind(Int(s.start.ordinal), at: 2)
                insertSegment.bind(Int(s.end.ordinal), at: 3)
                insertSegment.bind(s.rate, at: 4)
                try insertSegment.run()
            }
        }
        if any { summary.writtenDownPersons += 1 }
        measures.removeAll(keepingCapacity: true)
    }
}

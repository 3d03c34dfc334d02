public import AmforaCore
import Foundation

/// Applies the 37-hour write-down (AmforaCore/WriteDown) to the warehouse: per person across
/// all municipalities, for the persons whose current records changed — or for everyone — and
/// keeps the week tables (`WeekTables`) in step for exactly those persons.
///
/// There is no index by person on the measures: the load would write a random page of it for
/// every new version (and, with `closed_in` in it, for every closed one), about half of what a
/// weekly load wrote. The measures come from one pass over the current-version index instead
/// (it holds the dataset in force and no closed version), sorted here by person.
public enum WriteDownStage {
    /// `persons == nil` recomputes everyone (first load, or when most persons changed).
    public static func apply(_ db: Database, persons: Set<Int>?) throws -> WriteDownSummary {
        try db.withScratchOnDisk { try db.transaction { try recompute(db, persons: persons) } }
    }

    private static func recompute(_ db: Database, persons: Set<Int>?) throws -> WriteDownSummary {
        let weeks = try WeekTables(db, persons: persons)
        var writer = SegmentWriter(rows: try SQLiteWriteDownRows(db), weeks: weeks)
        if let persons {
            try forgetWriteDown(db, of: persons)
        } else {
            try db.execute("DELETE FROM writedown; DELETE FROM writedown_segment;")
        }
        var inForce = 0
        for m in try currentMeasures(db, of: persons, counting: &inForce) { try writer.add(m) }
        try writer.finish()
        // A pending person with no current measure left still loses their earlier week rows.
        for p in persons ?? [] where !writer.seen.contains(Int64(p)) { try weeks.replace(person: Int64(p), measures: []) }
        try weeks.finish()
        if persons != nil { try WeekTables.compactIfOvergrown(db, measuresInForce: inForce) }
        var summary = writer.summary
        summary.weekTables = weeks.timing
        return summary
    }

    /// Recomputes every person a load left pending (`PendingWork`) and forgets them, in one
    /// transaction. `everyone`: all persons (a first Friday, or a warehouse whose week tables were
    /// never built), which is also taken when more than a million are pending, since clearing the
    /// whole write-down is then cheaper than forgetting that many persons' rows one by one.
    /// Nil when nothing is pending.
    public static func applyPending(_ db: Database, everyone: Bool = false) throws -> WriteDownSummary? {
        try db.withScratchOnDisk { try db.transaction {
            let unbuilt = try !WeekTables.built(db)
            guard try PendingWork.anyPersons(db) || unbuilt else { return nil }
            let all = everyone || unbuilt
            let persons = all ? [] : try PendingWork.persons(db)
            let summary = try recompute(db, persons: all || persons.count > 1_000_000 ? nil : persons)
            try PendingWork.forgetPersons(db)
            return summary
        } }
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

    /// The current measures of `persons` (nil: everyone), by person: one pass over the
    /// current-version index (`Schema.currentIndex`) and a sort in memory. For a Friday's quarter
    /// of a million affected persons the pass costs no more than looking their measures up
    /// through an index by person would.
    static func currentMeasures(_ db: Database, of persons: Set<Int>?, counting inForce: inout Int) throws -> [CurrentMeasure] {
        var all: [CurrentMeasure] = []
        if persons == nil {
            all.reserveCapacity(Int(try db.scalar("SELECT count(*) FROM activity WHERE closed_in IS NULL") ?? 0))
        }
        let rows = try db.prepare(currentMeasuresQuery)
        while try rows.step() {
            inForce += 1
            let person = rows.int(0)
            if let persons, !persons.contains(Int(person)) { continue }
            all.append(CurrentMeasure(person: person, measure: measure(rows), activityID: rows.int(5), komnr: Int32(truncatingIfNeeded: rows.int(6)),
                                      foranstalt: rows.isNull(7) ? -1 : Int32(truncatingIfNeeded: rows.int(7))))
        }
        CurrentMeasure.sortByPerson(&all)
        return all
    }

    /// Read from the index alone: a plan test checks that it covers the query.
    static let currentMeasuresQuery = """
        SELECT cprnr, version_id, startdt, slutdt, timetal, activity_id, komnr,
               CASE WHEN typeof(foranstalt) = 'integer' THEN foranstalt END
        FROM activity INDEXED BY activity_current WHERE closed_in IS NULL
        """

    private static func measure(_ row: Statement) -> WriteDown.Measure {
        WriteDown.Measure(id: Int(row.int(1)), start: Day(ordinal: Int32(row.int(2))),
                          end: Day(ordinal: Int32(row.int(3))), hours: Int(row.int(4)))
    }
}

/// A current measure as the write-down and the week tables read it (56 bytes: a first Friday
/// holds ten million).
struct CurrentMeasure {
    let person: Int64
    let measure: WriteDown.Measure
    let activityID: Int64
    let komnr: Int32
    /// −1: no code in the field (a value kept with a warning as delivered).
    let foranstalt: Int32

    /// Grouped by person, each person's in version order: how `SegmentWriter` takes them.
    static func sortByPerson(_ all: inout [CurrentMeasure]) {
        all.sort { ($0.person, $0.measure.id) < ($1.person, $1.measure.id) }
    }
}

/// Where the write-down's rows go: a written-down version's average hours and its segments.
protocol WriteDownRows {
    mutating func average(version: Int, person: Int64, hours: Int, writtenDown: Double, komnr: Int32) throws
    mutating func segment(version: Int, _ s: WriteDown.Segment) throws
}

/// Where a person's stretches go for the week questions (`WeekTables`; none in a warehouse
/// without them).
protocol WeekIndex {
    func replace(person: Int64, measures new: [MeasureStretch]) throws
}

extension WeekTables: WeekIndex {}

/// The write-down's rows in SQLite, by two prepared statements.
struct SQLiteWriteDownRows: WriteDownRows {
    private let insertAverage: Statement
    private let insertSegment: Statement

    init(_ db: Database) throws {
        insertAverage = try db.prepare("INSERT INTO writedown (version_id, cprnr, hours, hours_written_down, komnr) VALUES (?, ?, ?, ?, ?)")
        insertSegment = try db.prepare("INSERT INTO writedown_segment (version_id, start_date, end_date, rate) VALUES (?, ?, ?, ?)")
    }

    func average(version: Int, person: Int64, hours: Int, writtenDown: Double, komnr: Int32) throws {
        insertAverage.bind(version, at: 1)
        insertAverage.bind(Int(person), at: 2)
        insertAverage.bind(hours, at: 3)
        insertAverage.bind(writtenDown, at: 4)
        insertAverage.bind(Int(komnr), at: 5)
        try insertAverage.run()
    }

    func segment(version: Int, _ s: WriteDown.Segment) throws {
        insertSegment.bind(version, at: 1)
        insertSegment.bind(Int(s.start.ordinal), at: 2)
        insertSegment.bind(Int(s.end.ordinal), at: 3)
        insertSegment.bind(s.rate, at: 4)
        try insertSegment.run()
    }
}

/// Collects one person's measures at a time (they arrive grouped by person) and writes the
/// written-down ones — the average hours per version and its segments — and every measure's
/// stretches to the week index.
struct SegmentWriter<Rows: WriteDownRows, Weeks: WeekIndex> {
    private(set) var rows: Rows
    private let weeks: Weeks
    private var person: Int64?
    private var measures: [CurrentMeasure] = []
    private(set) var summary = WriteDownSummary()
    /// The persons written, so that the stage can clear those left without a measure.
    private(set) var seen: Set<Int64> = []

    init(rows: Rows, weeks: Weeks) {
        self.rows = rows
        self.weeks = weeks
    }

    mutating func add(_ m: CurrentMeasure) throws {
        if m.person != person {
            try finish()
            person = m.person
        }
        measures.append(m)
    }

    mutating func finish() throws {
        guard !measures.isEmpty, let cpr = person else { return }
        summary.persons += 1
        summary.records += measures.count
        seen.insert(cpr)
        let plain = measures.map(\.measure)
        var stretches: [MeasureStretch] = []
        var any = false
        for (c, r) in zip(measures, WriteDown.person(plain)) {
            let m = c.measure
            func stretch(_ s: Day, _ e: Day, _ rate: Double?) -> MeasureStretch {
                MeasureStretch(versionID: Int64(m.id), activityID: c.activityID, person: cpr, komnr: Int(c.komnr),
                               foranstalt: c.foranstalt < 0 ? nil : Int(c.foranstalt), start: s, end: e, hours: m.hours, rate: rate)
            }
            guard r.averageHours < Double(m.hours) else {
                if m.end >= m.start { stretches.append(stretch(m.start, m.end, nil)) }
                continue
            }
            // Every stretch of a written-down measure keeps its rate, so that "no rate" also
            // says "the measure's only stretch" (the week views group only the others).
            stretches += r.segments.map { stretch($0.start, $0.end, $0.rate) }
            any = true
            summary.writtenDownRecords += 1
            summary.hoursRemoved += Double(m.hours) - r.averageHours
            try rows.average(version: m.id, person: cpr, hours: m.hours, writtenDown: r.averageHours, komnr: c.komnr)
            for s in r.segments { try rows.segment(version: m.id, s) }
        }
        if any { summary.writtenDownPersons += 1 }
        try weeks.replace(person: cpr, measures: MeasureStretch.markingTogether(stretches.sorted(by: WeekTables.order)))
        measures.removeAll(keepingCapacity: true)
    }
}

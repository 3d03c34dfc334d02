import AmforaCore
import Foundation

/// The stretches the week tables hold for the persons a write-down recomputes, as they were
/// before it: read in one pass over the tables, on a read-only connection and a thread of its
/// own while the write-down reads the measures, so that the two passes share the two cores.
/// That connection sees the last commit, which is what the tables hold until `WeekTables`
/// writes at the end of the transaction. A warehouse in memory has no second connection; the
/// pass then runs on the caller's. The stretches in force are those of the recent table and
/// those of the large one not listed as superseded (`WeekTables`).
final class EarlierStretches {
    typealias Found = (byPerson: [Int64: [MeasureStretch]], recent: Set<WeekTables.StretchKey>)
    private let beside: ReadBeside<Found>?
    private var found: Found?

    init(_ db: Database, of persons: Set<Int>) throws {
        if db.canOpenAnother {
            beside = ReadBeside(db.path) { try Self.read($0, of: persons) }
        } else {
            beside = nil
            found = try Self.read(db, of: persons)
        }
    }

    /// The person's earlier stretches in `WeekTables.order` (none if the tables held none) and
    /// which of them lie in the recent table, once: waits for the pass on the first call.
    func take(_ person: Int64) throws -> (stretches: [MeasureStretch], recent: Set<WeekTables.StretchKey>) {
        if found == nil { found = try beside!.finish() }
        let stretches = found!.byPerson.removeValue(forKey: person) ?? []
        guard !found!.recent.isEmpty else { return (stretches, []) }
        return (stretches, Set(stretches.map(WeekTables.StretchKey.init).filter(found!.recent.contains)))
    }

    /// Up to this many persons (a rerun of one municipality) are looked up through the indexes
    /// by person, a few tens of microseconds each; more are found by one pass over the tables,
    /// about two seconds nationally however few they are.
    static let lookedUp = 40_000

    static func read(_ db: Database, of persons: Set<Int>, lookingUp lookup: Bool? = nil) throws -> Found {
        var out: Found = ([:], [])
        let columns = "CAST(cpr AS INTEGER), version_id, activity_id, CAST(komnr AS INTEGER), foranstalt, start_date, end_date, hours, rate, level"
        let lookup = lookup ?? (persons.count <= lookedUp)
        let whose = lookup ? "cpr = printf('%010d', ?1)" : "1"
        let q = try db.prepare("""
            SELECT \(columns), 0 FROM week_segment WHERE \(whose)
            UNION ALL SELECT \(columns), 1 FROM week_segment_recent WHERE \(whose)
            """)
        // Filtered here rather than by the views' anti-join: only the persons' rows are probed.
        var superseded = Set<Int64>()
        let listed = try db.prepare("SELECT stretch FROM week_segment_superseded")
        while try listed.step() { superseded.insert(listed.int(0)) }
        if lookup {
            for p in persons.sorted() {
                q.bind(p, at: 1)
                try collect(q, persons, superseded, into: &out)
            }
        } else {
            try collect(q, persons, superseded, into: &out)
        }
        for p in out.byPerson.keys { out.byPerson[p]!.sort(by: WeekTables.order) }
        return out
    }

    /// The rows of `q` (stepped to the end and reset) that belong to `persons` and are in force.
    private static func collect(_ q: Statement, _ persons: Set<Int>, _ superseded: Set<Int64>, into out: inout Found) throws {
        defer { q.reset() }
        while try q.step() {
            let person = q.int(0)
            guard persons.contains(Int(person)) else { continue }
            let recent = q.int(10) == 1
            if !recent, !superseded.isEmpty,
               superseded.contains(WeekTables.StretchKey(level: Int(q.int(9)), start: Int32(q.int(5)), version: q.int(1)).number) { continue }
            let s = MeasureStretch(
                versionID: q.int(1), activityID: q.int(2), person: person, komnr: Int(q.int(3)),
                foranstalt: q.isNull(4) ? nil : Int(q.int(4)), start: Day(ordinal: Int32(q.int(5))),
                end: Day(ordinal: Int32(q.int(6))), hours: Int(q.int(7)), rate: q.isNull(8) ? nil : q.double(8),
                together: q.int(9) >= IntervalLevel.together)
            out.byPerson[person, default: []].append(s)
            if recent { out.recent.insert(WeekTables.StretchKey(s)) }
        }
    }
}

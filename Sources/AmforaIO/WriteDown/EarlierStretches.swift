import AmforaCore
import Foundation

/// The stretches the week table holds for the persons a write-down recomputes, as they were
/// before it: read in one pass over the table, on a read-only connection and a thread of its
/// own while the write-down reads the measures, so that the two passes share the two cores.
/// That connection sees the last commit, which is what the table holds until `WeekTables`
/// writes at the end of the transaction. A warehouse in memory has no second connection; the
/// pass then runs on the caller's.
final class EarlierStretches {
    private let beside: ReadBeside<[Int64: [MeasureStretch]]>?
    private var byPerson: [Int64: [MeasureStretch]]?

    init(_ db: Database, of persons: Set<Int>) throws {
        if db.canOpenAnother {
            beside = ReadBeside(db.path) { try Self.read($0, of: persons) }
        } else {
            beside = nil
            byPerson = try Self.read(db, of: persons)
        }
    }

    /// The person's earlier stretches in `WeekTables.order` (none if the table held none),
    /// once: waits for the pass on the first call.
    func take(_ person: Int64) throws -> [MeasureStretch] {
        if byPerson == nil { byPerson = try beside!.finish() }
        return byPerson!.removeValue(forKey: person) ?? []
    }

    private static func read(_ db: Database, of persons: Set<Int>) throws -> [Int64: [MeasureStretch]] {
        var out: [Int64: [MeasureStretch]] = [:]
        let q = try db.prepare("SELECT CAST(cpr AS INTEGER), version_id, activity_id, CAST(komnr AS INTEGER), foranstalt, start_date, end_date, hours, rate, level FROM week_segment")
        while try q.step() {
            let person = q.int(0)
            guard persons.contains(Int(person)) else { continue }
            out[person, default: []].append(MeasureStretch(
                versionID: q.int(1), activityID: q.int(2), person: person, komnr: Int(q.int(3)),
                foranstalt: q.isNull(4) ? nil : Int(q.int(4)), start: Day(ordinal: Int32(q.int(5))),
                end: Day(ordinal: Int32(q.int(6))), hours: Int(q.int(7)), rate: q.isNull(8) ? nil : q.double(8),
                together: q.int(9) >= IntervalLevel.together))
        }
        for p in out.keys { out[p]!.sort(by: WeekTables.order) }
        return out
    }
}

public import AmforaCore
import Foundation

/// Applies the 37-hour write-down (AmforaCore/WriteDown) to the warehouse: per person across
/// all municipalities, for the persons whose current records changed — or for everyone.
public enum WriteDownStage {
    /// `persons == nil` recomputes everyone (first load, or when most persons changed).
    public static func apply(_ db: Database, persons: Set<Int>?) throws -> WriteDownSummary {
        try db.transaction {
            let select: String
            if let persons {
                try db.execute("CREATE TEMP TABLE IF NOT EXISTS affected (cpr INTEGER PRIMARY KEY); DELETE FROM affected;")
                let ins = try db.prepare("INSERT OR IGNORE INTO affected (cpr) VALUES (?)")
                for p in persons { ins.bind(p, at: 1); try ins.run() }
                // CROSS JOIN keeps the few affected persons as the outer loop: SQLite knows nothing
                // of the temp table's size and would otherwise scan every record.
                let versions = "SELECT a.version_id FROM affected p CROSS JOIN activity a ON a.cprnr = p.cpr"
                try db.execute("DELETE FROM writedown WHERE version_id IN (\(versions)); DELETE FROM writedown_segment WHERE version_id IN (\(versions));")
                select = """
                    SELECT a.cprnr, a.version_id, a.startdt, a.slutdt, a.timetal FROM affected p
                    CROSS JOIN activity a ON a.cprnr = p.cpr WHERE a.closed_in IS NULL ORDER BY p.cpr
                    """
            } else {
                try db.execute("DELETE FROM writedown; DELETE FROM writedown_segment;")
                select = "SELECT cprnr, version_id, startdt, slutdt, timetal FROM activity WHERE closed_in IS NULL ORDER BY cprnr"
            }
            let insertAverage = try db.prepare("INSERT INTO writedown (version_id, cprnr, hours, hours_written_down) VALUES (?, ?, ?, ?)")
            let insertSegment = try db.prepare("INSERT INTO writedown_segment (version_id, start_date, end_date, rate) VALUES (?, ?, ?, ?)")
            var outcome = WriteDownSummary()
            var person: Int64?
            var measures: [WriteDown.Measure] = []

            func flush() throws {
                guard !measures.isEmpty, let cpr = person else { return }
                outcome.persons += 1
                outcome.records += measures.count
                var any = false
                for (m, r) in zip(measures, WriteDown.person(measures)) where r.averageHours < Double(m.hours) {
                    any = true
                    outcome.writtenDownRecords += 1
                    outcome.hoursRemoved += Double(m.hours) - r.averageHours
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
                if any { outcome.writtenDownPersons += 1 }
                measures.removeAll(keepingCapacity: true)
            }

            let rows = try db.prepare(select)
            while try rows.step() {
                let cpr = rows.int(0)
                if cpr != person {
                    try flush()
                    person = cpr
                }
                measures.append(WriteDown.Measure(id: Int(rows.int(1)), start: Day(ordinal: Int32(rows.int(2))),
                                                  end: Day(ordinal: Int32(rows.int(3))), hours: Int(rows.int(4))))
            }
            try flush()
            return outcome
        }
    }
}

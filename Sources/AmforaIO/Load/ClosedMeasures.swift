/// Which measures (by activity id) had a version closed, and in which batch: the reconciliation
/// asks it of each measure that comes without a predecessor, to tell *reappeared* from *new*.
///
/// An index of closed versions by activity id answered that until migration 19, but activity
/// ids are hashes: a Friday's 21,000 closes landed on nearly every page of an index that grew by
/// as many entries every week, so each Friday cost more than the one before. Now the load writes
/// its closes into a small recent log (`activity_closed_recent`), whose pages are few, and
/// `amfora maintain` folds the log into the settled table (`activity_closed`) once it holds a
/// tenth as many entries, a sorted insert whose cost per Friday stays the same as history grows.
/// A question asks both tables. Both hold one row per measure and batch; a rerun takes its own
/// batch's rows out again with the closes it undoes (`EarlierLoad`).
enum ClosedMeasures {
    static let recent = "activity_closed_recent"
    static let settled = "activity_closed"
    /// The recent log is folded in once it holds this share of the settled table's entries.
    static let foldedAtShare = 0.1

    /// The tables and, from the closed versions a warehouse holds, the settled one's rows: the
    /// migration from the index, in each warehouse's words.
    static func migration(_ dialect: SQLDialect) -> String {
        let (schema, key, clustered) = dialect == .postgres ? ("amfora.", "bigint", "") : ("", "INTEGER", " WITHOUT ROWID")
        return [recent, settled].map {
            "CREATE TABLE \(schema)\($0) (activity_id \(key) NOT NULL, closed_in integer NOT NULL, PRIMARY KEY (activity_id, closed_in))\(clustered);"
        }.joined(separator: "\n") + """

            INSERT INTO \(schema)\(settled) (activity_id, closed_in) SELECT DISTINCT activity_id, closed_in FROM \(schema)activity
            WHERE closed_in IS NOT NULL ORDER BY activity_id, closed_in;
            DROP INDEX \(schema)activity_gone;
            """
    }

    /// Takes out the rows of `batch` for the measures of the versions `versions` (a subquery of
    /// version ids) before a rerun reopens them: only the last batch is ever rerun, so no other
    /// version of those measures is closed in it.
    static func forget(_ db: any WarehouseSQL, batch: Int, versions: String) throws {
        for table in [recent, settled] {
            try db.run("""
                DELETE FROM \(table) WHERE closed_in = \(batch)
                AND activity_id IN (SELECT activity_id FROM activity WHERE version_id IN (\(versions)))
                """, [])
        }
    }

    /// Folds the recent log into the settled table when it is due (`foldedAtShare`), in one
    /// transaction; returns the entries folded (0: not due).
    static func foldIfDue(_ db: Database) throws -> Int {
        let waiting = Int(try db.scalar("SELECT count(*) FROM \(recent)") ?? 0)
        let settledEntries = Int(try db.scalar("SELECT count(*) FROM \(settled)") ?? 0)
        guard waiting > 0, Double(waiting) >= foldedAtShare * Double(settledEntries) else { return 0 }
        try db.transaction {
            try db.execute("INSERT OR IGNORE INTO \(settled) SELECT activity_id, closed_in FROM \(recent) ORDER BY activity_id, closed_in")
            try db.execute("DELETE FROM \(recent)")
        }
        return waiting
    }
}

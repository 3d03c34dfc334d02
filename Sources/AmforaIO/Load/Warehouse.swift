import AmforaCore
import Foundation

/// The embedded SQLite warehouse: opened in WAL mode, created owner-only, migrated to the
/// current schema version on open.
public final class Warehouse {
    public let db: Database
    public let path: String

    public static var schemaVersion: Int { Schema.migrations.count }

    public init(path: String) throws {
        self.path = path
        db = try Database(path: path)
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;")
        if let pages = FaultPoints.maxPages { try db.execute("PRAGMA max_page_count = \(pages)") }
        try migrate()
        try ensureIndexes()
        // SQLite creates the -wal and -shm files with the database's mode, but be explicit.
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    func migrate() throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        let current = Int(try db.scalar("SELECT max(version) FROM schema_version") ?? 0)
        guard current < Schema.migrations.count else { return }
        try db.transaction {
            for (i, sql) in Schema.migrations.enumerated() where i >= current {
                try db.execute(sql)
                try db.execute("INSERT INTO schema_version (version) VALUES (\(i + 1))")
            }
            if current == 0 { try fillCalendar() }
        }
    }

    /// Builds the bulk indexes that are missing (after a first load, or one that was killed).
    public func ensureIndexes() throws {
        for index in Schema.bulkIndexes { try db.execute(index.sql) }
    }

    /// Before a first load into an empty warehouse: drop the bulk indexes (see `Schema.bulkIndexes`).
    public func dropIndexesForFirstLoad() throws {
        guard try db.scalar("SELECT count(*) FROM activity") == 0 else { return }
        for index in Schema.bulkIndexes { try db.execute("DROP INDEX IF EXISTS \(index.name)") }
    }

    /// ISO weeks from 1989 to 2101, for the week views.
    func fillCalendar() throws {
        let insert = try db.prepare("INSERT INTO iso_week (week_start, week_end, iso_week) VALUES (?, ?, ?)")
        var monday = Day(year: 1989, month: 1, day: 2)!  // a Monday
        let end = Day(year: 2102, month: 1, day: 1)!
        while monday < end {
            insert.bind(Int(monday.ordinal), at: 1)
            insert.bind(Int(monday.ordinal) + 6, at: 2)
            insert.bind(monday.isoWeek, at: 3)
            try insert.run()
            monday = monday + 7
        }
    }
}

import AmforaCore
import Foundation

/// Upkeep between Fridays (`amfora maintain`): the recent week table folded into the large one
/// once it holds a tenth as many stretches (`WeekTables.compactIfDue`), the recent log of closes
/// likewise (`ClosedMeasures.foldIfDue`), fresh planner statistics
/// (`PRAGMA optimize`), the write-ahead log folded into the warehouse and truncated, and — when
/// asked, since it rewrites the whole file — the free pages given back to the file system
/// (`VACUUM`). The caller holds the run lock.
public enum WarehouseMaintenance {
    public struct Result: Sendable, Equatable {
        public var bytesBefore: Int64
        public var bytesAfter: Int64
        public var walBefore: Int64
        public var walAfter: Int64
        public var freePagesBefore: Int
        public var freePagesAfter: Int
        public var vacuumed: Bool
        public var seconds: Double
        /// Stretches folded from the recent week table into the large one (0: not yet due).
        public var weekStretchesFolded: Int = 0
        /// Closes folded from the recent log into the settled table (`ClosedMeasures`; 0: not yet due).
        public var closesFolded: Int = 0
    }

    public static func run(_ warehouse: Warehouse, vacuum: Bool) throws -> Result {
        let started = Date()
        let db = warehouse.db
        func size(_ path: String) -> Int64 {
            var st = stat()
            return lstat(path, &st) == 0 ? Int64(st.st_size) : 0
        }
        var r = Result(bytesBefore: size(warehouse.path), bytesAfter: 0, walBefore: size(warehouse.path + "-wal"), walAfter: 0,
                       freePagesBefore: Int(try db.scalar("PRAGMA freelist_count") ?? 0), freePagesAfter: 0, vacuumed: vacuum, seconds: 0)
        r.weekStretchesFolded = try WeekTables.compactIfDue(db)
        r.closesFolded = try ClosedMeasures.foldIfDue(db)
        try db.execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
        if vacuum { try db.execute("VACUUM") }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        r.freePagesAfter = Int(try db.scalar("PRAGMA freelist_count") ?? 0)
        r.bytesAfter = size(warehouse.path)
        r.walAfter = size(warehouse.path + "-wal")
        r.seconds = Date().timeIntervalSince(started)
        return r
    }

    public static func line(_ r: Result) -> String {
        let free = r.vacuumed ? "\(r.freePagesBefore) free pages given back" : "\(r.freePagesAfter) free pages (amfora maintain --vacuum gives them back)"
        let weeks = (r.weekStretchesFolded > 0 ? "\(r.weekStretchesFolded) recent week stretches folded in, " : "")
            + (r.closesFolded > 0 ? "\(r.closesFolded) recent closes folded in, " : "")
        return "maintained: \(weeks)statistics refreshed, write-ahead log \(ByteCountText.of(r.walBefore)) → \(ByteCountText.of(r.walAfter)), "
            + "\(free); warehouse \(ByteCountText.of(r.bytesBefore)) → \(ByteCountText.of(r.bytesAfter)) in \(String(format: "%.1f", r.seconds)) s"
    }
}

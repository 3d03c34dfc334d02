import AmforaCore
import Foundation

/// Upkeep between Fridays (`amfora maintain`): the recent week table folded into the large one
/// once it holds a tenth as many stretches (`WeekTables.compact`), fresh planner statistics
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
    }

    /// The recent week table is folded in once it holds this share of the large one's stretches:
    /// each Friday's changes then leave the large table's index by person alone, and a week's
    /// question reads at most about a tenth more rows.
    public static let compactionShare = 0.1

    public static func run(_ warehouse: Warehouse, vacuum: Bool) throws -> Result {
        let started = Date()
        let db = warehouse.db
        func size(_ path: String) -> Int64 {
            var st = stat()
            return lstat(path, &st) == 0 ? Int64(st.st_size) : 0
        }
        var r = Result(bytesBefore: size(warehouse.path), bytesAfter: 0, walBefore: size(warehouse.path + "-wal"), walAfter: 0,
                       freePagesBefore: Int(try db.scalar("PRAGMA freelist_count") ?? 0), freePagesAfter: 0, vacuumed: vacuum, seconds: 0)
        let weeks = try WeekTables.sizes(db)
        if weeks.recent > 0, Double(weeks.recent) >= compactionShare * Double(weeks.large) {
            r.weekStretchesFolded = try db.transaction { try WeekTables.compact(db).folded }
        }
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
        let weeks = r.weekStretchesFolded > 0 ? "\(r.weekStretchesFolded) recent week stretches folded in, " : ""
        return "maintained: \(weeks)statistics refreshed, write-ahead log \(ByteCountText.of(r.walBefore)) → \(ByteCountText.of(r.walAfter)), "
            + "\(free); warehouse \(ByteCountText.of(r.bytesBefore)) → \(ByteCountText.of(r.bytesAfter)) in \(String(format: "%.1f", r.seconds)) s"
    }
}

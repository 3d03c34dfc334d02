public import AmforaCore
import Foundation

/// The warehouse a pass writes, an SQLite file or a PostgreSQL server (`postgresql://…`), and the
/// few steps in which the two differ: the lock, how a delivery is loaded, the write-down and the
/// reconciliation's bulk. The run's bookkeeping, its pending work and the report are written once
/// over `WarehouseSQL` (`sql`).
public enum RunWarehouse {
    case sqlite(Warehouse)
    case postgres(PostgresWarehouse)

    public var sql: any WarehouseSQL {
        switch self {
        case .sqlite(let w): w.db
        case .postgres(let p): p.connection
        }
    }

    /// Opens the warehouse a request names and takes its run lock, which `lock` holds: a file
    /// lock beside an SQLite file (taken before the file is opened, since opening may migrate), a
    /// session advisory lock in PostgreSQL. Both die with the process, however it ends.
    public static func open(_ warehouse: String, config: RunConfig, purpose: String) throws -> (RunWarehouse, lock: AnyObject) {
        guard PostgresLocation.isPostgres(warehouse) else {
            let lock = try RunLock(warehouse: warehouse, purpose: purpose)
            return (.sqlite(try Warehouse(path: warehouse)), lock)
        }
        let p = try openPostgres(warehouse, config: config)
        guard try p.connection.tryAdvisoryLock(runLock) else {
            let pid = try p.connection.scalar("""
                SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
                """, [String(runLock)])
            throw RunLock.Held(holder: pid.map { "the PostgreSQL session of server process \($0)" } ?? "a PostgreSQL session that has just ended")
        }
        return (.postgres(p), p)
    }

    /// The PostgreSQL warehouse, with the person key of the config (`person_key_file`).
    public static func openPostgres(_ url: String, config: RunConfig) throws -> PostgresWarehouse {
        let location = try PostgresLocation(url)  // a password in the URL is refused first
        guard let keyFile = config.personKeyFile else { throw RunError.noPersonKey }
        return try PostgresWarehouse(location, personKey: PersonKey.load(keyFile))
    }

    /// The session advisory lock of a pass ("amforarun" in ASCII, beside migrations' "amfora").
    static let runLock: Int64 = 0x61_6D66_6F72_6172

    /// Where delivered files are kept: `archive` in the config, else beside the SQLite file;
    /// a PostgreSQL warehouse without one keeps them in `warehouse/amfora.archive`.
    public static func archiveDirectory(_ warehouse: String, config: RunConfig) -> String {
        if let d = config.archiveDirectory { return d }
        return PostgresLocation.isPostgres(warehouse) ? "warehouse/amfora.archive" : DeliveryArchive.directory(beside: warehouse)
    }

    /// The directory an SQLite warehouse file lies in, where its inbox goes by default; none
    /// ("") for a server.
    public static func directory(of warehouse: String) -> String {
        PostgresLocation.isPostgres(warehouse) ? "" : (warehouse as NSString).deletingLastPathComponent
    }

    var isEmpty: Bool {
        get throws { try sql.firstRow("SELECT 1 FROM activity LIMIT 1") == nil }
    }

    /// Streams one delivery in, in one transaction (`DeliveryLoader.stream`).
    func stream(_ e: Inbox.Entry, archive: DeliveryArchive?, options: ValidationOptions, policy: LoadPolicy,
                startedAt: String) throws -> LoadOutcome {
        switch self {
        case .sqlite(let w):
            try DeliveryLoader(warehouse: w, archive: archive).load(path: e.path, name: e.name, options: options, policy: policy, startedAt: startedAt)
        case .postgres(let p):
            try p.load(path: e.path, name: e.name, archive: archive, options: options, policy: policy, startedAt: startedAt)
        }
    }

    func writeDown(everyone: Bool) throws -> WriteDownSummary? {
        switch self {
        case .sqlite(let w): try WriteDownStage.applyPending(w.db, everyone: everyone)
        case .postgres(let p): try PostgresWriteDown.applyPending(p, everyone: everyone)
        }
    }

    func reconcile(_ p: PendingReconciliation, inMemory: [(version: Reconciler.Version, activityID: Int64)]?) throws -> Reconciler.Outcome {
        switch self {
        case .sqlite(let w): try ReconcileStage.apply(w.db, p, inMemory: inMemory)
        case .postgres(let c): try ReconcileStage.apply(c.connection, p, inMemory: inMemory)
        }
    }

    /// Whether a failure is the warehouse's (a full disk, a lost server) rather than a
    /// delivery's: then the batch stops instead of marking the delivery failed.
    static func isWarehouseFailure(_ error: any Error) -> Bool {
        error is SQLiteError || error is ArchiveError || error is PostgresError
    }
}

extension RunWarehouse {
    /// The warehouse for a command that only reads (`status`, the batch a command speaks of): an
    /// SQLite file opened read-only, which must exist; PostgreSQL as the loader sees it.
    public static func openForReading(_ warehouse: String, config: RunConfig) throws -> any WarehouseSQL {
        PostgresLocation.isPostgres(warehouse) ? try openPostgres(warehouse, config: config).connection
            : try Warehouse.openForReading(warehouse)
    }
}

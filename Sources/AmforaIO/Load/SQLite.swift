import CSQLite
import Foundation

/// An SQLite error with the result code, SQLite's message and the SQL — never the bound values,
/// which may be personal data. Its description is for the operator: what happened to which file
/// and what to do, without codes; the code and the SQL stay in the value for a developer.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?
    /// The database file.
    public var file: String = "the warehouse"

    public init(code: Int32, message: String, sql: String?, file: String = "the warehouse") {
        self.code = code
        self.message = message
        self.sql = sql
        self.file = file
    }

    public var description: String {
        switch code & 0xFF {
        case SQLITE_FULL:
            "the disk holding \(file) is full; the step under way was rolled back and nothing is half-written — free space, then run the same command again"
        case SQLITE_IOERR:
            "the disk holding \(file) reported an input/output error; the step under way was rolled back — check the disk (and free space), then run the same command again"
        case SQLITE_READONLY:
            "\(file) cannot be written: the file or its file system is read-only; nothing was changed — make it writable for the user running amfora"
        case SQLITE_CANTOPEN:
            "cannot open \(file): its directory is missing or not writable, or the path is not a file — check --warehouse"
        case SQLITE_PERM, SQLITE_AUTH:
            "permission denied for \(file); nothing was changed — run amfora as the user that owns the warehouse"
        case SQLITE_BUSY, SQLITE_LOCKED:
            "\(file) stayed locked by another process for longer than amfora waits; try again when it has finished (`amfora status` shows the batch)"
        case SQLITE_NOTADB:
            "\(file) is not an SQLite database; it was not changed — check --warehouse, or restore the warehouse from its backup"
        case SQLITE_CORRUPT:
            "\(file) is damaged (SQLite found it corrupt); restore the warehouse from its backup"
        default:
            "\(file) answered an error (\(message)); nothing of the step under way was kept — run the same command again, and report it if it repeats"
        }
    }

    /// Disk full or I/O error: the load is rolled back and the warehouse stays as it was.
    public var isDiskFull: Bool { code & 0xFF == SQLITE_FULL || code & 0xFF == SQLITE_IOERR }
}

/// A connection to one SQLite database file through the C API.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    /// Set by the WAL hook (`automaticCheckpoints(every: 0)`); retained as long as the connection.
    let walFrames = LogFrames()
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }
    /// Whether a second connection can open this database (a file, not one in memory), for a
    /// pass that reads beside this connection's work.
    var canOpenAnother: Bool { !path.isEmpty && path != ":memory:" && FileManager.default.fileExists(atPath: path) }

    /// Opens (creating if needed) the database. A new file is created owner-only (0600) before
    /// SQLite touches it, so personal data is never readable by others, not even for a moment.
    public init(path: String, readOnly: Bool = false) throws {
        // (Not for a database in memory, whose name is no file's: it made one in the working directory.)
        if !readOnly, !path.isEmpty, path != ":memory:", !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)  // a failed open still allocates a handle
            throw SQLiteError(code: rc, message: message, sql: nil, file: path)
        }
        self.path = path
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ rc: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, file: path)
    }

    /// Runs one or more statements without results.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "error"
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: message, sql: sql, file: path)
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        try Statement(self, sql)
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    /// The first error wins; rollback is always attempted.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            // An error SQLite answered with an automatic rollback leaves no transaction to commit.
            guard sqlite3_get_autocommit(handle) == 0 else {
                throw SQLiteError(code: SQLITE_ABORT, message: "the transaction was rolled back by SQLite", sql: nil, file: path)
            }
            FaultPoints.pass("before commit")
            try execute("COMMIT")
            FaultPoints.pass("after commit")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in one read transaction (or in the one already open): one snapshot for all of
    /// its statements, and the file's locks taken once rather than for each of them (a report's
    /// quarter of a million lookups spent a tenth of its time in `fcntl`). A write in `body`
    /// makes it a write transaction, as SQLite does.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
        return try enclosed(in: "BEGIN", body)
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Copies every page into the (new, empty) database file at `path` with SQLite's online
    /// backup API, in one step: one read transaction, so the copy is one consistent state.
    public func copyPages(to path: String) throws {
        let target = try Database(path: path)
        guard let b = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw target.error(sqlite3_errcode(target.handle), "backup")
        }
        let rc = sqlite3_backup_step(b, -1)
        let finished = sqlite3_backup_finish(b)
        guard rc == SQLITE_DONE else { throw target.error(rc, "backup") }
        guard finished == SQLITE_OK else { throw target.error(finished, "backup") }
        // One self-contained file: the copy carries the source's WAL mode, whose -wal and -shm
        // files a reader of the copy would otherwise leave beside it.
        try target.execute("PRAGMA journal_mode = DELETE")
    }
    /// Runs `body` with SQLite's scratch space (temporary tables, large sorts) in files rather
    /// than in memory, where ten million rows would sit; SQLite lets this change only between
    /// transactions.
    public func withScratchOnDisk<T>(_ body: () throws -> T) throws -> T {
        try execute("PRAGMA temp_store = FILE")
        defer { try? execute("PRAGMA temp_store = MEMORY") }
        return try body()
    }

    /// Runs `body` with a page cache (and so a sorter's memory before it spills) of `kibibytes`,
    /// the warehouse's own size restored afterwards: a pass that streams the whole table
    /// through a sort need not hold a quarter of a gigabyte of it.
    public func withCache<T>(kibibytes: Int, _ body: () throws -> T) throws -> T {
        let before = try scalar("PRAGMA cache_size") ?? -2000
        try execute("PRAGMA cache_size = -\(kibibytes)")
        defer { try? execute("PRAGMA cache_size = \(before)") }
        return try body()
    }

    /// Rows the last statement changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The single integer a query returns (nil for no row or NULL).
    public func scalar(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int64? {
        let s = try prepare(sql)
        try s.bind(bindings)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int(0)
    }
}

public enum SQLValue {
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// A prepared statement that checks every return code and finalizes itself.
public final class Statement {
    let db: Database
    let handle: OpaquePointer
    let sql: String

    init(_ db: Database, _ sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db.handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw db.error(rc, sql) }
        self.db = db
        handle = stmt
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    public func bind(_ v: SQLValue, at i: Int32) throws {
        let rc: Int32
        switch v {
        case .int(let n): rc = sqlite3_bind_int64(handle, i, n)
        case .double(let d): rc = sqlite3_bind_double(handle, i, d)
        case .text(let s): rc = sqlite3_bind_text(handle, i, s, -1, amfora_sqlite_transient())
        case .blob(let b):
            // No bytes have no address, which SQLite would take for NULL.
            rc = b.isEmpty ? sqlite3_bind_zeroblob(handle, i, 0)
                : b.withUnsafeBytes { sqlite3_bind_blob(handle, i, $0.baseAddress, Int32($0.count), amfora_sqlite_transient()) }
        case .null: rc = sqlite3_bind_null(handle, i)
        }
        guard rc == SQLITE_OK else { throw db.error(rc, sql) }
    }

    @inline(__always) public func bind(_ n: Int, at i: Int32) { sqlite3_bind_int64(handle, i, Int64(n)) }
    @inline(__always) public func bind(_ d: Double, at i: Int32) { sqlite3_bind_double(handle, i, d) }
    @inline(__always) public func bindNull(at i: Int32) { sqlite3_bind_null(handle, i) }
    public func bind(_ s: String, at i: Int32) { sqlite3_bind_text(handle, i, s, -1, amfora_sqlite_transient()) }
    /// Text straight from a buffer (UTF-8), copied by SQLite.
    public func bindText(_ p: UnsafePointer<UInt8>, count: Int, at i: Int32) {
        p.withMemoryRebound(to: CChar.self, capacity: count) {
            _ = sqlite3_bind_text(handle, i, $0, Int32(count), amfora_sqlite_transient())
        }
    }

    /// Bytes as a blob, copied by SQLite (a quarantined line exactly as delivered).
    public func bindBlob(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int32) {
        sqlite3_bind_blob(handle, i, bytes.baseAddress, Int32(bytes.count), amfora_sqlite_transient())
    }

    /// True while there is a row.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.error(rc, sql)
    }

    /// Executes a statement that returns no rows, then resets it for reuse.
    public func run() throws {
        defer { reset() }
        _ = try step()
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func int(_ col: Int32) -> Int64 { sqlite3_column_int64(handle, col) }
    public func double(_ col: Int32) -> Double { sqlite3_column_double(handle, col) }
    /// A blob column's bytes, valid until the next step or reset.
    public func blob(_ col: Int32) -> UnsafeRawBufferPointer {
        let p = sqlite3_column_blob(handle, col)  // before the size, as SQLite's documentation asks
        let n = Int(sqlite3_column_bytes(handle, col))
        guard n > 0, let p else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: n)
    }
    public func isNull(_ col: Int32) -> Bool { sqlite3_column_type(handle, col) == SQLITE_NULL }
    /// The column's storage class (`SQLITE_INTEGER`, `SQLITE_TEXT`, …), asked once for a value read by type.
    public func type(_ col: Int32) -> Int32 { sqlite3_column_type(handle, col) }
    public func isDouble(_ col: Int32) -> Bool { sqlite3_column_type(handle, col) == SQLITE_FLOAT }
    public func isInteger(_ col: Int32) -> Bool { sqlite3_column_type(handle, col) == SQLITE_INTEGER }
    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ col: Int32) -> String { sqlite3_column_name(handle, col).map { String(cString: $0) } ?? "" }
    public func text(_ col: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, col) else { return nil }
        return String(cString: p)
    }

    /// The column as text, its bytes without a copy into a String (valid until the next step).
    public func textBytes(_ col: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let p = sqlite3_column_text(handle, col) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, col)))
    }
}

import AmforaCore
import CPostgres
import Foundation

/// A PostgreSQL error for the operator: libpq's primary message with any CPR number scrubbed
/// from it, and the SQLSTATE. The server's DETAIL is never kept: it quotes key values ("Key
/// (cprnr)=(…) already exists"), which may be personal data.
public struct PostgresError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Refused before anything was sent (a URL with a password, say).
        case refused
        case connection
        case statement
    }

    public let message: String
    public let kind: Kind
    /// Five characters (`23505`), or empty when the error is not the server's.
    public var sqlstate = ""

    public init(message: String, kind: Kind, sqlstate: String = "") {
        self.message = CPR.scrub(message)
        self.kind = kind
        self.sqlstate = sqlstate
    }

    public var description: String {
        switch kind {
        case .refused: message
        case .connection: "cannot reach the PostgreSQL warehouse: \(message); nothing was changed — check --warehouse, the server and ~/.pgpass"
        case .statement: "the PostgreSQL warehouse answered an error (\(message)\(sqlstate.isEmpty ? "" : ", SQLSTATE \(sqlstate)")); nothing of the step under way was kept — run the same command again, and report it if it repeats"
        }
    }
}

/// One connection to a PostgreSQL server through libpq. Values travel as parameters (text
/// format), never spliced into SQL, so no statement text holds personal data.
public final class PostgresConnection {
    private let handle: OpaquePointer
    public let location: PostgresLocation

    public init(_ location: PostgresLocation) throws(PostgresError) {
        self.location = location
        guard let conn = PQconnectdb(location.url) else {
            throw PostgresError(message: "libpq could not allocate a connection", kind: .connection)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.firstLine(String(cString: PQerrorMessage(conn)))
            PQfinish(conn)
            throw PostgresError(message: message, kind: .connection)
        }
        handle = conn
        // Notices (e.g. "relation already exists, skipping") would go to stderr, into cron's mail.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// The role this session acts as (after `SET ROLE`).
    public var currentRole: String { (try? scalarText("SELECT current_user")) ?? "" }

    /// Runs statements without parameters; several may stand in `sql`, separated by ';'.
    public func execute(_ sql: String) throws(PostgresError) {
        let r = PQexec(handle, sql)
        defer { PQclear(r) }
        try check(r, expect: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
    }

    /// Runs one statement with its values as text parameters (`$1`, `$2`, …; nil is NULL) and
    /// returns its rows, every value as text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        let r = withTextParameters(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(r) }
        try check(r, expect: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
        return PostgresRows(r!)
    }

    public func scalarText(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> String? {
        let rows = try query(sql, parameters)
        return rows.count > 0 ? rows[0][0] : nil
    }

    public func scalar(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> Int64? {
        try scalarText(sql, parameters).flatMap { Int64($0) }
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws. A
    /// connection that dies in between rolls back on the server by itself.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            FaultPoints.pass("before commit")
            try execute("COMMIT")
            FaultPoints.pass("after commit")
            return result
        } catch {
            // A COPY still open (a delivery that failed half-way) is ended first, rows discarded.
            if copying { try? endCopy(failure: "amfora rolled the transaction back") }
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// A session-level advisory lock: held until released or until the connection ends, also
    /// when the process is killed (the server sees the socket close).
    public func tryAdvisoryLock(_ key: Int64) throws(PostgresError) -> Bool {
        try scalarText("SELECT pg_try_advisory_lock($1::bigint)", [String(key)]) == "t"
    }

    public func advisoryUnlock(_ key: Int64) throws(PostgresError) {
        try query("SELECT pg_advisory_unlock($1::bigint)", [String(key)])
    }

    /// Bulk rows by `COPY … FROM STDIN` (text format): rows added to the stream are sent as it
    /// grows; `finish` ends it. Nothing else may run on the connection while it is open.
    public func copyIn(_ table: String, columns: [String]) throws(PostgresError) -> CopyStream {
        precondition(!copying, "a second statement while a COPY is open")
        let start = PQexec(handle, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN")
        let status = PQresultStatus(start)
        PQclear(start)
        guard status == PGRES_COPY_IN else { throw lastError() }
        copying = true
        return CopyStream(columns: columns.count, connection: self)
    }

    /// `copyIn` around `fill`: the rows `fill` adds are copied, or none if it throws.
    @discardableResult
    public func copy(into table: String, columns: [String], _ fill: (CopyStream) throws -> Void) throws -> Int {
        let stream = try copyIn(table, columns: columns)
        do {
            try fill(stream)
        } catch {
            stream.abort()
            throw error
        }
        return try stream.finish()
    }

    /// Whether a COPY is open on this connection.
    fileprivate(set) var copying = false

    /// Ends the COPY: `failure` nil commits its rows to the transaction, otherwise the server
    /// discards every one of them.
    fileprivate func endCopy(failure: String?) throws(PostgresError) {
        guard copying else { return }
        copying = false
        let sent = PQputCopyEnd(handle, failure) == 1
        var serverError: PostgresError?
        while let r = PQgetResult(handle) {
            if PQresultStatus(r) != PGRES_COMMAND_OK, serverError == nil { serverError = error(of: r) }
            PQclear(r)
        }
        if failure == nil, let serverError { throw serverError }
        if failure == nil, !sent { throw lastError() }
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return PQputCopyData(handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count)) == 1
    }

    private func check(_ r: OpaquePointer?, expect: [ExecStatusType]) throws(PostgresError) {
        guard let r else { throw lastError() }
        guard expect.contains(PQresultStatus(r)) else { throw error(of: r) }
    }

    private func error(of r: OpaquePointer) -> PostgresError {
        let primary = PQresultErrorField(r, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let state = PQresultErrorField(r, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        return PostgresError(message: primary ?? Self.firstLine(String(cString: PQresultErrorMessage(r))),
                             kind: .statement, sqlstate: state)
    }

    private func lastError() -> PostgresError {
        let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .statement : .connection
        return PostgresError(message: Self.firstLine(String(cString: PQerrorMessage(handle))), kind: kind)
    }

    /// libpq's messages end in a newline and may go on with DETAIL or HINT lines: the first line only.
    private static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", omittingEmptySubsequences: true).first ?? "unknown error")
    }
}

/// Calls `body` with the parameters as C strings (NULL for nil), alive for the call.
private func withTextParameters<T>(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// A statement's rows, every value as text (nil for NULL), copied out of libpq's result.
public struct PostgresRows: RandomAccessCollection {
    public let columns: [String]
    private let values: [[String?]]

    init(_ r: OpaquePointer) {
        let n = Int(PQnfields(r)), count = Int(PQntuples(r))
        columns = (0..<n).map { String(cString: PQfname(r, Int32($0))) }
        values = (0..<count).map { row in
            (0..<n).map { c in
                PQgetisnull(r, Int32(row), Int32(c)) == 1 ? nil : String(cString: PQgetvalue(r, Int32(row), Int32(c)))
            }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }
    public subscript(i: Int) -> [String?] { values[i] }
}

/// The rows of one `COPY … FROM STDIN` in PostgreSQL's text format: tab between values, `\N`
/// for NULL, backslash escapes for the characters that would end a value or a row.
public final class CopyStream {
    private var buffer: [UInt8] = []
    private let columns: Int
    private var column = 0
    public private(set) var count = 0
    private var sendFailed = false
    private var ended = false
    private let connection: PostgresConnection

    fileprivate init(columns: Int, connection: PostgresConnection) {
        self.columns = columns
        self.connection = connection
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if !ended { abort() } }

    public func append(_ text: String?) {
        guard var value = text else { null(); return }
        value.withUTF8 { append(utf8: $0) }
    }

    public func append(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        separate()
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): buffer.append(b); buffer.append(b)
            case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(b)
            }
        }
    }

    public func append(_ n: Int64?) {
        guard let n else { null(); return }
        separate()
        buffer.append(contentsOf: String(n).utf8)
    }

    public func append(_ x: Double) {
        separate()
        buffer.append(contentsOf: "\(x)".utf8)
    }

    public func null() {
        separate()
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(UInt8(ascii: "N"))
    }

    /// Bytes as `bytea` in hex (`\\x…`, its backslash escaped for the text format).
    public func append(bytes: UnsafeBufferPointer<UInt8>) {
        separate()
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let hex = Array("0123456789abcdef".utf8)
        for b in bytes {
            buffer.append(hex[Int(b >> 4)])
            buffer.append(hex[Int(b & 15)])
        }
    }

    /// Ends the row; the stream is sent on in pieces of a megabyte.
    public func endRow() {
        precondition(column == columns, "a COPY row of \(column) values for \(columns) columns")
        buffer.append(UInt8(ascii: "\n"))
        column = 0
        count += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Sends the rest and ends the COPY; returns the rows copied.
    @discardableResult
    public func finish() throws(PostgresError) -> Int {
        precondition(!ended && column == 0, "a COPY finished twice or inside a row")
        flush()
        ended = true
        if sendFailed {
            try? connection.endCopy(failure: "amfora could not send the rows")
            throw PostgresError(message: "the connection broke while rows were being copied", kind: .connection)
        }
        try connection.endCopy(failure: nil)
        return count
    }

    /// Ends the COPY so that none of its rows is kept.
    public func abort() {
        guard !ended else { return }
        ended = true
        try? connection.endCopy(failure: "amfora stopped the copy")
    }

    private func flush() {
        guard !buffer.isEmpty, !sendFailed else { return }
        sendFailed = !buffer.withUnsafeBytes { connection.send($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func separate() {
        precondition(column < columns, "a COPY row of more than \(columns) values")
        if column > 0 { buffer.append(UInt8(ascii: "\t")) }
        column += 1
    }
}

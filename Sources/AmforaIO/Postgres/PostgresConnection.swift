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

    /// `COPY (query) TO STDOUT` in text format: `row` gets each row's bytes, without its newline,
    /// as the server sends them, so a million rows never stand in memory at once. COPY takes no
    /// parameters: `query` holds only numbers and names amfora made.
    public func copyOut(_ query: String, _ row: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        precondition(!copying, "a second statement while a COPY is open")
        let start = PQexec(handle, "COPY (\(query)) TO STDOUT")
        let status = PQresultStatus(start)
        if status != PGRES_COPY_OUT {
            defer { PQclear(start) }
            throw start.map { error(of: $0) } ?? lastError()
        }
        PQclear(start)
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(handle, &buffer, 0)
            guard n > 0, let buffer else { break }
            if failure == nil {
                let length = Int(n) - (buffer[Int(n) - 1] == 10 ? 1 : 0)
                do {
                    try buffer.withMemoryRebound(to: UInt8.self, capacity: Int(n)) { try row(UnsafeBufferPointer(start: $0, count: length)) }
                } catch {
                    failure = error  // read on to the end: the connection is usable again only then
                }
            }
            PQfreemem(buffer)
        }
        var serverError: PostgresError?
        while let r = PQgetResult(handle) {
            if PQresultStatus(r) != PGRES_COMMAND_OK, serverError == nil { serverError = error(of: r) }
            PQclear(r)
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
    }

    /// Whether a COPY is open on this connection.
    fileprivate(set) var copying = false

    /// Whether a transaction is open on the connection (libpq's own view of it).
    var inTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

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

/// The integer columns of one row of `copyOut`: tab-separated decimal numbers, `\N` for NULL.
public struct CopyIntegers {
    /// The row's values in order, nil for NULL or a value that is not an integer.
    public static func parse(_ row: UnsafeBufferPointer<UInt8>, into out: inout [Int64?]) {
        out.removeAll(keepingCapacity: true)
        var value: Int64 = 0, negative = false, digits = 0, null = false
        func end() {
            out.append(null || digits == 0 ? nil : (negative ? -value : value))
            value = 0; negative = false; digits = 0; null = false
        }
        for b in row {
            switch b {
            case 9: end()
            case 45: negative = true
            case 48...57:
                value = value &* 10 &+ Int64(b - 48)
                digits += 1
            default: null = true  // `\N`, or anything that is not a number
            }
        }
        end()
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
    /// The columns' type OIDs (`pg_type`), for reading a value by its type.
    let types: [UInt32]
    private let values: [[String?]]

    init(_ r: OpaquePointer) {
        let n = Int(PQnfields(r)), count = Int(PQntuples(r))
        columns = (0..<n).map { String(cString: PQfname(r, Int32($0))) }
        types = (0..<n).map { UInt32(PQftype(r, Int32($0))) }
        values = (0..<count).map { row in
            (0..<n).map { c in
                PQgetisnull(r, Int32(row), Int32(c)) == 1 ? nil : String(cString: PQgetvalue(r, Int32(row), Int32(c)))
            }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }
    public subscript(i: Int) -> [String?] { values[i] }

    /// Row `i` as `SQLValue`s by the columns' types: integers, floating point, bytea, else text.
    func typed(_ i: Int) -> [SQLValue] {
        zip(values[i], types).map { v, type in
            guard let v else { return .null }
            switch type {
            case 20, 21, 23: return Int64(v).map(SQLValue.int) ?? .text(v)   // int8, int2, int4
            case 700, 701, 1700: return Double(v).map(SQLValue.double) ?? .text(v)  // float4, float8, numeric
            case 17: return .blob(Hex.decode(bytea: v))
            default: return .text(v)
            }
        }
    }
}

extension PostgresConnection: WarehouseSQL {
    public var dialect: SQLDialect { .postgres }
    public var isReadOnly: Bool { false }

    /// One snapshot for every query of `body` (`REPEATABLE READ`): a report is of one state even
    /// when another process commits in between. Inside a transaction, that transaction's.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        guard !inTransaction else { return try body() }
        return try enclosed(in: "BEGIN ISOLATION LEVEL REPEATABLE READ", body)
    }

    public func run(_ sql: String, _ values: [SQLValue]) throws {
        try query(Self.numbered(sql), Self.text(values))
    }

    public func forEachRow(_ sql: String, _ values: [SQLValue], _ row: ([SQLValue]) throws -> Void) throws {
        let rows = try query(Self.numbered(sql), Self.text(values))
        for i in rows.indices { try row(rows.typed(i)) }
    }

    /// `?` → `$1`, `$2`, … outside quotes: the bookkeeping's SQL is written once, SQLite's way.
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0, quote: Character?
        for c in sql {
            if let q = quote {
                if c == q { quote = nil }
                out.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The values as libpq's text parameters (bytes as `bytea`'s hex form).
    static func text(_ values: [SQLValue]) -> [String?] {
        values.map { v -> String? in
            switch v {
            case .int(let n): String(n)
            case .double(let x): String(x)
            case .text(let t): t
            case .blob(let b): "\\x" + Hex.string(b)
            case .null: nil
            }
        }
    }
}

/// One row of a `COPY … FROM STDIN` in PostgreSQL's text format: tab between values, `\N` for
/// NULL, backslash escapes for the characters that would end a value or a row. Built in a local
/// variable (`CopyStream.row`), so that filling it byte by byte costs no checks of a shared buffer.
public struct CopyRow {
    fileprivate var bytes: [UInt8]
    fileprivate let columns: Int
    fileprivate var column = 0

    fileprivate init(bytes: [UInt8], columns: Int) {
        self.bytes = bytes
        self.columns = columns
    }

    public mutating func append(_ text: String?) {
        guard var value = text else { null(); return }
        value.withUTF8 { append(utf8: $0) }
    }

    public mutating func append(utf8 text: UnsafeBufferPointer<UInt8>) {
        separate()
        for b in text {
            switch b {
            case UInt8(ascii: "\\"): bytes.append(b); bytes.append(b)
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(b)
            }
        }
    }

    /// Decimal digits written straight into the row (no String made for them).
    public mutating func append(_ n: Int64?) {
        guard let n else { null(); return }
        separate()
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        let first = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        bytes[first...].reverse()
    }

    public mutating func append(_ x: Double) {
        separate()
        bytes.append(contentsOf: "\(x)".utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    /// Bytes as `bytea` in hex (`\\x…`, its backslash escaped for the text format).
    public mutating func append(bytes raw: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        Hex.append(raw, to: &bytes)
    }

    private mutating func separate() {
        precondition(column < columns, "a COPY row of more than \(columns) values")
        if column > 0 { bytes.append(UInt8(ascii: "\t")) }
        column += 1
    }
}

/// The rows of one `COPY … FROM STDIN`, sent on in pieces of a megabyte. Rows are built with
/// `row()` and handed back with `add(_:)`.
public final class CopyStream {
    private var buffer: [UInt8] = []
    private let columns: Int
    /// The last row's storage, reused by the next.
    private var spare: [UInt8] = []
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

    /// An empty row to fill (reusing the last one's storage).
    public func row() -> CopyRow {
        var bytes: [UInt8] = []
        swap(&bytes, &spare)
        bytes.removeAll(keepingCapacity: true)
        return CopyRow(bytes: bytes, columns: columns)
    }

    /// Adds a row built by `row()`.
    public func add(_ row: consuming CopyRow) {
        precondition(row.column == columns, "a COPY row of \(row.column) values for \(columns) columns")
        row.bytes.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: row.bytes)
        swap(&spare, &row.bytes)
        count += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Sends the rest and ends the COPY; returns the rows copied.
    @discardableResult
    public func finish() throws(PostgresError) -> Int {
        precondition(!ended, "a COPY finished twice")
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
}

/// Lower-case hexadecimal, without Foundation's formatting (a Friday's persons are millions of bytes).
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func append<S: Sequence<UInt8>>(_ bytes: S, to out: inout [UInt8]) {
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
    }

    static func string<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytea` as the server prints it (`\x0a1b…`).
    static func decode(bytea text: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8.dropFirst(2) {
            let v: UInt8 = c <= 57 ? c - 48 : (c | 0x20) - 87
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}

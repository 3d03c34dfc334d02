import CSQLite

/// Which warehouse a statement is for, where their SQL differs (a list of ids, say).
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The comparison that holds for NULL and NULL as for equal values.
    var same: String { self == .postgres ? "IS NOT DISTINCT FROM" : "IS" }
    /// The column that orders a table's rows as they were written (rejects, reconciliation).
    var insertionOrder: String { self == .postgres ? "seq" : "rowid" }
    /// A text column ordered by its bytes, as SQLite orders it, whatever the server's collation
    /// (which may ignore case and punctuation, and would put a report's lists in another order).
    func bytewise(_ column: String) -> String { self == .postgres ? "\(column) COLLATE \"C\"" : column }
}

/// The SQL both warehouses speak: the run's bookkeeping (`RunLedger`, `PendingWork`, `LastLoad`,
/// `EarlierLoad`) is written once against it. A statement has `?` for each of its values, which
/// are bound, never spliced in. The bulk of a Friday has paths of its own (`RowSink`,
/// `PostgresRowSink`).
public protocol WarehouseSQL: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs one statement.
    func run(_ sql: String, _ values: [SQLValue]) throws
    /// Calls `row` with each row of one query, in order.
    func forEachRow(_ sql: String, _ values: [SQLValue], _ row: ([SQLValue]) throws -> Void) throws
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Runs `body` reading one consistent state of the warehouse (a report's queries).
    func snapshot<T>(_ body: () throws -> T) throws -> T
    /// Opened only to read (`status`): nothing may be kept, not even a report's figures.
    var isReadOnly: Bool { get }
}

extension WarehouseSQL {
    /// Runs `body` after `begin` and commits, or rolls back if it throws.
    func enclosed<T>(in begin: String, _ body: () throws -> T) throws -> T {
        try run(begin, [])
        do {
            let result = try body()
            try run("COMMIT", [])
            return result
        } catch {
            try? run("ROLLBACK", [])
            throw error
        }
    }

    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        var out: [[SQLValue]] = []
        try forEachRow(sql, values) { out.append($0) }
        return out
    }

    func firstRow(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLValue]? {
        try rows(sql, values).first
    }

    /// The single integer a query returns (nil for no row or NULL).
    func integer(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        try firstRow(sql, values)?.first?.int
    }

    /// A list of version ids as the dialect stores it in `load_change_set` (`[1,2]`, `{1,2}`).
    func idList(_ ids: [Int64]) -> String {
        let inner = ids.lazy.map(String.init).joined(separator: ",")
        return dialect == .postgres ? "{" + inner + "}" : "[" + inner + "]"
    }

    /// The ids of `load_change_set` rows matching `condition`, as a subquery.
    func changedVersions(where condition: String) -> String {
        dialect == .postgres
            ? "SELECT unnest(version_ids) FROM load_change_set WHERE \(condition)"
            : "SELECT value FROM load_change_set, json_each(version_ids) WHERE \(condition)"
    }
}

extension SQLValue {
    public var int: Int64? {
        switch self {
        case .int(let n): n
        case .double(let x): Int64(exactly: x.rounded(.towardZero))
        case .text(let t): Int64(t)
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .int(let n): Double(n)
        case .double(let x): x
        case .text(let t): Double(t)
        default: nil
        }
    }

    public var text: String? {
        switch self {
        case .text(let t): t
        case .int(let n): String(n)
        case .double(let x): String(x)
        case .blob(let b): String(decoding: b, as: UTF8.self)
        case .null: nil
        }
    }

    public var blob: [UInt8]? {
        switch self {
        case .blob(let b): b
        case .text(let t): Array(t.utf8)
        default: nil
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }
}

extension Database: WarehouseSQL {
    public var dialect: SQLDialect { .sqlite }

    public func run(_ sql: String, _ values: [SQLValue]) throws {
        let s = try prepare(sql)
        try s.bind(values)
        try s.run()
    }

    public func forEachRow(_ sql: String, _ values: [SQLValue], _ row: ([SQLValue]) throws -> Void) throws {
        let s = try prepare(sql)
        try s.bind(values)
        let n = s.columnCount
        while try s.step() {
            try row((0..<n).map { c in
                switch s.type(c) {
                case SQLITE_INTEGER: .int(s.int(c))
                case SQLITE_FLOAT: .double(s.double(c))
                case SQLITE_BLOB: .blob(Array(s.blob(c).bindMemory(to: UInt8.self)))
                case SQLITE_NULL: .null
                default: .text(s.text(c) ?? "")
                }
            })
        }
    }
}

import AmforaCore
import Foundation

/// Writes one delivery's rows into the SQLite warehouse, inside the load's transaction: record
/// versions, quarantined lines and findings as matching finds them (`MatchSink`), then what the
/// load closed and the bookkeeping a rerun undoes. Statements are prepared once; errors inside
/// the per-line callbacks are kept and rethrown by `check()`.
final class RowSink: LoadSink {
    let db: Database
    let table: WarehouseTable
    let layout: Layout
    let name: DeliveryName
    let file: String
    let identity: RecordIdentity
    private let insertRow: Statement
    private let insertReject: Statement
    private let insertQuarantine: Statement
    private var firstError: (any Error)?
    /// The versions written, in order.
    private(set) var written: [Int64] = []
    var recordsChanges = true
    var sql: any WarehouseSQL { db }

    init(db: Database, layout: Layout, name: DeliveryName, file: String) throws {
        self.db = db
        table = WarehouseTable(name.kind)
        self.layout = layout
        self.name = name
        self.file = file
        identity = RecordIdentity(layout: layout)
        let all = layout.fields.map { Self.column($0.name) } + ["content_hash", "line_hash", "first_batch", "source_file", "line_no"] + table.ownColumns
        insertRow = try db.prepare("INSERT INTO \(table.name) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))")
        insertReject = try db.prepare("INSERT INTO reject (batch_date, komnr, kind, file, line_no, severity, rule, field, value, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        insertQuarantine = try db.prepare("INSERT INTO quarantine (batch_date, komnr, kind, file, line_no, raw) VALUES (?, ?, ?, ?, ?, ?)")
    }

    /// The warehouse column of a layout field: its name in lower case (`By` → `by`).
    static func column(_ field: String) -> String { "\"\(field.lowercased())\"" }

    func check() throws { if let e = firstError { throw e } }

    /// After the first error nothing more is written: SQLite may already have rolled the
    /// transaction back (SQLITE_FULL does), and further statements would then commit one by one.
    private func run(_ s: Statement) {
        guard firstError == nil else { s.reset(); return }
        do { try s.run() } catch { firstError = error }
    }

    var isFull: Bool { false }

    func finding(_ f: Finding) { reject(f) }

    func quarantined(line: Int, bytes: UnsafeBufferPointer<UInt8>) { quarantine(line: line, bytes: bytes) }

    func added(_ record: RecordView, line: Int, hash: Int64, lineHash: Int64?) -> Int64 {
        insert(record, hash: hash, lineHash: lineHash, line: line)
    }

    /// Inserts a new version and returns its id; `lineHash` only for a line loaded without a
    /// finding (`LineHashers.storedHash`).
    @discardableResult
    func insert(_ r: RecordView, hash: Int64, lineHash: Int64?, line: Int) -> Int64 {
        let s = insertRow
        var col: Int32 = 1
        for i in layout.fields.indices {
            switch r.values[i] {
            case .missing: s.bindNull(at: col)
            case .invalid:
                // Only a warning lets a line load: the value is kept as delivered. In a number or
                // day column as a blob of its text, so that SQLite's affinity cannot turn "800"
                // into 800 (the views show it as text again).
                let raw = r.unmaskedRaw(i)
                if layout.fields[i].type == "char" {
                    s.bind(raw, at: col)
                } else {
                    Array(raw.utf8).withUnsafeBufferPointer { s.bindBlob($0, at: col) }
                }
            case .number(let n): s.bind(n, at: col)
            case .day(let d): s.bind(Int(d.ordinal), at: col)
            case .flag(let b): s.bind(b ? 1 : 0, at: col)
            case .text(let a, let e):
                if r.encoding == .utf8 {
                    s.bindText(r.line.baseAddress! + Int(a), count: Int(e - a), at: col)
                } else {
                    s.bind(r.unmaskedRaw(i), at: col)
                }
            }
            col += 1
        }
        s.bind(Int(hash), at: col); col += 1
        if let lineHash { s.bind(Int(lineHash), at: col) } else { s.bindNull(at: col) }
        col += 1
        s.bind(batch, at: col); col += 1
        s.bind(file, at: col); col += 1
        s.bind(line, at: col); col += 1
        switch table {
        case .activity:
            s.bind(Int(identity.activityID(r)), at: col)
        case .aid:
            s.bind(name.kind.rawValue, at: col); col += 1
            s.bind(name.kind.aidType ?? 0, at: col)
        }
        run(s)
        let version = db.lastInsertRowID
        written.append(version)
        return version
    }

    func quarantine(line: Int, bytes: UnsafeBufferPointer<UInt8>) {
        let s = insertQuarantine
        s.bind(batch, at: 1)
        s.bind(name.komnr, at: 2)
        s.bind(name.kind.rawValue, at: 3)
        s.bind(file, at: 4)
        s.bind(line, at: 5)
        s.bindBlob(bytes, at: 6)
        run(s)
    }

    func reject(_ f: Finding) {
        let s = insertReject
        s.bind(batch, at: 1)
        s.bind(name.komnr, at: 2)
        s.bind(name.kind.rawValue, at: 3)
        s.bind(file, at: 4)
        if let l = f.line { s.bind(l, at: 5) } else { s.bindNull(at: 5) }
        s.bind(f.severity.rawValue, at: 6)
        s.bind(f.rule, at: 7)
        if let field = f.field { s.bind(field, at: 8) } else { s.bindNull(at: 8) }
        if let v = f.value { s.bind(v, at: 9) } else { s.bindNull(at: 9) }
        s.bind(f.message, at: 10)
        run(s)
    }

    /// Closes versions that are no longer delivered: they were last seen in the municipality's
    /// previous loaded batch and are gone as of this one.
    func close(_ versions: [Int64]) throws {
        guard !versions.isEmpty else { return }
        let previous = try LastLoad.of(db, name: name, before: batch)?.batch ?? Int64(batch)
        let s = try db.prepare("UPDATE \(table.name) SET closed_in = ?, last_batch = ? WHERE version_id = ?")
        // The measure's close into the recent log, read from the row just written (`ClosedMeasures`).
        let logged = table.holdsMeasures ? try db.prepare("""
            INSERT OR IGNORE INTO \(ClosedMeasures.recent) (activity_id, closed_in) SELECT activity_id, ?1 FROM activity WHERE version_id = ?2
            """) : nil
        for v in versions {
            s.bind(batch, at: 1)
            s.bind(Int(previous), at: 2)
            s.bind(Int(v), at: 3)
            try s.run()
            if let logged {
                logged.bind(batch, at: 1)
                logged.bind(Int(v), at: 2)
                try logged.run()
            }
        }
    }
}

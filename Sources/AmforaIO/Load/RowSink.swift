import AmforaCore
import Foundation

/// Writes one delivery's rows: record versions, quarantined lines and findings. Statements are
/// prepared once; errors inside the per-line callbacks are kept and rethrown by `check()`.
final class RowSink {
    let db: Database
    let table: String
    let layout: Layout
    let name: DeliveryName
    let file: String
    let batch: Int
    let identity: RecordIdentity
    private let insertRow: Statement
    private let insertReject: Statement
    private let insertQuarantine: Statement
    private var firstError: (any Error)?
    private let cprIndex: Int?
    /// The table's key columns for this delivery: Komnr, and for aids also the kind.
    private let scope: String
    /// This delivery's rows in the bookkeeping tables (reject, quarantine, load_change_set).
    private let delivery: String
    /// Off for a municipality's first dataset: undoing it needs no list (every version of the
    /// batch goes), and a list of ten million versions would cost the first load dearly.
    var recordsChanges = true

    init(db: Database, table: String, layout: Layout, name: DeliveryName, file: String) throws {
        self.db = db
        self.table = table
        self.layout = layout
        self.name = name
        self.file = file
        batch = Int(name.batchDate.ordinal)
        identity = RecordIdentity(layout: layout)
        cprIndex = layout.index(of: "CPRnr")
        scope = table == "aid" ? "komnr = \(name.komnr) AND kind = '\(name.kind.rawValue)'" : "komnr = \(name.komnr)"
        delivery = "batch_date = \(batch) AND komnr = \(name.komnr) AND kind = '\(name.kind.rawValue)'"
        let columns = layout.fields.map { Self.column($0.name) }
        var extra = ["content_hash", "line_hash", "first_batch", "source_file", "line_no"]
        if table == "activity" { extra.append("activity_id") } else { extra += ["kind", "aid_type"] }
        let all = columns + extra
        insertRow = try db.prepare("INSERT INTO \(table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))")
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

    /// Undoes an earlier load of this very batch (a rerun): its new versions go, the versions
    /// it closed come back. Returns the persons concerned.
    func undoEarlierLoad() throws -> Set<Int> {
        var persons: Set<Int> = []
        // Only a rerun has an earlier load of this very batch to undo; a weekly load skips the scan.
        let loadedThisBatch = try db.scalar("SELECT count(*) FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ? AND status = 'loaded'",
                                            [.int(Int64(batch)), .int(Int64(name.komnr)), .text(name.kind.rawValue)]) ?? 0
        guard loadedThisBatch > 0 else { return [] }
        let recorded = try db.scalar("SELECT count(*) FROM load_change_set WHERE \(delivery)") ?? 0
        if recorded == 0 {
            // A first dataset: every current version first seen in this batch is the load's.
            let added = "SELECT version_id FROM \(table) WHERE \(scope) AND closed_in IS NULL AND first_batch = \(batch)"
            if table == "activity" {
                let s = try db.prepare("SELECT cprnr FROM activity WHERE version_id IN (\(added))")
                while try s.step() { persons.insert(Int(s.int(0))) }
                try db.execute("DELETE FROM writedown WHERE version_id IN (\(added)); DELETE FROM writedown_segment WHERE version_id IN (\(added))")
            }
            try db.execute("DELETE FROM \(table) WHERE version_id IN (\(added))")
            try db.execute("DELETE FROM reject WHERE \(delivery); DELETE FROM quarantine WHERE \(delivery)")
            return persons
        }
        let changed = "SELECT value FROM load_change_set, json_each(version_ids) WHERE \(delivery)"
        let changes = "\(changed) AND change = "
        if table == "activity" {
            let s = try db.prepare("SELECT cprnr FROM activity WHERE version_id IN (\(changed))")
            while try s.step() { persons.insert(Int(s.int(0))) }
            try db.execute("DELETE FROM writedown WHERE version_id IN (\(changes)'added'); DELETE FROM writedown_segment WHERE version_id IN (\(changes)'added')")
        }
        try db.execute("DELETE FROM \(table) WHERE version_id IN (\(changes)'added')")
        try db.execute("UPDATE \(table) SET closed_in = NULL, last_batch = NULL WHERE version_id IN (\(changes)'gone')")
        try db.execute("DELETE FROM load_change_set WHERE \(delivery)")
        try db.execute("DELETE FROM reject WHERE \(delivery); DELETE FROM quarantine WHERE \(delivery)")
        return persons
    }

    /// The municipality's current dataset: each version's content hash, line hash and identity.
    func currentVersions() throws -> CurrentVersions {
        try Self.currentVersions(db, table: table, name: name)
    }

    /// The same through any connection: a reader on another thread sees the last committed dataset.
    static func currentVersions(_ db: Database, table: String, name: DeliveryName) throws -> CurrentVersions {
        // The size to expect comes from the last delivery, without counting ten million index entries first.
        guard let last = try LastLoad.of(db, name: name) else { return CurrentVersions() }
        let key: [SQLValue] = [.int(Int64(name.komnr)), .text(name.kind.rawValue)]
        let (scope, values) = table == "aid" ? ("komnr = ? AND kind = ?", key) : ("komnr = ?", [key[0]])
        var out = CurrentVersions(capacity: last.versions)
        let s = try db.prepare(currentVersionsQuery(table: table, scope: scope))
        try s.bind(values)
        let hasIdentity = table == "activity"
        while try s.step() {
            let line = s.int(2)  // NULL reads as 0: none
            out.add(hash: s.int(1), version: s.int(0), line: line == 0 ? nil : line, activity: hasIdentity ? s.int(3) : 0)
        }
        return out
    }

    /// Read from the current-version index alone (`Schema.currentIndex`; a plan test checks it).
    static func currentVersionsQuery(table: String, scope: String) -> String {
        let identity = table == "activity" ? ", activity_id" : ""
        return "SELECT version_id, content_hash, line_hash\(identity) FROM \(table) WHERE \(scope) AND closed_in IS NULL"
    }

    func person(_ r: RecordView) -> Int? { cprIndex.flatMap { r[$0].number } }

    /// Identity of an activation record (aids have none beyond their content).
    func activityID(_ r: RecordView) -> Int64? { table == "activity" ? identity.activityID(r) : nil }

    /// An activation record as the reconciliation compares it: every field in the warehouse's
    /// canonical text (numbers in decimal, dates as day numbers, flags 0/1), as reading it back would give.
    func reconciliationVersion(_ r: RecordView, version: Int64) -> (version: Reconciler.Version, activityID: Int64)? {
        guard table == "activity" else { return nil }
        return Self.reconciliationVersion(r, identity: identity, version: version)
    }

    static func reconciliationVersion(_ r: RecordView, identity: RecordIdentity,
                                      version: Int64) -> (version: Reconciler.Version, activityID: Int64)? {
        let layout = r.layout
        guard let ix = layout.indices("CPRnr", "Komnr", "Foranstalt", "Startdt", "Slutdt", "HoldID"),
              let cpr = r[ix[0]].number, let komnr = r[ix[1]].number, let foranstalt = r[ix[2]].number,
              let start = r[ix[3]].day, let end = r[ix[4]].day else { return nil }
        var fields: [String: String?] = [:]
        fields.reserveCapacity(layout.fields.count)
        for (i, f) in layout.fields.enumerated() {
            switch r[i] {
            case .missing: fields[f.name] = .some(nil)
            case .invalid: fields[f.name] = r.unmaskedRaw(i)
            case .number(let n): fields[f.name] = String(n)
            case .day(let d): fields[f.name] = String(d.ordinal)
            case .flag(let b): fields[f.name] = b ? "1" : "0"
            case .text: fields[f.name] = r.unmaskedRaw(i)
            }
        }
        let hold = r.string(ix[5])
        return (Reconciler.Version(versionID: version, cpr: cpr, komnr: komnr, foranstalt: foranstalt, start: start, end: end,
                                   holdID: hold, fields: fields), identity.activityID(r))
    }

    /// Records of the municipality's previous loaded dataset of this kind (0 if none).
    func previousRecords() throws -> Int {
        try LastLoad.of(db, name: name, before: batch)?.records ?? 0
    }

    /// Inserts a new version and returns its id.
    @discardableResult
    /// A new version; `lineHash` only for a line loaded without a finding (`LineHashers.storedHash`).
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
        if table == "activity" {
            s.bind(Int(identity.activityID(r)), at: col)
        } else {
            s.bind(name.kind.rawValue, at: col); col += 1
            s.bind(name.kind.aidType ?? 0, at: col)
        }
        run(s)
        return db.lastInsertRowID
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
    func close(_ versions: [Int64]) throws -> Set<Int> {
        guard !versions.isEmpty else { return [] }
        let previous = try LastLoad.of(db, name: name, before: batch)?.batch ?? Int64(batch)
        let returning = table == "activity" ? " RETURNING cprnr" : ""
        let s = try db.prepare("UPDATE \(table) SET closed_in = ?, last_batch = ? WHERE version_id = ?\(returning)")
        var persons: Set<Int> = []
        for v in versions {
            s.bind(batch, at: 1)
            s.bind(Int(previous), at: 2)
            s.bind(Int(v), at: 3)
            while try s.step() { persons.insert(Int(s.int(0))) }
            s.reset()
        }
        return persons
    }

    /// What this load changed, so that a rerun can undo exactly that: the versions it added and
    /// the versions it closed, each as one JSON array of ids (one row for a delivery's hundred
    /// thousand changes, where a row each cost the weekly load seconds).
    func recordChanges(added: [Int64], gone: [Int64]) throws {
        guard recordsChanges else { return }
        let s = try db.prepare("INSERT INTO load_change_set (batch_date, komnr, kind, change, version_ids) VALUES (?, ?, ?, ?, ?)")
        for (change, ids) in [("added", added), ("gone", gone)] {
            try s.bind([.int(Int64(batch)), .int(Int64(name.komnr)), .text(name.kind.rawValue), .text(change),
                        .text("[" + ids.lazy.map(String.init).joined(separator: ",") + "]")])
            try s.run()
        }
    }

    /// Versions in a person's words, CPR masked: what `accept --dry-run` shows of what would go.
    func describe(_ versions: [Int64]) throws -> [String] {
        let sql = table == "activity"
            ? "SELECT cprnr, foranstalt, startdt, slutdt, timetal FROM activity WHERE version_id = ?"
            : "SELECT aid_type, identnr, startdtgod, cvr, 0 FROM aid WHERE version_id = ?"
        let s = try db.prepare(sql)
        var out: [String] = []
        for v in versions {
            s.bind(Int(v), at: 1)
            defer { s.reset() }
            guard try s.step() else { continue }
            func day(_ c: Int32) -> String { s.isNull(c) ? "–" : Day(ordinal: Int32(s.int(c))).iso }
            out.append(table == "activity"
                ? "\(CPR.mask(CPR.digits(of: Int(s.int(0))))) Foranstalt \(s.int(1)) \(day(2))…\(day(3)) \(s.int(4)) h"
                : "aid type \(s.int(0)) \(CPR.scrub(s.text(1) ?? "")) approved \(day(2))")
        }
        return out
    }

    func recordDelivery(_ o: LoadOutcome, startedAt: String) throws {
        try RunLedger(db, batch: name.batchDate).recordLoaded(name, file: file, o, startedAt: startedAt)
    }
}

import AmforaCore

/// Where a streamed load writes, whichever the warehouse: what matching finds as it goes
/// (`MatchSink`), then what the load closed and the bookkeeping a rerun and the later stages
/// read. `RowSink` writes into SQLite, `PostgresRowSink` into PostgreSQL.
protocol LoadSink: MatchSink {
    var name: DeliveryName { get }
    /// The warehouse's bookkeeping SQL, for the steps both sinks take alike (below).
    var sql: any WarehouseSQL { get }
    var table: WarehouseTable { get }
    var file: String { get }
    /// The versions written, in order.
    var written: [Int64] { get }
    /// Off for a municipality's first dataset: undoing it needs no list (every version of the
    /// batch goes), and a list of ten million versions would cost the first load dearly.
    var recordsChanges: Bool { get set }
    /// Rethrows the first error of the per-line callbacks, after the last line.
    func check() throws
    /// Closes versions that are no longer delivered: they were last seen in the municipality's
    /// previous loaded batch and are gone as of this one.
    func close(_ versions: [Int64]) throws
}

extension LoadSink {
    var batch: Int { Int(name.batchDate.ordinal) }

    /// Records of the municipality's previous loaded dataset of this kind (0 if none).
    func previousRecords() throws -> Int {
        try LastLoad.of(sql, name: name, before: batch)?.records ?? 0
    }

    /// What this load changed, so that a rerun can undo exactly that: the versions it added and
    /// the versions it closed, each as one list of ids (one row for a delivery's hundred
    /// thousand changes, where a row each cost the weekly load seconds).
    func recordChanges(added: [Int64], gone: [Int64]) throws {
        guard recordsChanges else { return }
        for (change, ids) in [("added", added), ("gone", gone)] {
            try sql.run("INSERT INTO load_change_set (batch_date, komnr, kind, change, version_ids) VALUES (?, ?, ?, ?, ?)",
                        [.int(Int64(batch)), .int(Int64(name.komnr)), .text(name.kind.rawValue), .text(change), .text(sql.idList(ids))])
        }
    }

    /// Versions in a person's words, CPR masked: what `accept --dry-run` shows of what would go.
    func describe(_ versions: [Int64]) throws -> [String] {
        let query = table.holdsMeasures
            ? "SELECT cprnr, foranstalt, startdt, slutdt, timetal FROM activity WHERE version_id = ?"
            : "SELECT aid_type, identnr, startdtgod, cvr, 0 FROM aid WHERE version_id = ?"
        return try versions.compactMap { v in
            guard let r = try sql.firstRow(query, [.int(v)]) else { return nil }
            func int(_ c: Int) -> Int64 { r[c].int ?? 0 }
            func day(_ c: Int) -> String { r[c].int.map { Day(ordinal: Int32($0)).iso } ?? "–" }
            return table.holdsMeasures
                ? "\(CPR.mask(CPR.digits(of: Int(int(0))))) Foranstalt \(int(1)) \(day(2))…\(day(3)) \(int(4)) h"
                : "aid type \(int(0)) \(CPR.scrub(r[1].text ?? "")) approved \(day(2))"
        }
    }

    /// The delivery's row, and what the write-down and the reconciliation still owe it (`PendingWork`).
    func recordDelivery(_ o: LoadOutcome, flags: [String], startedAt: String) throws {
        try RunLedger(sql, batch: name.batchDate).recordLoaded(name, file: file, o, startedAt: startedAt)
        try PendingWork.record(sql, name, o, flags: flags)
    }
}

/// A warehouse a delivery can be streamed into (`DeliveryLoader.stream`): one transaction per
/// delivery, the undoing of an earlier load of the same batch, and last Friday's versions.
protocol DeliveryStore {
    associatedtype Sink: LoadSink
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Undoes an earlier load of this very batch (`EarlierLoad`); the persons concerned.
    func undoEarlierLoad(_ name: DeliveryName) throws -> Set<Int>
    /// The municipality's current dataset of the delivery's kind.
    func currentVersions(_ name: DeliveryName) throws -> CurrentVersions
    func sink(layout: Layout, name: DeliveryName, file: String) throws -> Sink
}

/// The SQLite warehouse as a `DeliveryStore`.
struct SQLiteDeliveryStore: DeliveryStore {
    let db: Database

    func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }
    func undoEarlierLoad(_ name: DeliveryName) throws -> Set<Int> { try EarlierLoad.undo(db, name) }
    func currentVersions(_ name: DeliveryName) throws -> CurrentVersions { try CurrentVersions.read(db, name) }
    func sink(layout: Layout, name: DeliveryName, file: String) throws -> RowSink {
        try RowSink(db: db, layout: layout, name: name, file: file)
    }
}

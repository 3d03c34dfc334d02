import AmforaCore

/// Where a streamed load writes, whichever the warehouse: what matching finds as it goes
/// (`MatchSink`), then what the load closed and the bookkeeping a rerun and the later stages
/// read. `RowSink` writes into SQLite, `PostgresRowSink` into PostgreSQL.
protocol LoadSink: MatchSink {
    var name: DeliveryName { get }
    /// The versions written, in order.
    var written: [Int64] { get }
    /// Off for a municipality's first dataset (see `RowSink.recordsChanges`).
    var recordsChanges: Bool { get set }
    /// Rethrows the first error of the per-line callbacks, after the last line.
    func check() throws
    /// Records of the municipality's previous loaded dataset of this kind (0 if none).
    func previousRecords() throws -> Int
    /// Closes versions that are no longer delivered.
    func close(_ versions: [Int64]) throws
    /// What this load changed, so that a rerun can undo exactly that.
    func recordChanges(added: [Int64], gone: [Int64]) throws
    /// Versions in a person's words, CPR masked (`accept --dry-run`).
    func describe(_ versions: [Int64]) throws -> [String]
    /// The delivery's row, and what the write-down and the reconciliation still owe it (`PendingWork`).
    func recordDelivery(_ o: LoadOutcome, flags: [String], startedAt: String) throws
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

public import AmforaCore
import Foundation

/// The PostgreSQL warehouse as a `DeliveryStore`: a delivery streams into it as into SQLite
/// (`DeliveryLoader.stream`), with the same undoing of an earlier load and the same bookkeeping
/// (`EarlierLoad`, `LastLoad`, `RunLedger`, `PendingWork` through `WarehouseSQL`).
struct PostgresDeliveryStore: DeliveryStore {
    let connection: PostgresConnection
    let personKey: PersonKey

    func transaction<T>(_ body: () throws -> T) throws -> T { try connection.transaction(body) }

    func sink(layout: Layout, name: DeliveryName, file: String) throws -> PostgresRowSink {
        try PostgresRowSink(connection: connection, layout: layout, name: name, file: file, personKey: personKey)
    }

    /// `CurrentVersions.read` in PostgreSQL, in version order (the order of the deliveries they
    /// came from, which matching walks), streamed by `COPY … TO STDOUT`: a municipality's million
    /// versions as rows of text would take more memory than the index they fill.
    func currentVersions(_ name: DeliveryName) throws -> CurrentVersions {
        guard let last = try LastLoad.of(connection, name: name) else { return CurrentVersions() }
        let table = WarehouseTable(name.kind)
        let identity = table.holdsMeasures ? ", activity_id, cprnr" : ""
        var out = CurrentVersions(capacity: last.versions)
        var values: [Int64?] = []
        try connection.copyOut("""
            SELECT version_id, content_hash, line_hash\(identity) FROM amfora.\(table.name)
            WHERE \(table.scope(name)) AND closed_in IS NULL ORDER BY version_id
            """) { row in
            CopyIntegers.parse(row, into: &values)
            let int = { (c: Int) in c < values.count ? values[c] ?? 0 : 0 }
            let line = int(2)
            out.add(hash: int(1), version: int(0), line: line == 0 ? nil : line,
                    activity: table.holdsMeasures ? int(3) : 0, person: table.holdsMeasures ? int(4) : 0)
        }
        return out
    }

    /// `EarlierLoad.undo`, in PostgreSQL's words where they differ (`WarehouseSQL`).
    func undoEarlierLoad(_ name: DeliveryName) throws -> Set<Int> { try EarlierLoad.undo(connection, name) }
}

extension PostgresWarehouse {
    /// Streams one delivery into the warehouse (`DeliveryLoader.stream`), in one transaction.
    public func load(path: String, name: DeliveryName, archive: DeliveryArchive? = nil, options: ValidationOptions = ValidationOptions(),
                     policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        try DeliveryLoader.stream(path: path, name: name, into: PostgresDeliveryStore(connection: connection, personKey: personKey),
                                  archive: archive, options: options, policy: policy, startedAt: startedAt)
    }
}

public import AmforaCore
import Foundation

/// The PostgreSQL warehouse as a `DeliveryStore`: a delivery streams into it as into SQLite
/// (`DeliveryLoader.stream`), with the same undoing of an earlier load and the same bookkeeping.
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
        guard let last = try PostgresLastLoad.of(connection, name: name) else { return CurrentVersions() }
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

    /// `EarlierLoad.undo` in PostgreSQL: the versions an earlier load of this very batch added
    /// go (with their write-down), those it closed come back, its findings and quarantined lines go.
    func undoEarlierLoad(_ name: DeliveryName) throws -> Set<Int> {
        let table = WarehouseTable(name.kind)
        let key = [String(name.batchDate.ordinal), String(name.komnr), name.kind.rawValue]
        let delivery = "batch_date = $1 AND komnr = $2 AND kind = $3"
        guard try connection.scalar("SELECT count(*) FROM amfora.delivery WHERE \(delivery) AND status = 'loaded'", key) ?? 0 > 0 else {
            return []
        }
        let recorded = try connection.scalar("SELECT count(*) FROM amfora.load_change_set WHERE \(delivery)", key) ?? 0 > 0
        let scope = table == .aid ? "komnr = $2 AND kind = $3" : "komnr = $2"
        let added = recorded
            ? "SELECT unnest(version_ids) FROM amfora.load_change_set WHERE \(delivery) AND change = 'added'"
            : "SELECT version_id FROM amfora.\(table.name) WHERE \(scope) AND closed_in IS NULL AND first_batch = $1 AND $3 = $3"
        let gone = "SELECT unnest(version_ids) FROM amfora.load_change_set WHERE \(delivery) AND change = 'gone'"
        var persons: Set<Int> = []
        if table.holdsMeasures {
            let all = recorded ? "\(added) UNION ALL \(gone)" : added
            for r in try connection.query("SELECT cprnr FROM amfora.activity WHERE version_id IN (\(all))", key) {
                if let p = r[0].flatMap({ Int($0) }) { persons.insert(p) }
            }
            try connection.query("DELETE FROM amfora.writedown WHERE version_id IN (\(added))", key)
        }
        if recorded {
            try connection.query("UPDATE amfora.\(table.name) SET closed_in = NULL, last_batch = NULL WHERE version_id IN (\(gone))", key)
        }
        try connection.query("DELETE FROM amfora.\(table.name) WHERE version_id IN (\(added))", key)
        for t in ["load_change_set", "reject", "quarantine"] {
            try connection.query("DELETE FROM amfora.\(t) WHERE \(delivery)", key)
        }
        return persons
    }

}

/// `LastLoad.of` in PostgreSQL.
enum PostgresLastLoad {
    static func of(_ c: PostgresConnection, name: DeliveryName, before batch: Int? = nil) throws -> LastLoad? {
        let rows = try c.query("""
            SELECT batch_date, coalesce(records, 0), coalesce(records - rejected, 0), encoding, file FROM amfora.delivery
            WHERE komnr = $1 AND kind = $2 AND status = 'loaded' AND batch_date < $3 ORDER BY batch_date DESC LIMIT 1
            """, [String(name.komnr), name.kind.rawValue, String(batch ?? Int(Int32.max))])
        guard let r = rows.first else { return nil }
        return LastLoad(batch: Int64(r[0] ?? "0") ?? 0, records: Int(r[1] ?? "0") ?? 0, versions: max(Int(r[2] ?? "0") ?? 0, 0),
                        encoding: r[3].flatMap(TextEncoding.init(rawValue:)), file: r[4])
    }
}

/// The run's bookkeeping a load writes, in PostgreSQL: the rows `RunLedger` and `PendingWork`
/// write in SQLite, from the same values.
struct PostgresLedger {
    let connection: PostgresConnection

    init(_ connection: PostgresConnection) { self.connection = connection }

    func recordLoaded(_ name: DeliveryName, file: String, _ o: LoadOutcome, startedAt: String) throws {
        try record(.loaded(name, file: file, o, startedAt: startedAt))
    }

    func record(_ r: RunLedger.DeliveryRecord) throws {
        try connection.query("""
            INSERT INTO amfora.delivery (\(RunLedger.DeliveryRecord.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            ON CONFLICT (batch_date, komnr, kind) DO UPDATE SET
            \(Self.updateAll(RunLedger.DeliveryRecord.columns, keys: 3))
            """, r.values)
    }

    func recordPending(_ name: DeliveryName, _ o: LoadOutcome, flags: [String]) throws {
        let rows = PendingWork.Rows(name, o, flags: flags)
        if let persons = rows.persons {
            try connection.query("INSERT INTO amfora.pending_writedown (batch_date, komnr, kind, persons) VALUES ($1, $2, $3, decode($4, 'hex'))",
                                 rows.key + [.text(Hex.string(persons))])
        }
        try connection.query("""
            INSERT INTO amfora.pending_reconcile (\(PendingWork.Rows.reconcileColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (batch_date, komnr, kind) DO UPDATE SET \(Self.updateAll(PendingWork.Rows.reconcileColumns, keys: 3))
            """, rows.reconcile)
    }

    /// `a = EXCLUDED.a, …` for the columns after the first `keys` (the conflict's key).
    static func updateAll(_ columns: String, keys: Int) -> String {
        columns.split(separator: ",").dropFirst(keys).map { c in
            let name = c.trimmingCharacters(in: .whitespaces)
            return "\(name) = EXCLUDED.\(name)"
        }.joined(separator: ", ")
    }
}

extension PostgresConnection {
    /// `query` with the values the SQLite bookkeeping binds.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue]) throws(PostgresError) -> PostgresRows {
        try query(sql, values.map { v -> String? in
            switch v {
            case .int(let n): String(n)
            case .double(let x): String(x)
            case .text(let t): t
            case .null: nil
            }
        })
    }
}

extension PostgresWarehouse {
    /// Streams one delivery into the warehouse (`DeliveryLoader.stream`), in one transaction.
    public func load(path: String, name: DeliveryName, archive: DeliveryArchive? = nil, options: ValidationOptions = ValidationOptions(),
                     policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        try DeliveryLoader.stream(path: path, name: name, into: PostgresDeliveryStore(connection: connection, personKey: personKey),
                                  archive: archive, options: options, policy: policy, startedAt: startedAt)
    }
}

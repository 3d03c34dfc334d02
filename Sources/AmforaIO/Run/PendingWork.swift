public import AmforaCore
import Foundation

/// What a load leaves for the later stages: the persons whose write-down must be recomputed and
/// the delivery to reconcile against the dataset it replaced. Recorded in the load's own
/// transaction and forgotten in the transaction of the stage that does the work, so a run that
/// dies anywhere leaves exactly the unfinished work behind, and the next run does it — a
/// delivery found "already loaded" has nothing left to do only when nothing is pending for it.
public enum PendingWork {
    /// Inside the load's transaction.
    static func record(_ db: any WarehouseSQL, _ name: DeliveryName, _ o: LoadOutcome, flags: [String]) throws {
        let rows = Rows(name, o, flags: flags)
        if let persons = rows.persons {
            try db.run("INSERT INTO pending_writedown (batch_date, komnr, kind, persons) VALUES (?, ?, ?, ?)", rows.key + [.blob(persons)])
        }
        try db.run("""
            INSERT INTO pending_reconcile (\(Rows.reconcileColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (batch_date, komnr, kind) DO UPDATE SET \(upsert(Rows.reconcileColumns, keys: 3))
            """, rows.reconcile)
    }

    /// What a load leaves pending, as both warehouses store it.
    struct Rows {
        static let reconcileColumns = "batch_date, komnr, kind, unchanged, previous_records, records, added, gone, duplicates, flags"
        let key: [SQLValue]
        /// Eight bytes a person, little-endian: a first Friday's three million persons in 24 MB.
        let persons: [UInt8]?
        let reconcile: [SQLValue]

        init(_ name: DeliveryName, _ o: LoadOutcome, flags: [String]) {
            key = [.int(Int64(name.batchDate.ordinal)), .int(Int64(name.komnr)), .text(name.kind.rawValue)]
            persons = o.affectedPersons.isEmpty ? nil
                : o.affectedPersons.map { Int64($0).littleEndian }.sorted().withUnsafeBytes { Array($0) }
            let duplicates = "[" + o.duplicateIdentities.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
                .joined(separator: ",") + "]"
            reconcile = key + [.int(Int64(o.unchanged)), .int(Int64(o.previousRecords)), .int(Int64(o.summary.tally.records - o.rejected)),
                               .int(Int64(o.addedVersions.count)), .int(Int64(o.goneVersions.count)), .text(duplicates),
                               .text(flags.joined(separator: "; "))]
        }
    }

    /// Every person whose write-down is pending, from any batch.
    static func persons(_ db: any WarehouseSQL) throws -> Set<Int> {
        var out: Set<Int> = []
        try db.forEachRow("SELECT persons FROM pending_writedown", []) { r in
            (r[0].blob ?? []).withUnsafeBytes { bytes in
                for i in 0..<(bytes.count / 8) {
                    out.insert(Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))))
                }
            }
        }
        return out
    }

    /// Whether any write-down is pending (without reading a first Friday's millions of persons).
    static func anyPersons(_ db: any WarehouseSQL) throws -> Bool {
        try db.integer("SELECT count(*) FROM (SELECT 1 FROM pending_writedown LIMIT 1) AS p") ?? 0 > 0
    }

    /// In the write-down's transaction: every pending person was recomputed.
    static func forgetPersons(_ db: any WarehouseSQL) throws {
        try db.run("DELETE FROM pending_writedown", [])
    }

    /// Deliveries loaded but not yet reconciled, in the order the inbox lists them.
    public static func reconciliations(_ db: any WarehouseSQL) throws -> [PendingReconciliation] {
        try db.rows("""
            SELECT batch_date, komnr, kind, unchanged, previous_records, records, added, gone, duplicates, flags
            FROM pending_reconcile ORDER BY batch_date, komnr, kind
            """).compactMap { r in
            guard let kind = r[2].text.flatMap(RecordKind.init(rawValue:)) else { return nil }
            let duplicates = try JSONDecoder().decode([[Int64]].self, from: Data((r[8].text ?? "[]").utf8))
            func int(_ c: Int) -> Int { Int(r[c].int ?? 0) }
            return PendingReconciliation(
                delivery: DeliveryName(kind: kind, komnr: int(1), batchDate: Day(ordinal: Int32(int(0)))),
                unchanged: int(3), previousRecords: int(4), records: int(5), added: int(6), gone: int(7), duplicates: duplicates,
                flags: (r[9].text ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    /// `[12,345,6]` as written by `RowSink.recordChanges`: read digit by digit, since a Friday's
    /// lists hold half a million ids.
    static func idList(_ json: String) -> [Int64] {
        var out: [Int64] = []
        var n: Int64 = 0, inNumber = false
        for b in json.utf8 {
            if b >= 0x30, b <= 0x39 {
                n = n * 10 + Int64(b - 0x30)
                inNumber = true
            } else if inNumber {
                out.append(n)
                n = 0
                inNumber = false
            }
        }
        return out
    }

    /// In the reconciliation's transaction for that delivery.
    static func forget(_ db: any WarehouseSQL, _ p: PendingReconciliation) throws {
        try db.run("DELETE FROM pending_reconcile WHERE batch_date = ? AND komnr = ? AND kind = ?", p.scope)
    }

    /// The versions the delivery's load added and closed, as it recorded them (`load_change_set`);
    /// a first dataset records no list: its versions are those first seen in its batch.
    static func versions(_ db: any WarehouseSQL, _ p: PendingReconciliation) throws -> (added: [Int64], gone: [Int64]) {
        var lists: [String: [Int64]] = [:]
        try db.forEachRow("SELECT change, version_ids FROM load_change_set WHERE batch_date = ? AND komnr = ? AND kind = ?", p.scope) { r in
            lists[r[0].text ?? ""] = idList(r[1].text ?? "[]")
        }
        if let added = lists["added"] { return (added, lists["gone"] ?? []) }
        let table = WarehouseTable(p.delivery.kind)
        let added = try db.rows("""
            SELECT version_id FROM \(table.name) WHERE \(table.parameterisedScope) AND closed_in IS NULL AND first_batch = ? ORDER BY version_id
            """, table.scopeValues(komnr: p.scope[1], kind: p.scope[2]) + [p.scope[0]]).compactMap { $0[0].int }
        return (added, [])
    }

    /// `a = excluded.a, …` for the columns after the first `keys` (the conflict's key): an
    /// upsert both SQLite and PostgreSQL take.
    static func upsert(_ columns: String, keys: Int) -> String {
        columns.split(separator: ",").dropFirst(keys).map { c in
            let name = c.trimmingCharacters(in: .whitespaces)
            return "\(name) = excluded.\(name)"
        }.joined(separator: ", ")
    }
}

/// A loaded delivery still to be reconciled: what its load found, as recorded by it.
public struct PendingReconciliation: Sendable {
    public let delivery: DeliveryName
    public let unchanged: Int
    /// Records of the dataset the delivery replaced (0: none).
    public let previousRecords: Int
    /// Records loaded (quarantined lines are not).
    public let records: Int
    /// Versions the load added and closed.
    public let added: Int
    public let gone: Int
    public let duplicates: [[Int64]]
    public let flags: [String]

    /// A municipality's first dataset has no last Friday: all new, summarised without a row per record.
    var isFirstDataset: Bool { previousRecords == 0 && gone == 0 }

    var scope: [SQLValue] {
        [.int(Int64(delivery.batchDate.ordinal)), .int(Int64(delivery.komnr)), .text(delivery.kind.rawValue)]
    }
}

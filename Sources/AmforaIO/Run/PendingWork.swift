public import AmforaCore
import Foundation

/// What a load leaves for the later stages: the persons whose write-down must be recomputed and
/// the delivery to reconcile against the dataset it replaced. Recorded in the load's own
/// transaction and forgotten in the transaction of the stage that does the work, so a run that
/// dies anywhere leaves exactly the unfinished work behind, and the next run does it — a
/// delivery found "already loaded" has nothing left to do only when nothing is pending for it.
public enum PendingWork {
    /// Inside the load's transaction.
    static func record(_ db: Database, _ name: DeliveryName, _ o: LoadOutcome, flags: [String]) throws {
        let rows = Rows(name, o, flags: flags)
        if let persons = rows.persons {
            let s = try db.prepare("INSERT INTO pending_writedown (batch_date, komnr, kind, persons) VALUES (?, ?, ?, ?)")
            try s.bind(rows.key)
            persons.withUnsafeBufferPointer { s.bindBlob($0, at: 4) }
            try s.run()
        }
        let r = try db.prepare("INSERT OR REPLACE INTO pending_reconcile (\(Rows.reconcileColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try r.bind(rows.reconcile)
        try r.run()
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
    static func persons(_ db: Database) throws -> Set<Int> {
        var out: Set<Int> = []
        let s = try db.prepare("SELECT persons FROM pending_writedown")
        while try s.step() {
            let bytes = s.blob(0)
            for i in 0..<(bytes.count / 8) {
                out.insert(Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))))
            }
        }
        return out
    }

    /// Whether any write-down is pending (without reading a first Friday's millions of persons).
    static func anyPersons(_ db: Database) throws -> Bool {
        try db.scalar("SELECT count(*) FROM (SELECT 1 FROM pending_writedown LIMIT 1)") ?? 0 > 0
    }

    /// In the write-down's transaction: every pending person was recomputed.
    static func forgetPersons(_ db: Database) throws {
        try db.execute("DELETE FROM pending_writedown")
    }

    /// Deliveries loaded but not yet reconciled, in the order the inbox lists them.
    public static func reconciliations(_ db: Database) throws -> [PendingReconciliation] {
        let s = try db.prepare("""
            SELECT batch_date, komnr, kind, unchanged, previous_records, records, added, gone, duplicates, flags
            FROM pending_reconcile ORDER BY batch_date, komnr, kind
            """)
        var out: [PendingReconciliation] = []
        while try s.step() {
            guard let kind = s.text(2).flatMap(RecordKind.init(rawValue:)) else { continue }
            let duplicates = try JSONDecoder().decode([[Int64]].self, from: Data((s.text(8) ?? "[]").utf8))
            out.append(PendingReconciliation(
                delivery: DeliveryName(kind: kind, komnr: Int(s.int(1)), batchDate: Day(ordinal: Int32(s.int(0)))),
                unchanged: Int(s.int(3)), previousRecords: Int(s.int(4)), records: Int(s.int(5)), added: Int(s.int(6)),
                gone: Int(s.int(7)), duplicates: duplicates,
                flags: (s.text(9) ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
        }
        return out
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
    static func forget(_ db: Database, _ p: PendingReconciliation) throws {
        let s = try db.prepare("DELETE FROM pending_reconcile WHERE batch_date = ? AND komnr = ? AND kind = ?")
        try s.bind(p.scope)
        try s.run()
    }

    /// The versions the delivery's load added and closed, as it recorded them (`load_change_set`);
    /// a first dataset records no list: its versions are those first seen in its batch.
    static func versions(_ db: Database, _ p: PendingReconciliation) throws -> (added: [Int64], gone: [Int64]) {
        var lists: [String: [Int64]] = [:]
        let s = try db.prepare("SELECT change, version_ids FROM load_change_set WHERE batch_date = ? AND komnr = ? AND kind = ?")
        try s.bind(p.scope)
        while try s.step() { lists[s.text(0) ?? ""] = idList(s.text(1) ?? "[]") }
        if let added = lists["added"] { return (added, lists["gone"] ?? []) }
        let table = WarehouseTable(p.delivery.kind)
        let first = try db.prepare("""
            SELECT version_id FROM \(table.name) WHERE \(table.parameterisedScope) AND closed_in IS NULL AND first_batch = ? ORDER BY version_id
            """)
        try first.bind(table.scopeValues(komnr: p.scope[1], kind: p.scope[2]) + [p.scope[0]])
        var added: [Int64] = []
        while try first.step() { added.append(first.int(0)) }
        return (added, [])
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

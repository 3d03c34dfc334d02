public import AmforaCore
import Foundation

/// Reconciles each loaded delivery (`PendingWork`) against the dataset it replaced
/// (AmforaCore/Reconcile) and stores the result: `v_reconciliation`, `v_reconciliation_summary`.
public enum ReconcileStage {
    /// Field names of the §52.2 layout, with their warehouse columns, for "which fields changed".
    static let layout = LayoutCatalog.standard.layout(for: .amfora)

    /// Reconciles one pending delivery and forgets it, in one transaction. `inMemory`: the added
    /// versions as this process parsed them, when it loaded the delivery itself (reading them
    /// back costs a random read each); otherwise they are read from the warehouse.
    public static func apply(_ db: Database, _ p: PendingReconciliation,
                             inMemory: [(version: Reconciler.Version, activityID: Int64)]? = nil) throws -> Reconciler.Outcome {
        try db.transaction {
            let b = Int64(p.delivery.batchDate.ordinal)
            let scope = p.scope
            for table in ["reconciliation", "reconciliation_summary"] {
                let del = try db.prepare("DELETE FROM \(table) WHERE batch_date = ? AND komnr = ? AND kind = ?")
                try del.bind(scope)
                try del.run()
            }
            let result: Reconciler.Outcome
            if p.isFirstDataset {
                // A first dataset: there is no last Friday to compare with, so every record is new;
                // the summary says so without a row per record.
                var r = Reconciler.Outcome()
                r.duplicateIdentities = p.duplicates
                result = r
            } else if p.delivery.kind == .amfora {
                let ids = try PendingWork.versions(db, p)
                let added = inMemory?.count == ids.added.count ? inMemory! : try versions(db, ids.added)
                let gone = try versions(db, ids.gone)
                let seen = try db.prepare("SELECT 1 FROM activity WHERE activity_id = ? AND closed_in IS NOT NULL AND closed_in < ? LIMIT 1")
                let identity = Dictionary(uniqueKeysWithValues: added.map { ($0.version.versionID, $0.activityID) })
                result = Reconciler.reconcile(added: added.map(\.version), gone: gone.map(\.version),
                                              duplicates: p.duplicates, batch: p.delivery.batchDate) { v in
                    guard let id = identity[v.versionID] else { return false }
                    seen.bind(Int(id), at: 1)
                    seen.bind(Int(b), at: 2)
                    defer { seen.reset() }
                    return (try? seen.step()) ?? false
                }
                var activityIDs = identity
                activityIDs.reserveCapacity(added.count + gone.count)
                for g in gone { activityIDs[g.version.versionID] = g.activityID }
                try store(db, result, scope: scope, activityIDs: activityIDs)
            } else {
                // An aid grant's identity is its whole content: it is new or removed, never changed.
                let ids = try PendingWork.versions(db, p)
                var r = Reconciler.Outcome()
                r.entries = ids.added.map { .init(change: .new, current: $0, previous: nil, changedFields: [], historyChange: false) }
                    + ids.gone.map { .init(change: .removed, current: nil, previous: $0, changedFields: [], historyChange: false) }
                result = r
                try store(db, result, scope: scope, activityIDs: [:])
            }
            let sum = try db.prepare("""
                INSERT INTO reconciliation_summary (batch_date, komnr, kind, unchanged, changed, new, removed, reappeared,
                    duplicates, history_changes, records, previous_records, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let new = p.isFirstDataset ? p.added : result.count(.new)
            try sum.bind(scope + [.int(Int64(p.unchanged)), .int(Int64(result.count(.changed))), .int(Int64(new)),
                                  .int(Int64(result.count(.removed))), .int(Int64(result.count(.reappeared))),
                                  .int(Int64(result.duplicateIdentities.count)), .int(Int64(result.historyChanges)),
                                  .int(Int64(p.records)), .int(Int64(p.previousRecords)),
                                  .text(p.flags.joined(separator: "; "))])
            try sum.run()
            try PendingWork.forget(db, p)
            return result
        }
    }

    /// One row per entry, bound value by value: a national Friday's 600,000 rows bound through
    /// arrays of values cost an allocation each, most of four seconds.
    static func store(_ db: Database, _ r: Reconciler.Outcome, scope: [SQLValue], activityIDs: [Int64: Int64]) throws {
        let ins = try db.prepare("""
            INSERT INTO reconciliation (batch_date, komnr, kind, change, activity_id, version_id, previous_version_id,
                changed_fields, history_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func bind(_ v: Int64?, at i: Int32) { if let v { ins.bind(Int(v), at: i) } else { ins.bindNull(at: i) } }
        for e in r.entries {
            try ins.bind(scope)  // `run` clears the bindings
            ins.bind(e.change.rawValue, at: 4)
            bind((e.current ?? e.previous).flatMap { activityIDs[$0] }, at: 5)
            bind(e.current, at: 6)
            bind(e.previous, at: 7)
            if e.changedFields.isEmpty { ins.bindNull(at: 8) } else { ins.bind(e.changedFields.joined(separator: ","), at: 8) }
            ins.bind(e.historyChange ? 1 : 0, at: 9)
            try ins.run()
        }
    }

    /// Loads versions by id with every layout field as text, for pairing and field comparison.
    static func versions(_ db: Database, _ ids: [Int64]) throws -> [(version: Reconciler.Version, activityID: Int64)] {
        guard !ids.isEmpty else { return [] }
        let columns = layout.fields.map { "\"\($0.name.lowercased())\"" }
        let s = try db.prepare("SELECT version_id, activity_id, cprnr, komnr, foranstalt, startdt, slutdt, holdid, \(columns.joined(separator: ", ")) FROM activity WHERE version_id = ?")
        var out: [(Reconciler.Version, Int64)] = []
        out.reserveCapacity(ids.count)
        let order = Reconciler.Version.Fields.Order(layout)
        for id in ids {
            s.bind(Int(id), at: 1)
            defer { s.reset() }
            guard try s.step() else { continue }
            let fields = order.fields.map { i in s.isNull(Int32(8 + i)) ? nil : s.text(Int32(8 + i)) }
            out.append((Reconciler.Version(versionID: s.int(0), cpr: Int(s.int(2)), komnr: Int(s.int(3)), foranstalt: Int(s.int(4)),
                                           start: Day(ordinal: Int32(s.int(5))), end: Day(ordinal: Int32(s.int(6))),
                                           holdID: s.text(7), fields: .init(order, values: fields)), s.int(1)))
        }
        return out
    }
}

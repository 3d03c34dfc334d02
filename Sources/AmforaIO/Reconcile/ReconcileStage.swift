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
    public static func apply(_ db: some ReconcileStore, _ p: PendingReconciliation,
                             inMemory: [(version: Reconciler.Version, activityID: Int64)]? = nil) throws -> Reconciler.Outcome {
        try db.transaction {
            let b = Int64(p.delivery.batchDate.ordinal)
            let scope = p.scope
            for table in ["reconciliation", "reconciliation_summary"] {
                try db.run("DELETE FROM \(table) WHERE batch_date = ? AND komnr = ? AND kind = ?", scope)
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
                let added = inMemory?.count == ids.added.count ? inMemory! : try db.reconciliationVersions(ids.added)
                let gone = try db.reconciliationVersions(ids.gone)
                let identity = Dictionary(uniqueKeysWithValues: added.map { ($0.version.versionID, $0.activityID) })
                let seenBefore = try db.closedBefore(b, among: added.map(\.activityID))
                result = Reconciler.reconcile(added: added.map(\.version), gone: gone.map(\.version),
                                              duplicates: p.duplicates, batch: p.delivery.batchDate) { v in
                    guard let id = identity[v.versionID] else { return false }
                    return seenBefore(id)
                }
                var activityIDs = identity
                activityIDs.reserveCapacity(added.count + gone.count)
                for g in gone { activityIDs[g.version.versionID] = g.activityID }
                try db.storeReconciliation(result, scope: scope, activityIDs: activityIDs)
            } else {
                // An aid grant's identity is its whole content: it is new or removed, never changed.
                let ids = try PendingWork.versions(db, p)
                var r = Reconciler.Outcome()
                r.entries = ids.added.map { .init(change: .new, current: $0, previous: nil, changedFields: [], historyChange: false) }
                    + ids.gone.map { .init(change: .removed, current: nil, previous: $0, changedFields: [], historyChange: false) }
                result = r
                try db.storeReconciliation(result, scope: scope, activityIDs: [:])
            }
            let new = p.isFirstDataset ? p.added : result.count(.new)
            try db.run("""
                INSERT INTO reconciliation_summary (batch_date, komnr, kind, unchanged, changed, new, removed, reappeared,
                    duplicates, history_changes, records, previous_records, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, scope + [.int(Int64(p.unchanged)), .int(Int64(result.count(.changed))), .int(Int64(new)),
                                  .int(Int64(result.count(.removed))), .int(Int64(result.count(.reappeared))),
                                  .int(Int64(result.duplicateIdentities.count)), .int(Int64(result.historyChanges)),
                                  .int(Int64(p.records)), .int(Int64(p.previousRecords)),
                                  .text(p.flags.joined(separator: "; "))])
            try PendingWork.forget(db, p)
            return result
        }
    }

    /// The columns of a version the reconciliation reads: its identity, then every layout field
    /// as text, for pairing and field comparison.
    static var versionColumns: String {
        "version_id, activity_id, cprnr, komnr, foranstalt, startdt, slutdt, holdid, "
            + layout.fields.map { "\"\($0.name.lowercased())\"" }.joined(separator: ", ")
    }

    /// A version from a row of `versionColumns`, by a column reader.
    static func version(_ int: (Int) -> Int64, _ text: (Int) -> String?, order: Reconciler.Version.Fields.Order)
        -> (version: Reconciler.Version, activityID: Int64) {
        (Reconciler.Version(versionID: int(0), cpr: Int(int(2)), komnr: Int(int(3)), foranstalt: Int(int(4)),
                            start: Day(ordinal: Int32(int(5))), end: Day(ordinal: Int32(int(6))),
                            holdID: text(7), fields: .init(order, values: order.fields.map { text(8 + $0) })), int(1))
    }
}

/// A warehouse the reconciliation can be stored in: the bookkeeping's SQL, and its three bulk
/// steps in each warehouse's own way.
public protocol ReconcileStore: WarehouseSQL {
    /// Versions by id, in the order given.
    func reconciliationVersions(_ ids: [Int64]) throws -> [(version: Reconciler.Version, activityID: Int64)]
    /// Whether a measure (by activity id) was in force before `batch` and then removed: asked for
    /// some of `candidates`.
    func closedBefore(_ batch: Int64, among candidates: [Int64]) throws -> (Int64) -> Bool
    func storeReconciliation(_ r: Reconciler.Outcome, scope: [SQLValue], activityIDs: [Int64: Int64]) throws
}

extension Database: ReconcileStore {
    /// A lookup each in the closes' two tables (`ClosedMeasures`), as the reconciliation asks
    /// (only for measures that come without a predecessor).
    public func closedBefore(_ batch: Int64, among candidates: [Int64]) throws -> (Int64) -> Bool {
        let seen = try prepare("""
            SELECT 1 FROM \(ClosedMeasures.recent) WHERE activity_id = ?1 AND closed_in < ?2
            UNION ALL SELECT 1 FROM \(ClosedMeasures.settled) WHERE activity_id = ?1 AND closed_in < ?2 LIMIT 1
            """)
        return { id in
            seen.bind(Int(id), at: 1)
            seen.bind(Int(batch), at: 2)
            defer { seen.reset() }
            return (try? seen.step()) ?? false
        }
    }

    /// One row per entry, bound value by value: a national Friday's 600,000 rows bound through
    /// arrays of values cost an allocation each, most of four seconds.
    public func storeReconciliation(_ r: Reconciler.Outcome, scope: [SQLValue], activityIDs: [Int64: Int64]) throws {
        let db = self
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

    /// Loads versions by id, a lookup each (they lie where their loads put them).
    public func reconciliationVersions(_ ids: [Int64]) throws -> [(version: Reconciler.Version, activityID: Int64)] {
        guard !ids.isEmpty else { return [] }
        let s = try prepare("SELECT \(ReconcileStage.versionColumns) FROM activity WHERE version_id = ?")
        var out: [(Reconciler.Version, Int64)] = []
        out.reserveCapacity(ids.count)
        let order = Reconciler.Version.Fields.Order(ReconcileStage.layout)
        for id in ids {
            s.bind(Int(id), at: 1)
            defer { s.reset() }
            guard try s.step() else { continue }
            out.append(ReconcileStage.version({ s.int(Int32($0)) }, { s.isNull(Int32($0)) ? nil : s.text(Int32($0)) }, order: order))
        }
        return out
    }
}

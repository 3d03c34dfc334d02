public import AmforaCore
import Foundation

/// The reconciliation's bulk steps in PostgreSQL (`ReconcileStage` does the rest): a set of
/// versions in one query, the measures seen before as one set, the rows by COPY — a query each,
/// as SQLite does them, would cost a round trip each.
extension PostgresConnection: ReconcileStore {
    public func reconciliationVersions(_ ids: [Int64]) throws -> [(version: Reconciler.Version, activityID: Int64)] {
        guard !ids.isEmpty else { return [] }
        let rows = try query("SELECT \(ReconcileStage.versionColumns) FROM amfora.activity WHERE version_id = ANY($1::bigint[])",
                             [idList(ids)])
        let order = Reconciler.Version.Fields.Order(ReconcileStage.layout)
        var byID: [Int64: (version: Reconciler.Version, activityID: Int64)] = [:]
        byID.reserveCapacity(rows.count)
        for r in rows {
            let v = ReconcileStage.version({ r[$0].flatMap { Int64($0) } ?? 0 }, { r[$0] }, order: order)
            byID[v.version.versionID] = v
        }
        return ids.compactMap { byID[$0] }
    }

    public func closedBefore(_ batch: Int64, among candidates: [Int64]) throws -> (Int64) -> Bool {
        guard !candidates.isEmpty else { return { _ in false } }
        let seen = Set(try query("""
            SELECT activity_id FROM amfora.\(ClosedMeasures.recent) WHERE activity_id = ANY($1::bigint[]) AND closed_in < $2
            UNION SELECT activity_id FROM amfora.\(ClosedMeasures.settled) WHERE activity_id = ANY($1::bigint[]) AND closed_in < $2
            """, [idList(candidates), String(batch)]).compactMap { $0[0].flatMap { Int64($0) } })
        return { seen.contains($0) }
    }

    public func storeReconciliation(_ r: Reconciler.Outcome, scope: [SQLValue], activityIDs: [Int64: Int64]) throws {
        guard !r.entries.isEmpty else { return }
        let key = PostgresConnection.text(scope)
        try copy(into: "amfora.reconciliation", columns: ["batch_date", "komnr", "kind", "change", "activity_id", "version_id",
                                                          "previous_version_id", "changed_fields", "history_change"]) { stream in
            for e in r.entries {
                var row = stream.row()
                key.forEach { row.append($0) }
                row.append(e.change.rawValue)
                row.append((e.current ?? e.previous).flatMap { activityIDs[$0] })
                row.append(e.current)
                row.append(e.previous)
                row.append(e.changedFields.isEmpty ? nil : e.changedFields.joined(separator: ","))
                row.append(e.historyChange ? 1 : 0 as Int64)
                stream.add(row)
            }
        }
    }
}

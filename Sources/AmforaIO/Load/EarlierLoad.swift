import AmforaCore

/// A rerun loads a delivery of a batch that was loaded before: that earlier load is undone first,
/// inside the new load's transaction, so that loading the same delivery again is idempotent.
enum EarlierLoad {
    /// Undoes an earlier load of this very batch, if there is one: its new versions go (with
    /// their write-down), the versions it closed come back, its rejects and quarantined lines
    /// go. Returns the persons concerned, whose write-down is recomputed.
    static func undo(_ db: any WarehouseSQL, _ name: DeliveryName) throws -> Set<Int> {
        let table = WarehouseTable(name.kind)
        let batch = Int(name.batchDate.ordinal)
        let delivery = "batch_date = \(batch) AND komnr = \(name.komnr) AND kind = '\(name.kind.rawValue)'"
        var persons: Set<Int> = []
        // Only a rerun has an earlier load of this very batch to undo; a weekly load skips the scan.
        let loadedThisBatch = try db.integer("SELECT count(*) FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ? AND status = 'loaded'",
                                             [.int(Int64(batch)), .int(Int64(name.komnr)), .text(name.kind.rawValue)]) ?? 0
        guard loadedThisBatch > 0 else { return [] }
        func forget(_ versions: String) throws {
            guard table.holdsMeasures else { return }
            try db.forEachRow("SELECT cprnr FROM activity WHERE version_id IN (\(versions))", []) { r in
                if let p = r[0].int { persons.insert(Int(p)) }
            }
        }
        func deleteWriteDown(_ added: String) throws {
            guard table.holdsMeasures else { return }
            try db.run("DELETE FROM writedown WHERE version_id IN (\(added))", [])
            try db.run("DELETE FROM writedown_segment WHERE version_id IN (\(added))", [])
        }
        let recorded = try db.integer("SELECT count(*) FROM load_change_set WHERE \(delivery)") ?? 0
        if recorded == 0 {
            // A first dataset records no list: every current version first seen in this batch is the load's.
            let added = "SELECT version_id FROM \(table.name) WHERE \(table.scope(name)) AND closed_in IS NULL AND first_batch = \(batch)"
            try forget(added)
            try deleteWriteDown(added)
            try db.run("DELETE FROM \(table.name) WHERE version_id IN (\(added))", [])
        } else {
            let changed = db.changedVersions(where: delivery)
            let added = "\(changed) AND change = 'added'"
            try forget(changed)
            try deleteWriteDown(added)
            try db.run("DELETE FROM \(table.name) WHERE version_id IN (\(added))", [])
            if table.holdsMeasures { try ClosedMeasures.forget(db, batch: batch, versions: "\(changed) AND change = 'gone'") }
            try db.run("UPDATE \(table.name) SET closed_in = NULL, last_batch = NULL WHERE version_id IN (\(changed) AND change = 'gone')", [])
            try db.run("DELETE FROM load_change_set WHERE \(delivery)", [])
        }
        try db.run("DELETE FROM reject WHERE \(delivery)", [])
        try db.run("DELETE FROM quarantine WHERE \(delivery)", [])
        return persons
    }
}

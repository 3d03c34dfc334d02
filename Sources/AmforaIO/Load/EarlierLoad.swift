import AmforaCore

/// A rerun loads a delivery of a batch that was loaded before: that earlier load is undone first,
/// inside the new load's transaction, so that loading the same delivery again is idempotent.
enum EarlierLoad {
    /// Undoes an earlier load of this very batch, if there is one: its new versions go (with
    /// their write-down), the versions it closed come back, its rejects and quarantined lines
    /// go. Returns the persons concerned, whose write-down is recomputed.
    static func undo(_ db: Database, _ name: DeliveryName) throws -> Set<Int> {
        let table = WarehouseTable(name.kind)
        let batch = Int(name.batchDate.ordinal)
        let delivery = "batch_date = \(batch) AND komnr = \(name.komnr) AND kind = '\(name.kind.rawValue)'"
        var persons: Set<Int> = []
        // Only a rerun has an earlier load of this very batch to undo; a weekly load skips the scan.
        let loadedThisBatch = try db.scalar("SELECT count(*) FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ? AND status = 'loaded'",
                                            [.int(Int64(batch)), .int(Int64(name.komnr)), .text(name.kind.rawValue)]) ?? 0
        guard loadedThisBatch > 0 else { return [] }
        func forget(_ versions: String) throws {
            guard table.holdsMeasures else { return }
            let s = try db.prepare("SELECT cprnr FROM activity WHERE version_id IN (\(versions))")
            while try s.step() { persons.insert(Int(s.int(0))) }
        }
        let recorded = try db.scalar("SELECT count(*) FROM load_change_set WHERE \(delivery)") ?? 0
        if recorded == 0 {
            // A first dataset records no list: every current version first seen in this batch is the load's.
            let added = "SELECT version_id FROM \(table.name) WHERE \(table.scope(name)) AND closed_in IS NULL AND first_batch = \(batch)"
            try forget(added)
            if table.holdsMeasures {
                try db.execute("DELETE FROM writedown WHERE version_id IN (\(added)); DELETE FROM writedown_segment WHERE version_id IN (\(added))")
            }
            try db.execute("DELETE FROM \(table.name) WHERE version_id IN (\(added))")
        } else {
            let changed = "SELECT value FROM load_change_set, json_each(version_ids) WHERE \(delivery)"
            let added = "\(changed) AND change = 'added'"
            try forget(changed)
            if table.holdsMeasures {
                try db.execute("DELETE FROM writedown WHERE version_id IN (\(added)); DELETE FROM writedown_segment WHERE version_id IN (\(added))")
            }
            try db.execute("DELETE FROM \(table.name) WHERE version_id IN (\(added))")
            try db.execute("UPDATE \(table.name) SET closed_in = NULL, last_batch = NULL WHERE version_id IN (\(changed) AND change = 'gone')")
            try db.execute("DELETE FROM load_change_set WHERE \(delivery)")
        }
        try db.execute("DELETE FROM reject WHERE \(delivery); DELETE FROM quarantine WHERE \(delivery)")
        return persons
    }
}

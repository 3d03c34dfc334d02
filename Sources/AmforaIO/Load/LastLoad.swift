import AmforaCore

/// A municipality's last loaded delivery of one kind: the dataset in force, which this Friday's
/// delivery is matched against.
struct LastLoad: Sendable {
    let batch: Int64
    /// Its versions in force: the delivery's records less its quarantined lines.
    let versions: Int
    let encoding: TextEncoding?

    /// Nil when the municipality has no loaded dataset of this kind.
    static func of(_ db: Database, name: DeliveryName) throws -> LastLoad? {
        let s = try db.prepare("""
            SELECT batch_date, coalesce(records - rejected, 0), encoding FROM delivery
            WHERE komnr = ? AND kind = ? AND status = 'loaded' ORDER BY batch_date DESC LIMIT 1
            """)
        try s.bind([.int(Int64(name.komnr)), .text(name.kind.rawValue)])
        guard try s.step() else { return nil }
        return LastLoad(batch: s.int(0), versions: Int(max(s.int(1), 0)), encoding: s.text(2).flatMap(TextEncoding.init(rawValue:)))
    }
}

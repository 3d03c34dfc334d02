import AmforaCore

/// A municipality's last loaded delivery of one kind: the dataset in force, which this Friday's
/// delivery is matched against.
struct LastLoad: Sendable {
    let batch: Int64
    let records: Int
    /// Its versions in force: the delivery's records less its quarantined lines.
    let versions: Int
    let encoding: TextEncoding?
    let file: String?

    /// Nil when the municipality has no loaded dataset of this kind (before `batch`, when given:
    /// a reload of a batch looks past that batch's own earlier load).
    static func of(_ db: Database, name: DeliveryName, before batch: Int? = nil) throws -> LastLoad? {
        let s = try db.prepare("""
            SELECT batch_date, coalesce(records, 0), coalesce(records - rejected, 0), encoding, file FROM delivery
            WHERE komnr = ? AND kind = ? AND status = 'loaded' AND batch_date < ? ORDER BY batch_date DESC LIMIT 1
            """)
        try s.bind([.int(Int64(name.komnr)), .text(name.kind.rawValue), .int(batch.map(Int64.init) ?? .max)])
        guard try s.step() else { return nil }
        return LastLoad(batch: s.int(0), records: Int(s.int(1)), versions: Int(max(s.int(2), 0)),
                        encoding: s.text(3).flatMap(TextEncoding.init(rawValue:)), file: s.text(4))
    }
}

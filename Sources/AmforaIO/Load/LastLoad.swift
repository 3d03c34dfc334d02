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
    static func of(_ db: any WarehouseSQL, name: DeliveryName, before batch: Int? = nil) throws -> LastLoad? {
        guard let r = try db.firstRow("""
            SELECT batch_date, coalesce(records, 0), coalesce(records - rejected, 0), encoding, file FROM delivery
            WHERE komnr = ? AND kind = ? AND status = 'loaded' AND batch_date < ? ORDER BY batch_date DESC LIMIT 1
            """, [.int(Int64(name.komnr)), .text(name.kind.rawValue), .int(batch.map(Int64.init) ?? Int64(Int32.max))]) else { return nil }
        return LastLoad(batch: r[0].int ?? 0, records: Int(r[1].int ?? 0), versions: Int(max(r[2].int ?? 0, 0)),
                        encoding: r[3].text.flatMap(TextEncoding.init(rawValue:)), file: r[4].text)
    }
}

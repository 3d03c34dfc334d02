import AmforaCore

/// Where a delivery's records are kept: §52.2 activation records in `activity`, one dataset per
/// municipality; §57.2 aid grants of both kinds in `aid`, one dataset per municipality and kind.
/// Only activation records are a person's measures with an identity (`RecordIdentity`), which
/// the write-down, the reconciliation and the duplicate check read. What differs between the
/// two tables is said here, once.
enum WarehouseTable: String, Sendable {
    case activity, aid

    init(_ kind: RecordKind) { self = kind == .amfora ? .activity : .aid }

    var name: String { rawValue }

    /// Whether its records are measures: a person's, each with an identity.
    var holdsMeasures: Bool { self == .activity }

    /// One municipality's dataset of the delivery's kind, as a condition with its values in it
    /// (a number and a kind's code, nothing delivered).
    func scope(_ d: DeliveryName) -> String {
        self == .aid ? "komnr = \(d.komnr) AND kind = '\(d.kind.rawValue)'" : "komnr = \(d.komnr)"
    }

    /// The same with parameters, bound by `scopeValues`.
    var parameterisedScope: String { self == .aid ? "komnr = ? AND kind = ?" : "komnr = ?" }

    func scopeValues(komnr: SQLValue, kind: SQLValue) -> [SQLValue] { self == .aid ? [komnr, kind] : [komnr] }

    /// The columns a version has besides its layout's fields and the bookkeeping every version has.
    var ownColumns: [String] { self == .activity ? ["activity_id"] : ["kind", "aid_type"] }
}

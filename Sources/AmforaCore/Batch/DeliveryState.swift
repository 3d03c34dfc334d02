/// What a municipality's delivery of one kind is in a batch (`v_batch.status`): the one
/// vocabulary of the warehouse, the reports, the mail and `status`.
public enum DeliveryState: String, Sendable, CaseIterable, Codable {
    /// Loaded this batch: its dataset is in force.
    case loaded
    /// Not delivered this batch; the last loaded dataset stays in force.
    case stale
    /// Shrank beyond the hold rule: last Friday's dataset stays in force until a person accepts it.
    case held
    /// Never delivered: there is no dataset.
    case missing
    /// Could not be read or loaded (a file-level error): the last dataset stays in force.
    case failed

    /// Not delivered this batch, whatever came before.
    public var isAbsent: Bool { self == .stale || self == .missing }
}

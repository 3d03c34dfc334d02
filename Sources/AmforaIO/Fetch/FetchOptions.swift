public import AmforaCore

/// What decides when and how much a run fetches. The defaults are for cron on a Friday
/// morning; tests shrink the waits.
public struct FetchOptions: Sendable {
    public var completeness = CompletenessPolicy()
    /// Seconds between the two listings that show a file has stopped growing; 0 skips the second.
    public var listingInterval: Double = 2
    /// Seconds in which new transfers may start; nil: until the batch's Friday 06:00 deadline,
    /// but never less than `minimumBudget` (a rerun after the deadline still gets its chance).
    public var timeBudget: Double?
    public var minimumBudget: Double = 600
    public var retry = RetryPolicy()
    public var municipalities: [Int: String] = CodeListCatalog.standard.municipalities

    public init() {}
}

/// What a run is doing, for a progress line on a terminal. Nothing here is needed for the result.
public enum FetchProgress: Sendable {
    case listing
    case waitingForSecondListing(seconds: Double)
    case transferStarted(index: Int, of: Int, name: String, size: Int64?)
    case transferred(name: String, bytes: Int64, size: Int64?)
    case transferEnded(name: String)
}

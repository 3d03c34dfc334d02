/// What one fetch run will do with each of the batch's deliveries, decided from the listings
/// and the ledger before any byte moves.
public struct FetchPlan: Sendable, Equatable {
    public struct Transfer: Sendable, Equatable {
        public let delivery: DeliveryEntry
        /// The earlier fetch of the same name when this is a redelivery.
        public let previous: FetchRecord?

        public var name: String { delivery.name }
    }

    public struct Waiting: Sendable, Equatable {
        public let delivery: DeliveryEntry
        public let reason: Incomplete
    }

    public var transfers: [Transfer] = []
    public var unchanged: [DeliveryEntry] = []
    /// Probably still being written: left for a later run.
    public var incomplete: [Waiting] = []

    public init(first: BatchSelection, second: [RemoteEntry]?, ledger: FetchLedger,
                now: Int64, policy: CompletenessPolicy) {
        let later = second.map { Dictionary($0.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        for d in first.deliveries {
            let previous: FetchRecord?
            switch ledger.verdict(for: d.entry) {
            case .unchanged:
                unchanged.append(d)
                continue
            case .new: previous = nil
            case .changed(let p): previous = p
            }
            let look: Completeness.SecondLook = later.map { $0[d.name].map { .seen($0) } ?? .absent } ?? .notTaken
            if let why = Completeness.check(d.entry, second: look, hasDoneMarker: first.hasDoneMarker(d.name),
                                            now: now, policy: policy) {
                incomplete.append(Waiting(delivery: d, reason: why))
            } else {
                transfers.append(Transfer(delivery: d, previous: previous))
            }
        }
    }

    /// Deliveries the ledger does not know as they are now: only these need a second listing.
    public static func candidates(_ selection: BatchSelection, ledger: FetchLedger) -> [DeliveryEntry] {
        selection.deliveries.filter {
            if case .unchanged = ledger.verdict(for: $0.entry) { return false }
            return true
        }
    }
}

/// How long to wait before attempt n (n ≥ 2) of a transfer: doubling from `initialDelay`,
/// capped at `maxDelay`, so a flapping server gets room and a deadline is not eaten by waiting.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts after the first.
    public var retries: Int
    public var initialDelay: Double
    public var maxDelay: Double

    public init(retries: Int = 3, initialDelay: Double = 2, maxDelay: Double = 30) {
        self.retries = retries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Double {
        guard retry > 0 else { return 0 }
        var d = initialDelay
        for _ in 1..<retry { d *= 2 }
        return min(d, maxDelay)
    }
}

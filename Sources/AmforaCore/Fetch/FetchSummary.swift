/// What a fetch run did with each delivery of the batch and with everything else it saw; the
/// `fetch` command prints it and `amfora run` will keep it with the batch.
public struct FetchSummary: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case fetched(bytes: Int64, sha256: String)
        /// Fetched before under the same name, re-uploaded since. `sameBytes`: only the time
        /// changed (the municipality uploaded the same file again).
        case redelivered(bytes: Int64, sha256: String, sameBytes: Bool)
        case unchanged
        case incomplete(Incomplete)
        case failed(String)
        /// The time budget was spent before this transfer could start.
        case notStarted
    }

    public struct Item: Sendable, Equatable {
        public let delivery: DeliveryEntry
        public let outcome: Outcome

        public init(delivery: DeliveryEntry, outcome: Outcome) {
            self.delivery = delivery
            self.outcome = outcome
        }

        public var name: String { delivery.name }
        public var komnr: Int { delivery.delivery.komnr }
    }

    /// The source as it may be printed (never credentials).
    public var source: String
    public var batch: Day
    /// The connection was not encrypted (`--allow-plaintext`): the summary says so every time.
    public var plaintext: Bool
    public var items: [Item] = []
    public var ignored: [IgnoredEntry] = []
    public var unparsedListingLines: [String] = []
    public var seconds: Double = 0

    public init(source: String, batch: Day, plaintext: Bool) {
        self.source = source
        self.batch = batch
        self.plaintext = plaintext
    }

    public func count(_ matches: (Outcome) -> Bool) -> Int { items.filter { matches($0.outcome) }.count }

    public var bytesFetched: Int64 {
        items.reduce(0) {
            switch $1.outcome {
            case .fetched(let b, _), .redelivered(let b, _, _): $0 + b
            default: $0
            }
        }
    }

    /// Two names for one delivery (`AMFORA_101_….txt` and `amfora_101_….dat`): which one counts
    /// is a person's call.
    public var duplicates: [[String]] {
        let groups = Dictionary(grouping: items) { "\($0.delivery.delivery.kind.rawValue)_\($0.komnr)" }
        return groups.values.filter { $0.count > 1 }.map { $0.map(\.name).sorted() }.sorted { $0[0] < $1[0] }
    }

    /// interfaces.md exit 1: done, but something needs a person.
    public var needsAPerson: Bool {
        items.contains { $0.outcome.needsAPerson }
            || ignored.contains { $0.reason.needsAPerson }
            || !unparsedListingLines.isEmpty || !duplicates.isEmpty
    }

    public var exitCode: Int32 { needsAPerson ? 1 : 0 }
}

extension IgnoredEntry.Reason {
    var needsAPerson: Bool {
        switch self {
        case .refused, .listedTwice: true
        case .notADelivery, .hidden, .otherBatch: false
        }
    }
}

extension FetchSummary.Outcome {
    var needsAPerson: Bool {
        switch self {
        case .fetched, .redelivered, .unchanged: false
        case .incomplete, .failed, .notStarted: true
        }
    }

    var isRoutine: Bool {
        switch self {
        case .fetched, .unchanged: true
        default: false
        }
    }

    var text: String {
        switch self {
        case .fetched: "fetched"
        case .redelivered(_, _, true): "re-uploaded with the same bytes, fetched again"
        case .redelivered: "redelivered with new content, fetched again"
        case .unchanged: "unchanged since the last fetch"
        case .incomplete(let why): "skipped, \(why)"
        case .failed(let why): "failed: \(why)"
        case .notStarted: "not fetched, the time budget was spent"
        }
    }
}

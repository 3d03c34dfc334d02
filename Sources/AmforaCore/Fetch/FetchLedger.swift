/// What has been fetched, so that each delivery is fetched exactly once: a second run over an
/// unchanged server does nothing, and a re-uploaded file is noticed and fetched again.
/// Stored as JSON in the inbox (AmforaIO's FetchStateStore); this type only decides.
public struct FetchLedger: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version = FetchLedger.currentVersion
    /// Keyed by the remote name exactly as listed.
    public var files: [String: FetchRecord] = [:]

    public init() {}

    public enum Verdict: Sendable, Equatable {
        case new
        case unchanged(FetchRecord)
        /// Same name, other size or time: a redelivery.
        case changed(FetchRecord)
    }

    /// Size and modification time decide, because the bytes are not at hand before fetching.
    /// A server that gives neither cannot show a change, and the file is not fetched twice.
    public func verdict(for entry: RemoteEntry) -> Verdict {
        guard let previous = files[entry.name] else { return .new }
        let sameSize = entry.size == nil || entry.size == previous.size
        let sameTime = entry.modified == nil || entry.modified == previous.modified
        return sameSize && sameTime ? .unchanged(previous) : .changed(previous)
    }

    public mutating func record(_ record: FetchRecord) { files[record.name] = record }

    /// Forgets batches long past, so the file does not grow for ever. Their files are never
    /// fetched again anyway: they are for another batch.
    public mutating func forget(batchesBefore day: Day) {
        files = files.filter { $0.value.batchDate >= day }
    }
}

public struct FetchRecord: Codable, Sendable, Equatable {
    public let name: String
    public let size: Int64
    /// Seconds since 1970 UTC as the server gave it; nil when it did not.
    public let modified: Int64?
    /// Lower-case hex SHA-256 of the bytes fetched.
    public let sha256: String
    public let batchDate: Day
    /// When it was fetched, ISO 8601 with offset (for the operator reading the file).
    public let fetchedAt: String

    public init(name: String, size: Int64, modified: Int64?, sha256: String, batchDate: Day, fetchedAt: String) {
        self.name = name
        self.size = size
        self.modified = modified
        self.sha256 = sha256
        self.batchDate = batchDate
        self.fetchedAt = fetchedAt
    }
}

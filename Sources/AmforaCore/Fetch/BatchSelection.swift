/// A listing entry that is a delivery, with what its name says.
public struct DeliveryEntry: Sendable, Hashable {
    public let entry: RemoteEntry
    public let delivery: DeliveryName

    public init(entry: RemoteEntry, delivery: DeliveryName) {
        self.entry = entry
        self.delivery = delivery
    }

    public var name: String { entry.name }
}

/// A listing entry that is not fetched, and why. Nothing is dropped without a reason.
public struct IgnoredEntry: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// Not shaped like a delivery (README.txt, a directory, an unknown municipality).
        case notADelivery(String)
        /// A name that could escape the inbox or fool a terminal.
        case refused(RemoteName.Problem)
        /// A leading dot: a server's own file or an upload in progress.
        case hidden
        /// A delivery, but for another Friday (last week's files are often left on the server).
        case otherBatch(Day)
        /// The same name twice in one listing: a forged line (a name with a line feed in it)
        /// or a confused server; neither copy is trusted.
        case listedTwice
    }

    public let name: String
    public let reason: Reason

    public init(name: String, reason: Reason) {
        self.name = name
        self.reason = reason
    }
}

/// Splits a listing into the batch's deliveries and everything else, by file name alone
/// (flat-files.md: `AMFORA_<komnr>_<yyyymmdd>.txt`, `HJAELP1_…`, `HJAELP2_…`, `.txt` or `.dat`).
public struct BatchSelection: Sendable, Equatable {
    public static let doneSuffix = ".done"

    public var deliveries: [DeliveryEntry] = []
    public var ignored: [IgnoredEntry] = []
    /// Upper-cased names of the deliveries that have an `X.done` marker beside them.
    public var doneMarkers: Set<String> = []

    public init(_ entries: [RemoteEntry], batch: Day, municipalities: [Int: String]) {
        let counts = Dictionary(entries.map { ($0.name, 1) }, uniquingKeysWith: +)
        for entry in entries {
            if counts[entry.name, default: 0] > 1 {
                ignored.append(IgnoredEntry(name: entry.name, reason: .listedTwice))
            } else {
                classify(entry, batch: batch, municipalities: municipalities)
            }
        }
        deliveries.sort { ($0.delivery.komnr, $0.delivery.kind.rawValue, $0.name) < ($1.delivery.komnr, $1.delivery.kind.rawValue, $1.name) }
    }

    public func hasDoneMarker(_ name: String) -> Bool { doneMarkers.contains(name.uppercased()) }

    /// Whether a name may matter to the batch: the listing fallback asks the server for size and
    /// time only for these, not for every old file left on the server.
    public static func mayMatter(_ name: String, batch: Day, municipalities: [Int: String]) -> Bool {
        guard RemoteName.problem(name) == nil else { return false }
        let stem = isMarkerName(name) ? String(name.dropLast(doneSuffix.count)) : name
        guard case .success(let d) = DeliveryName.parse(stem, municipalities: municipalities) else { return false }
        return d.batchDate == batch
    }

    private mutating func classify(_ entry: RemoteEntry, batch: Day, municipalities: [Int: String]) {
        let name = entry.name
        if let problem = RemoteName.problem(name) {
            ignored.append(IgnoredEntry(name: name, reason: problem.isHostile ? .refused(problem) : .hidden))
            return
        }
        if Self.isMarkerName(name),
           case .success = DeliveryName.parse(String(name.dropLast(Self.doneSuffix.count)), municipalities: municipalities) {
            doneMarkers.insert(String(name.dropLast(Self.doneSuffix.count)).uppercased())
            return
        }
        guard entry.kind == .file else {
            let what = entry.kind == .directory ? "a directory" : "not a regular file"
            ignored.append(IgnoredEntry(name: name, reason: .notADelivery(what)))
            return
        }
        switch DeliveryName.parse(name, municipalities: municipalities) {
        case .failure(.notADelivery(let why)):
            ignored.append(IgnoredEntry(name: name, reason: .notADelivery(why)))
        case .failure(let problem):
            ignored.append(IgnoredEntry(name: name, reason: .notADelivery(problem.description)))
        case .success(let d) where d.batchDate != batch:
            ignored.append(IgnoredEntry(name: name, reason: .otherBatch(d.batchDate)))
        case .success(let d):
            deliveries.append(DeliveryEntry(entry: entry, delivery: d))
        }
    }

    static func isMarkerName(_ name: String) -> Bool { name.lowercased().hasSuffix(doneSuffix) }
}

public import AmforaCore
import Foundation

/// What loading one delivery did to the warehouse.
public struct LoadOutcome: Sendable {
    public var summary: FileSummary
    public var sha256: String
    public var bytes: Int
    /// New versions (new or changed records).
    public var inserted = 0
    public var unchanged = 0
    /// Versions that disappeared from the municipality's dataset this batch.
    public var removed = 0
    /// Persons whose current records changed: their write-down must be recomputed.
    public var affectedPersons: Set<Int> = []
    /// Versions first seen in this batch, and versions gone from the dataset: what reconciliation pairs.
    public var addedVersions: [Int64] = []
    public var goneVersions: [Int64] = []
    /// The added §52.2 versions as the reconciliation compares them, taken while they were parsed
    /// (reading them back would cost a random read each), with their activity ids.
    public var addedForReconciliation: [(version: Reconciler.Version, activityID: Int64)] = []
    /// Versions in force that share one identity (CPR, Komnr, Foranstalt, Startdt, HoldID), grouped.
    public var duplicateIdentities: [[Int64]] = []
    /// Records of the dataset this one replaces (0 when there was none).
    public var previousRecords = 0

    public var rejected: Int { summary.tally.quarantined }
}

public enum LoadError: Error, CustomStringConvertible {
    /// A file-level error: the file stops here; nothing of it was loaded.
    case fileRejected(FileSummary)
    /// The dataset shrank beyond the threshold (the typical truncated export): not loaded until a
    /// person accepts it. The file is archived under `sha256`.
    case held(LoadOutcome, threshold: Double)

    public var description: String {
        switch self {
        case .fileRejected(let s):
            "\(s.file): " + s.fileFindings.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
        case .held(let o, let t):
            "held: \(o.summary.tally.records) records against \(o.previousRecords) last time, a drop of "
                + "\(Int((Double(o.previousRecords - o.summary.tally.records) * 100 / Double(max(o.previousRecords, 1))).rounded())) % "
                + "(threshold \(Int((t * 100).rounded())) %); last Friday's dataset stays in force until `amfora accept`"
        }
    }
}

/// When a delivery is loaded rather than held.
public struct LoadPolicy: Sendable {
    /// A dataset smaller than (1 − threshold) × the previous one is held.
    public var shrinkThreshold: Double
    /// A person has looked: load it whatever its size.
    public var acceptShrink: Bool

    public init(shrinkThreshold: Double = 0.10, acceptShrink: Bool = false) {
        self.shrinkThreshold = shrinkThreshold
        self.acceptShrink = acceptShrink
    }
}

/// Loads one municipality's delivery of one kind for one batch. The delivery replaces the
/// municipality's previous dataset in one transaction: a crash, kill or full disk at any moment
/// leaves the warehouse as it was. Loading the same delivery again first undoes the earlier
/// load of that batch, so a rerun is idempotent.
public final class DeliveryLoader {
    let warehouse: Warehouse
    let archive: DeliveryArchive?
    var db: Database { warehouse.db }

    /// Without an archive the raw file is not kept (tests of the loading logic alone).
    /// Added versions kept in memory for the reconciliation, per delivery (a few hundred MB at most).
    static let reconciliationCap = 200_000

    public init(warehouse: Warehouse, archive: DeliveryArchive? = nil) {
        self.warehouse = warehouse
        self.archive = archive
    }

    public func load(path: String, name: DeliveryName, options: ValidationOptions = ValidationOptions(),
                     policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        let layout = options.layouts.layout(for: name.kind)
        let table = name.kind == .amfora ? "activity" : "aid"
        let sink = try RowSink(db: db, table: table, layout: layout, name: name, file: DeliveryValidator.baseName(path))
        let hasher = FileDigest()
        var bytes = 0
        let source = FileChunks.source(path: path)
        // The reading pass also hashes the bytes: one read.
        let hashingSource: ChunkSource = { consume in
            try source { chunk in
                hasher.update(chunk)
                bytes += chunk.count
                consume(chunk)
            }
        }
        // Detecting the encoding reads the file once more before the reading pass; hash only the last.
        let passes = options.encoding == nil ? 2 : 1
        var pass = 0
        return try db.transaction {
            var outcome = LoadOutcome(summary: FileSummary(file: path), sha256: "", bytes: 0)
            outcome.affectedPersons = try sink.undoEarlierLoad()
            var current = try sink.currentVersions()
            let comparing = !current.isEmpty
            sink.recordsChanges = comparing
            var identities = IdentityTracker()
            let summary = try DeliveryValidator.validate(
                fileName: path, known: name, options: options,
                source: { consume in
                    pass += 1
                    try (pass == passes ? hashingSource : source)(consume)
                },
                onFinding: { sink.reject($0) },
                onLine: { line in
                    guard !line.isBlank else { return }
                    guard let record = line.record, !line.isQuarantined else {
                        sink.quarantine(line)
                        return
                    }
                    let hash = RecordIdentity.contentHash(record)
                    let version: Int64
                    if let existing = current.take(hash) {
                        version = existing
                        outcome.unchanged += 1
                    } else {
                        version = sink.insert(record, hash: hash, line: line.number)
                        outcome.addedVersions.append(version)
                        // Only when there is a last Friday to compare with, and not without bound: a first
                        // dataset or a wholesale change is read back from the warehouse instead.
                        if comparing, outcome.addedForReconciliation.count < Self.reconciliationCap,
                           let v = sink.reconciliationVersion(record, version: version) {
                            outcome.addedForReconciliation.append(v)
                        }
                        outcome.inserted += 1
                        if let cpr = sink.person(record) { outcome.affectedPersons.insert(cpr) }
                    }
                    if let id = sink.activityID(record) { identities.add(id, version: version) }
                })
            try sink.check()
            outcome.summary = summary
            guard summary.isUsable else { throw LoadError.fileRejected(summary) }
            outcome.sha256 = hasher.finish()
            outcome.bytes = bytes
            try archive?.store(path, sha256: outcome.sha256)
            outcome.previousRecords = try sink.previousRecords()
            let records = summary.tally.records
            if !policy.acceptShrink, outcome.previousRecords > 0,
               Double(records) < Double(outcome.previousRecords) * (1 - policy.shrinkThreshold) {
                throw LoadError.held(outcome, threshold: policy.shrinkThreshold)
            }
            outcome.goneVersions = current.remaining
            outcome.removed = outcome.goneVersions.count
            outcome.affectedPersons.formUnion(try sink.close(outcome.goneVersions))
            outcome.duplicateIdentities = identities.duplicates
            try sink.recordDelivery(outcome, startedAt: startedAt)
            return outcome
        }
    }
}

/// Finds identities delivered more than once, with their version ids, in one pass.
struct IdentityTracker {
    private var first: [Int64: Int64] = [:]
    private var more: [Int64: [Int64]] = [:]

    mutating func add(_ identity: Int64, version: Int64) {
        if let v = first[identity] {
            more[identity, default: [v]].append(version)
        } else {
            first[identity] = version
        }
    }

    var duplicates: [[Int64]] { more.values.map { $0.sorted() }.sorted { $0[0] < $1[0] } }
}

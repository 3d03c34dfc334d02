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
    /// The dataset shrank beyond the hold rule (the typical truncated export): not loaded until a
    /// person accepts it. The file is archived under `sha256`.
    case held(LoadOutcome, threshold: Double, minimum: Int)
    /// `accept --dry-run`: what loading would do, with a few of the measures it would remove
    /// (CPR masked); the transaction was rolled back.
    case dryRun(LoadOutcome, removedSample: [String])

    public var description: String {
        switch self {
        case .fileRejected(let s):
            s.fileFindings.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
        case .held(let o, let t, let minimum):
            "\(o.summary.tally.records) records against \(o.previousRecords) last time, a drop of "
                + "\(Int((Double(o.previousRecords - o.summary.tally.records) * 100 / Double(max(o.previousRecords, 1))).rounded())) % "
                + "(the hold rule: more than \(Int((t * 100).rounded())) % and more than \(minimum) records); "
                + "last Friday's dataset stays in force until it is accepted"
        case .dryRun(let o, _):
            "accepting would load \(o.summary.tally.records) records against \(o.previousRecords) last Friday: "
                + "\(o.unchanged) unchanged, \(o.inserted) new or changed versions, \(o.removed) measures removed"
        }
    }
}

/// When a delivery is loaded rather than held.
public struct LoadPolicy: Sendable {
    /// A dataset that shrinks by more than this fraction of the previous one …
    public var shrinkThreshold: Double
    /// … and by more than this many records is held: a small file's ordinary churn is not.
    public var shrinkMinimum: Int
    /// A person has looked: load it whatever its size.
    public var acceptShrink: Bool
    /// A loaded delivery with more than this fraction of its lines quarantined is flagged.
    public var rejectThreshold: Double
    /// Work out what loading does, then roll it back (`LoadError.dryRun`).
    public var dryRun: Bool

    public init(shrinkThreshold: Double = 0.10, shrinkMinimum: Int = RunConfig.defaultShrinkMinimum, acceptShrink: Bool = false,
                rejectThreshold: Double = 0.05, dryRun: Bool = false) {
        self.shrinkThreshold = shrinkThreshold
        self.shrinkMinimum = shrinkMinimum
        self.acceptShrink = acceptShrink
        self.rejectThreshold = rejectThreshold
        self.dryRun = dryRun
    }

    /// The hold rule: a drop beyond both the fraction and the number of records.
    func holds(records: Int, previous: Int) -> Bool {
        guard !acceptShrink, previous > 0 else { return false }
        return Double(records) < Double(previous) * (1 - shrinkThreshold) && previous - records > shrinkMinimum
    }

    /// Flags a person should see for a loaded delivery.
    func flags(for o: LoadOutcome) -> [String] {
        var f: [String] = []
        let records = max(o.summary.tally.records, 1)
        if Double(o.rejected) / Double(records) > rejectThreshold {
            f.append(String(format: "rejects above %.0f %%: %d of %d records quarantined", rejectThreshold * 100,
                            o.rejected, o.summary.tally.records))
        }
        if !o.duplicateIdentities.isEmpty {
            f.append("\(o.duplicateIdentities.count) \(o.duplicateIdentities.count == 1 ? "identity" : "identities") delivered more than once")
        }
        return f
    }
}

/// Loads one municipality's delivery of one kind for one batch. The delivery replaces the
/// municipality's previous dataset in one transaction: a crash, kill or full disk at any moment
/// leaves the warehouse as it was. Loading the same delivery again first undoes the earlier
/// load of that batch (`EarlierLoad`), so a rerun is idempotent.
///
/// Either way a delivery is matched by `DeliveryMatcher`: here, streaming into the warehouse as
/// it is read (`load`), or on a worker thread beforehand, with only what it found written here
/// (`apply`). Both end alike (`finish`).
public final class DeliveryLoader {
    let warehouse: Warehouse
    let archive: DeliveryArchive?
    var db: Database { warehouse.db }

    /// Without an archive the raw file is not kept (tests of the loading logic alone).
    public init(warehouse: Warehouse, archive: DeliveryArchive? = nil) {
        self.warehouse = warehouse
        self.archive = archive
    }

    public func load(path: String, name: DeliveryName, options: ValidationOptions = ValidationOptions(),
                     policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        try Self.stream(path: path, name: name, into: SQLiteDeliveryStore(db: db), archive: archive, options: options,
                        policy: policy, startedAt: startedAt)
    }

    /// Streams a delivery into any warehouse (`DeliveryStore`): matched as it is read, in one
    /// transaction with the undoing of an earlier load of the batch and the bookkeeping.
    static func stream(path: String, name: DeliveryName, into store: some DeliveryStore, archive: DeliveryArchive?,
                       options: ValidationOptions, policy: LoadPolicy, startedAt: String) throws -> LoadOutcome {
        let reading = HashedReading(path: path, options: options)
        return try store.transaction {
            let undone = try store.undoEarlierLoad(name)
            var current = try store.currentVersions(name)
            let sink = try store.sink(layout: options.layouts.layout(for: name.kind), name: name, file: DeliveryValidator.baseName(path))
            sink.recordsChanges = !current.isEmpty
            let found = try DeliveryMatcher.match(path: path, name: name, options: options, source: reading.source,
                                                  against: &current, into: sink)
            try sink.check()
            guard found.summary.isUsable else { throw LoadError.fileRejected(found.summary) }
            var outcome = LoadOutcome(summary: found.summary, sha256: "", bytes: 0)
            (outcome.sha256, outcome.bytes) = reading.digest()
            outcome.affectedPersons = undone.union(found.persons)
            outcome.addedForReconciliation = found.reconciliation
            outcome.duplicateIdentities = found.duplicateIdentities
            try finish(&outcome, path: path, sink: sink, found: found, policy: policy, archive: archive, startedAt: startedAt)
            return outcome
        }
    }

    /// Writes a delivery prepared on another thread (`PreparedDelivery.prepare`): only its new
    /// versions, quarantined lines and findings are written; the rest was matched there. Throws
    /// `PreparedDelivery.Outdated` when the municipality's dataset changed since it was prepared.
    public func apply(_ p: PreparedDelivery, policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        try Self.apply(p, into: SQLiteDeliveryStore(db: db), bookkeeping: db, archive: archive, policy: policy, startedAt: startedAt)
    }

    /// `apply` into either warehouse, whose bookkeeping SQL says what the dataset stands on now.
    static func apply(_ p: PreparedDelivery, into store: some DeliveryStore, bookkeeping sql: any WarehouseSQL, archive: DeliveryArchive?,
                      policy: LoadPolicy, startedAt: String) throws -> LoadOutcome {
        try store.transaction {
            guard try PreparedDelivery.basis(sql, name: p.name) == p.basis else { throw PreparedDelivery.Outdated() }
            guard p.summary.isUsable else { throw LoadError.fileRejected(p.summary) }
            let sink = try store.sink(layout: p.rows.added.layout, name: p.name, file: DeliveryValidator.baseName(p.path))
            p.rows.write(into: sink)
            try sink.check()
            let resolve = { PreparedDelivery.resolve($0, sink.written) }
            var outcome = LoadOutcome(summary: p.summary, sha256: p.sha256, bytes: p.bytes)
            outcome.affectedPersons = p.found.persons
            outcome.addedForReconciliation = p.found.reconciliation.map { v, id in
                var v = v
                v.versionID = resolve(v.versionID)
                return (v, id)
            }
            outcome.duplicateIdentities = p.found.duplicateIdentities.map { $0.map(resolve).sorted() }.sorted { $0[0] < $1[0] }
            try Self.finish(&outcome, path: p.path, sink: sink, found: p.found, policy: policy, archive: archive, startedAt: startedAt)
            return outcome
        }
    }

    /// What every load ends with: the raw file archived, the shrink check, last Friday's versions
    /// that did not come again closed, the delivery recorded with the work it leaves for the
    /// write-down and the reconciliation.
    private static func finish(_ outcome: inout LoadOutcome, path: String, sink: some LoadSink, found: DeliveryMatch,
                               policy: LoadPolicy, archive: DeliveryArchive?, startedAt: String) throws {
        outcome.inserted = sink.written.count
        outcome.addedVersions = sink.written
        outcome.unchanged = found.unchanged
        try archive?.store(path, sha256: outcome.sha256)
        outcome.previousRecords = try sink.previousRecords()
        if policy.holds(records: outcome.summary.tally.records, previous: outcome.previousRecords) {
            throw LoadError.held(outcome, threshold: policy.shrinkThreshold, minimum: policy.shrinkMinimum)
        }
        let gone = found.gone
        outcome.goneVersions = gone
        outcome.removed = gone.count
        if policy.dryRun { throw LoadError.dryRun(outcome, removedSample: try sink.describe(Array(gone.prefix(5)))) }
        try sink.close(gone)
        try sink.recordChanges(added: outcome.addedVersions, gone: gone)
        try sink.recordDelivery(outcome, flags: policy.flags(for: outcome), startedAt: startedAt)
    }
}

/// The passes over a delivery file: when its encoding is not configured, one to detect it, then
/// the reading pass, which also takes the SHA-256 and the size (one read of the bytes).
struct HashedReading {
    private let hasher = FileDigest()
    private let state = Counter()
    let source: ChunkSource

    private final class Counter {
        var bytes = 0
        var pass = 0
    }

    init(path: String, options: ValidationOptions) {
        let file = FileChunks.source(path: path)
        let passes = options.encoding == nil ? 2 : 1
        let hasher = hasher, state = state
        source = { consume in
            state.pass += 1
            guard state.pass == passes else { return try file(consume) }
            try file { chunk in
                hasher.update(chunk)
                state.bytes += chunk.count
                consume(chunk)
            }
        }
    }

    func digest() -> (sha256: String, bytes: Int) { (hasher.finish(), state.bytes) }
}

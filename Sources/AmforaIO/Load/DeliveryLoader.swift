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
/// load of that batch, so a rerun is idempotent.
public final class DeliveryLoader {
    let warehouse: Warehouse
    let archive: DeliveryArchive?
    var db: Database { warehouse.db }

    /// Added versions kept in memory for the reconciliation, per delivery (a few hundred MB at most).
    static let reconciliationCap = 200_000

    /// Without an archive the raw file is not kept (tests of the loading logic alone).
    public init(warehouse: Warehouse, archive: DeliveryArchive? = nil) {
        self.warehouse = warehouse
        self.archive = archive
    }

    public func load(path: String, name: DeliveryName, options: ValidationOptions = ValidationOptions(),
                     policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        let layout = options.layouts.layout(for: name.kind)
        let sink = try RowSink(db: db, table: Self.table(name), layout: layout, name: name, file: DeliveryValidator.baseName(path))
        let reading = HashedReading(path: path, options: options)
        let hashers = LineHashers(options: options, layout: layout, name: name)
        return try db.transaction {
            var outcome = LoadOutcome(summary: FileSummary(file: path), sha256: "", bytes: 0)
            outcome.affectedPersons = try sink.undoEarlierLoad()
            var current = try sink.currentVersions()
            let comparing = !current.isEmpty
            sink.recordsChanges = comparing
            var identities = IdentityTracker()
            let summary = try DeliveryValidator.validate(
                fileName: path, known: name, options: options, source: reading.source,
                onFinding: { sink.reject($0) },
                onLine: { line in
                    guard !line.isBlank else { return }
                    guard let record = line.record, !line.isQuarantined else {
                        sink.quarantine(line: line.number, bytes: line.bytes)
                        return
                    }
                    let version = current.match(record) { hash in
                        insert(record, hash: hash, lineHash: hashers.storedHash(line, record), line: line.number, sink,
                               comparing: comparing, &outcome)
                    }
                    if let id = sink.activityID(record) { identities.add(id, version: version) }
                })
            try sink.check()
            outcome.summary = summary
            guard summary.isUsable else { throw LoadError.fileRejected(summary) }
            (outcome.sha256, outcome.bytes) = reading.digest()
            outcome.unchanged = current.matched
            outcome.duplicateIdentities = identities.duplicates()
            try finish(&outcome, path: path, sink: sink, gone: current.remaining, policy: policy, startedAt: startedAt)
            return outcome
        }
    }

    /// Writes a delivery prepared on another thread (`PreparedDelivery.prepare`): only its new
    /// versions, quarantined lines and findings are written; the rest was matched there. Throws
    /// `PreparedDelivery.Outdated` when the municipality's dataset changed since it was prepared.
    public func apply(_ p: PreparedDelivery, policy: LoadPolicy = LoadPolicy(), startedAt: String) throws -> LoadOutcome {
        let sink = try RowSink(db: db, table: Self.table(p.name), layout: p.added.layout, name: p.name,
                               file: DeliveryValidator.baseName(p.path))
        return try db.transaction {
            guard try PreparedDelivery.basis(db, name: p.name) == p.basis else { throw PreparedDelivery.Outdated() }
            guard p.summary.isUsable else { throw LoadError.fileRejected(p.summary) }
            var outcome = LoadOutcome(summary: p.summary, sha256: p.sha256, bytes: p.bytes)
            outcome.unchanged = p.unchanged
            sink.recordsChanges = true
            for f in p.findings { sink.reject(f) }
            p.quarantined.forEach { sink.quarantine(line: $0, bytes: $1) }
            var written: [Int64] = []
            written.reserveCapacity(p.added.count)
            p.added.forEach { record, line, hash, lineHash in
                written.append(sink.insert(record, hash: hash, lineHash: lineHash, line: line))
            }
            try sink.check()
            outcome.inserted = written.count
            outcome.addedVersions = written
            outcome.affectedPersons = p.persons
            outcome.addedForReconciliation = p.reconciliation.map { v, id in
                var v = v
                v.versionID = PreparedDelivery.resolve(v.versionID, written)
                return (v, id)
            }
            outcome.duplicateIdentities = p.duplicateIdentities
                .map { $0.map { PreparedDelivery.resolve($0, written) }.sorted() }
                .sorted { $0[0] < $1[0] }
            try finish(&outcome, path: p.path, sink: sink, gone: p.gone, policy: policy, startedAt: startedAt)
            return outcome
        }
    }

    static func table(_ name: DeliveryName) -> String { name.kind == .amfora ? "activity" : "aid" }

    /// A new version: written, and remembered for the write-down and the reconciliation.
    private func insert(_ record: RecordView, hash: Int64, lineHash: Int64?, line: Int, _ sink: RowSink, comparing: Bool,
                        _ outcome: inout LoadOutcome) -> Int64 {
        let version = sink.insert(record, hash: hash, lineHash: lineHash, line: line)
        outcome.addedVersions.append(version)
        // Only when there is a last Friday to compare with, and not without bound: a first
        // dataset or a wholesale change is read back from the warehouse instead.
        if comparing, outcome.addedForReconciliation.count < Self.reconciliationCap,
           let v = sink.reconciliationVersion(record, version: version) {
            outcome.addedForReconciliation.append(v)
        }
        outcome.inserted += 1
        if let cpr = sink.person(record) { outcome.affectedPersons.insert(cpr) }
        return version
    }

    /// What every load ends with: the raw file archived, the shrink check, last Friday's versions
    /// that did not come again closed, the delivery recorded with the work it leaves for the
    /// write-down and the reconciliation.
    private func finish(_ outcome: inout LoadOutcome, path: String, sink: RowSink, gone: [Int64], policy: LoadPolicy,
                        startedAt: String) throws {
        try archive?.store(path, sha256: outcome.sha256)
        outcome.previousRecords = try sink.previousRecords()
        if policy.holds(records: outcome.summary.tally.records, previous: outcome.previousRecords) {
            throw LoadError.held(outcome, threshold: policy.shrinkThreshold, minimum: policy.shrinkMinimum)
        }
        outcome.goneVersions = gone
        outcome.removed = gone.count
        if policy.dryRun { throw LoadError.dryRun(outcome, removedSample: try sink.describe(Array(gone.prefix(5)))) }
        outcome.affectedPersons.formUnion(try sink.close(gone))
        try sink.recordChanges(added: outcome.addedVersions, gone: gone)
        try sink.recordDelivery(outcome, startedAt: startedAt)
        try PendingWork.record(db, sink.name, outcome, flags: policy.flags(for: outcome))
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

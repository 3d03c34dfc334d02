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

    public var rejected: Int { summary.tally.quarantined }
}

public enum LoadError: Error, CustomStringConvertible {
    /// A file-level error: the file stops here; nothing of it was loaded.
    case fileRejected(FileSummary)

    public var description: String {
        switch self {
        case .fileRejected(let s):
            "\(s.file): " + s.fileFindings.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
        }
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
    public init(warehouse: Warehouse, archive: DeliveryArchive? = nil) {
        self.warehouse = warehouse
        self.archive = archive
    }

    public func load(path: String, name: DeliveryName, options: ValidationOptions = ValidationOptions(),
                     startedAt: String) throws -> LoadOutcome {
        let layout = options.layouts.layout(for: name.kind)
        let table = name.kind == .amfora ? "activity" : "aid"
        let sink = try RowSink(db: db, table: table, layout: layout, name: name, file: DeliveryValidator.baseName(path))
        let hasher = FileDigest()
        let archived = try archive?.writer()
        var bytes = 0
        let source = FileChunks.source(path: path)
        // The reading pass also hashes the bytes and writes them to the archive: one read.
        let hashingSource: ChunkSource = { consume in
            try source { chunk in
                hasher.update(chunk)
                archived?.write(chunk)
                bytes += chunk.count
                consume(chunk)
            }
        }
        return try db.transaction {
            var outcome = LoadOutcome(summary: FileSummary(file: path), sha256: "", bytes: 0)
            outcome.affectedPersons = try sink.undoEarlierLoad()
            var current = try sink.currentVersions()
            var first = true
            let summary = try DeliveryValidator.validate(
                fileName: path, options: options,
                source: { consume in
                    // The encoding pass and the reading pass both see every byte; hash the last one only.
                    if first { first = false; try source(consume) } else { try hashingSource(consume) }
                },
                onFinding: { sink.reject($0) },
                onLine: { line in
                    guard !line.isBlank else { return }
                    guard let record = line.record, !line.isQuarantined else {
                        sink.quarantine(line)
                        return
                    }
                    let hash = RecordIdentity.contentHash(record)
                    if current.take(hash) != nil {
                        outcome.unchanged += 1
                    } else {
                        sink.insert(record, hash: hash, line: line.number)
                        outcome.inserted += 1
                        if let cpr = sink.person(record) { outcome.affectedPersons.insert(cpr) }
                    }
                })
            try sink.check()
            outcome.summary = summary
            guard summary.isUsable else { throw LoadError.fileRejected(summary) }
            let leftovers = current.remaining
            outcome.removed = leftovers.count
            outcome.affectedPersons.formUnion(try sink.close(leftovers))
            outcome.sha256 = hasher.finish()
            outcome.bytes = bytes
            try archived?.commit(sha256: outcome.sha256)
            try sink.recordDelivery(outcome, startedAt: startedAt)
            return outcome
        }
    }
}

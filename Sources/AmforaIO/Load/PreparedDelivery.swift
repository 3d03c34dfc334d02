public import AmforaCore
import Foundation

/// One delivery parsed, validated and matched against the municipality's current dataset on a
/// worker thread, waiting for the single writer (`DeliveryLoader.apply`). SQLite has one writer;
/// reading, checking and matching ten million lines is the bulk of a Friday and needs none, so
/// it runs on every core while the writer writes what changed. Only what the writer needs is
/// kept: new versions, quarantined lines, findings — a few per cent of a weekly delivery.
public struct PreparedDelivery: Sendable {
    public let name: DeliveryName
    public let path: String
    var summary: FileSummary
    var sha256 = ""
    var bytes = 0
    var unchanged = 0
    /// Of the unchanged, the lines recognised byte for byte and not parsed (`LineHasher`).
    var repeats = 0
    /// Records no current version matched: this Friday's new versions.
    var added: RecordStore
    var quarantined = LineStore()
    var findings: [Finding] = []
    /// Identities delivered more than once: the versions each record matched, or
    /// `placeholder(k)` for the k-th added one.
    var duplicateIdentities: [[Int64]] = []
    /// The added versions as the reconciliation compares them (with placeholders), and their persons.
    var reconciliation: [(version: Reconciler.Version, activityID: Int64)] = []
    var persons: Set<Int> = []
    /// Current versions no record matched.
    var gone: [Int64] = []
    /// The dataset it was matched against; `apply` refuses when the warehouse moved on since.
    let basis: Basis

    /// The latest batch the municipality's dataset of this kind was loaded in. Only a load of
    /// that dataset changes it, and such a load moves this on (one run at a time holds the lock).
    struct Basis: Equatable, Sendable {
        var latestBatch: Int64
    }

    /// The warehouse moved on between preparing and applying: load the file by streaming instead.
    public struct Outdated: Error {}

    public var records: Int { summary.tally.records }

    /// Matches the delivery at `path` against the current dataset, read through `db` (a
    /// connection of the calling thread). Nil when streaming it (`DeliveryLoader.load`) is the
    /// better way: a municipality's first dataset, an earlier load of this very batch to undo, or
    /// more to write than `budget` bytes (a wholesale change) — memory stays bounded either way.
    public static func prepare(path: String, name: DeliveryName, options: ValidationOptions, reader db: Database,
                               budget: Int = 96 << 20) throws -> PreparedDelivery? {
        let batch = Int64(name.batchDate.ordinal)
        let table = DeliveryLoader.table(name)
        // One read transaction, so that the basis and the versions come from one snapshot, and
        // a short one: an open snapshot would keep checkpoints from passing it.
        try db.execute("BEGIN")
        let snapshot: (Basis, CurrentVersions, TextEncoding?)?
        do {
            if let last = try LastLoad.of(db, name: name), last.batch < batch {
                snapshot = (Basis(latestBatch: last.batch), try RowSink.currentVersions(db, table: table, name: name), last.encoding)
            } else {
                snapshot = nil
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        guard let (basis, found, lastEncoding) = snapshot else { return nil }
        var current = found
        guard !current.isEmpty else { return nil }
        // A file's encoding is decided from all of its bytes, which would take a reading pass of
        // its own. Last Friday's is assumed instead and checked alongside the one pass; a file
        // whose encoding changed is left to streaming, which decides it first.
        var options = options
        var detector: EncodingDetector?
        if options.encoding == nil, let lastEncoding {
            options.encoding = lastEncoding
            detector = EncodingDetector()
        }

        let layout = options.layouts.layout(for: name.kind)
        let identity = table == "activity" ? RecordIdentity(layout: layout) : nil
        let reading = HashedReading(path: path, options: options)
        let source: ChunkSource = detector == nil ? reading.source : { consume in
            try reading.source { chunk in
                detector?.feed(chunk)
                consume(chunk)
            }
        }
        let hashers = LineHashers(options: options, layout: layout, name: name)
        var p = PreparedDelivery(name: name, path: path, summary: FileSummary(file: path),
                                 added: RecordStore(layout: layout), basis: basis)
        var identities = IdentityTracker()
        let cpr = layout.index(of: "CPRnr")
        var footprint = 0
        var overBudget = false
        p.summary = try DeliveryValidator.validate(
            fileName: path, known: name, options: options, source: source,
            recognise: { bytes, encoding in
                guard let (version, activity) = current.takeRepeat(lineHash: hashers[encoding].hash(bytes)) else { return false }
                if identity != nil { identities.add(activity, version: version) }
                return true
            },
            onFinding: { f in
                guard !overBudget else { return }
                p.findings.append(f)
                footprint += 256 + f.message.utf8.count
            },
            onLine: { line in
                guard !line.isBlank, !line.isRepeat, !overBudget else { return }
                guard let record = line.record, !line.isQuarantined else {
                    p.quarantined.append(line: line.number, bytes: line.bytes)
                    footprint += line.bytes.count + 16
                    return
                }
                let version = current.match(record) { hash in
                    p.added.append(record, line: line.number, hash: hash, lineHash: hashers.storedHash(line, record))
                    return placeholder(p.added.count - 1)
                }
                if let identity {
                    identities.add(identity.activityID(record), version: version)
                    if version < 0 { p.noteAdded(record, version: version, identity: identity, cpr: cpr) }
                }
                if footprint + p.added.footprint > budget { overBudget = true }
            })
        guard !overBudget, detector.map({ $0.encoding == options.encoding }) ?? true else { return nil }
        (p.sha256, p.bytes) = reading.digest()
        p.duplicateIdentities = identities.duplicates()
        p.unchanged = current.matched
        p.repeats = current.repeats
        p.gone = current.remaining
        return p
    }

    /// What the writer would otherwise work out for each added record, worked out here.
    private mutating func noteAdded(_ record: RecordView, version: Int64, identity: RecordIdentity, cpr: Int?) {
        if let cpr, let person = record[cpr].number { persons.insert(person) }
        if reconciliation.count < DeliveryLoader.reconciliationCap,
           let v = RowSink.reconciliationVersion(record, identity: identity, version: version) {
            reconciliation.append(v)
        }
    }

    /// What the municipality's dataset of this kind stands on now; nil when it has none.
    static func basis(_ db: Database, name: DeliveryName) throws -> Basis? {
        try LastLoad.of(db, name: name).map { Basis(latestBatch: $0.batch) }
    }

    /// Worth preparing on a worker: the dataset has an earlier batch to match against and was
    /// not loaded in this batch yet (which a rerun undoes first, in its own transaction).
    public static func isPreparable(_ db: Database, name: DeliveryName) throws -> Bool {
        guard let basis = try basis(db, name: name) else { return false }
        return basis.latestBatch < Int64(name.batchDate.ordinal)
    }

    /// Version ids are positive; an added record's id is known only once written.
    static func placeholder(_ k: Int) -> Int64 { -Int64(k) - 1 }

    static func resolve(_ version: Int64, _ written: [Int64]) -> Int64 {
        version > 0 ? version : written[Int(-version - 1)]
    }
}

/// Raw lines with their numbers, copied into one buffer.
struct LineStore: Sendable {
    private var bytes: [UInt8] = []
    private var lines: [(number: Int, start: Int)] = []

    var count: Int { lines.count }

    mutating func append(line: Int, bytes b: UnsafeBufferPointer<UInt8>) {
        lines.append((line, bytes.count))
        bytes.append(contentsOf: b)
    }

    func forEach(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            for k in lines.indices {
                let end = k + 1 < lines.count ? lines[k + 1].start : all.count
                body(lines[k].number, UnsafeBufferPointer(rebasing: all[lines[k].start..<end]))
            }
        }
    }
}

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
    var sha256 = ""
    var bytes = 0
    /// What the writer writes: new versions, quarantined lines, findings.
    var rows: PreparedRows
    /// What matching found besides (`DeliveryMatch`), added versions numbered by placeholder.
    var found: DeliveryMatch
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
    var summary: FileSummary { found.summary }
    var unchanged: Int { found.unchanged }
    /// Of the unchanged, the lines recognised byte for byte and not parsed (`LineHasher`).
    var repeats: Int { found.repeats }
    /// Records no current version matched: this Friday's new versions.
    var added: RecordStore { rows.added }
    var findings: [Finding] { rows.findings }
    var gone: [Int64] { found.gone }

    /// What a delivery is matched against, read in one snapshot of the warehouse.
    struct Snapshot {
        let basis: Basis
        let current: CurrentVersions
        /// Last Friday's encoding of the file.
        let encoding: TextEncoding?
    }

    /// The municipality's dataset in force, if it has one from an earlier batch, in one read
    /// transaction (and a short one: an open snapshot would keep SQLite's checkpoints from
    /// passing it). `versions` reads it through `sql`.
    static func snapshot(_ sql: any WarehouseSQL, _ name: DeliveryName, versions: () throws -> CurrentVersions) throws -> Snapshot? {
        try sql.snapshot {
            guard let last = try LastLoad.of(sql, name: name), last.batch < Int64(name.batchDate.ordinal) else { return nil }
            return Snapshot(basis: Basis(latestBatch: last.batch), current: try versions(), encoding: last.encoding)
        }
    }

    /// Matches the delivery at `path` against the current dataset, read through `db` (a
    /// connection of the calling thread). Nil when streaming it (`DeliveryLoader.load`) is the
    /// better way: a municipality's first dataset, an earlier load of this very batch to undo, or
    /// more to write than `budget` bytes (a wholesale change) — memory stays bounded either way.
    public static func prepare(path: String, name: DeliveryName, options: ValidationOptions, reader db: Database,
                               budget: Int = defaultBudget) throws -> PreparedDelivery? {
        try prepare(path: path, name: name, options: options, budget: budget,
                    against: try snapshot(db, name) { try CurrentVersions.read(db, name) })
    }

    /// What a prepared delivery may hold for the writer.
    public static let defaultBudget = 96 << 20

    /// `prepare` against a snapshot read by the caller, from either warehouse.
    static func prepare(path: String, name: DeliveryName, options: ValidationOptions, budget: Int = defaultBudget,
                        against snapshot: Snapshot?) throws -> PreparedDelivery? {
        guard let snapshot else { return nil }
        var current = snapshot.current
        guard !current.isEmpty else { return nil }
        // A file's encoding is decided from all of its bytes, which would take a reading pass of
        // its own. Last Friday's is assumed instead and checked alongside the one pass; a file
        // whose encoding changed is left to streaming, which decides it first.
        var options = options
        var detector: EncodingDetector?
        if options.encoding == nil, let lastEncoding = snapshot.encoding {
            options.encoding = lastEncoding
            detector = EncodingDetector()
        }
        let reading = HashedReading(path: path, options: options)
        let source: ChunkSource = detector == nil ? reading.source : { consume in
            try reading.source { chunk in
                detector?.feed(chunk)
                consume(chunk)
            }
        }
        let rows = PreparedRows(layout: options.layouts.layout(for: name.kind), budget: budget)
        let matched = try DeliveryMatcher.match(path: path, name: name, options: options, source: source, against: &current, into: rows)
        guard !rows.isFull, detector.map({ $0.encoding == options.encoding }) ?? true else { return nil }
        var p = PreparedDelivery(name: name, path: path, rows: rows, found: matched, basis: snapshot.basis)
        (p.sha256, p.bytes) = reading.digest()
        return p
    }

    /// What the municipality's dataset of this kind stands on now; nil when it has none.
    static func basis(_ db: any WarehouseSQL, name: DeliveryName) throws -> Basis? {
        try LastLoad.of(db, name: name).map { Basis(latestBatch: $0.batch) }
    }

    /// Worth preparing on a worker: the dataset has an earlier batch to match against and was
    /// not loaded in this batch yet (which a rerun undoes first, in its own transaction).
    public static func isPreparable(_ db: any WarehouseSQL, name: DeliveryName) throws -> Bool {
        guard let basis = try basis(db, name: name) else { return false }
        return basis.latestBatch < Int64(name.batchDate.ordinal)
    }

    /// Version ids are positive; an added record's id is known only once written.
    static func placeholder(_ k: Int) -> Int64 { -Int64(k) - 1 }

    static func resolve(_ version: Int64, _ written: [Int64]) -> Int64 {
        version > 0 ? version : written[Int(-version - 1)]
    }
}

/// The in-memory sink a worker matches into (`MatchSink`): what the writer will write, up to a
/// budget of bytes. Used on one thread at a time: the worker's, then the writer's.
final class PreparedRows: MatchSink, @unchecked Sendable {
    private(set) var added: RecordStore
    private(set) var quarantined = LineStore()
    private(set) var findings: [Finding] = []
    private let budget: Int
    /// Bytes held besides the added records', roughly.
    private var footprint = 0

    init(layout: Layout, budget: Int) {
        added = RecordStore(layout: layout)
        self.budget = budget
    }

    var isFull: Bool { footprint + added.footprint > budget }

    func finding(_ f: Finding) {
        findings.append(f)
        footprint += 256 + f.message.utf8.count
    }

    func quarantined(line: Int, bytes: UnsafeBufferPointer<UInt8>) {
        quarantined.append(line: line, bytes: bytes)
        footprint += bytes.count + 16
    }

    func added(_ record: RecordView, line: Int, hash: Int64, lineHash: Int64?) -> Int64 {
        added.append(record, line: line, hash: hash, lineHash: lineHash)
        return PreparedDelivery.placeholder(added.count - 1)
    }

    /// Hands everything to the writer's sink, in the order a streamed load writes it by kind.
    func write(into sink: some MatchSink) {
        for f in findings { sink.finding(f) }
        quarantined.forEach { sink.quarantined(line: $0, bytes: $1) }
        added.forEach { record, line, hash, lineHash in _ = sink.added(record, line: line, hash: hash, lineHash: lineHash) }
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

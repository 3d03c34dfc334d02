import AmforaCore

/// A municipality's current versions, for matching this Friday's records against last Friday's:
/// ten million lookups a Friday. The versions are kept in version order — the order of the
/// delivery they came from, which the next delivery mostly repeats — with an open-addressing
/// index by content hash (`take`, `match`).
///
/// A line delivered again byte for byte is recognised before it is parsed (`takeRepeat`) by the
/// hash of its raw line, kept for versions loaded without a finding. It is looked for right after
/// the previous match, a few versions on (past removed ones), so a delivery in last Friday's
/// order is matched walking the versions forwards. A line not found there is parsed and matched
/// by content, which also finds it wherever it moved to. Only when that happens often — a
/// delivery in another order — is an index by line hash built, so that the rest is recognised
/// wherever it is; a delivery in its usual order never pays for that index.
///
/// A taken version stays in the indexes, negated, so that probing runs on past it; identical
/// records (the same content twice) are simply several versions with one key.
struct CurrentVersions: Sendable {
    private var entries: [VersionEntry] = []
    private var byHash: SlotIndex
    /// Built on the `lineIndexAfter`-th line not found near the cursor.
    private var byLine: SlotIndex?
    /// Where the next line is looked for first: right after the last match.
    private var cursor = 0
    /// How far past the cursor a line is looked for: removed versions are skipped over.
    private static let lookahead = 4
    /// Lines not found near the cursor while there is no index by line hash.
    private var missed = 0
    private let lineIndexAfter: Int?
    /// Records `match` or `takeRepeat` found a version for: this Friday's unchanged records.
    private(set) var matched = 0
    /// Of those, the lines recognised by `takeRepeat`, unparsed.
    private(set) var repeats = 0

    /// `lineIndexAfter`: lines not found near the cursor before the index by line hash is built;
    /// by default an eighth of the versions (at least 256).
    init(capacity: Int = 0, lineIndexAfter: Int? = nil) {
        entries.reserveCapacity(capacity)
        byHash = SlotIndex(capacity: capacity, byLine: false)
        self.lineIndexAfter = lineIndexAfter
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// A current version; `line` its raw line's hash when it was loaded without a finding,
    /// `activity` its measure's identity and `person` its CPR number (0 for aids).
    mutating func add(hash: Int64, version: Int64, line: Int64? = nil, activity: Int64 = 0, person: Int64 = 0) {
        precondition(version > 0 && line != 0, "versions are positive; line hash 0 means none")
        let k = entries.count
        entries.append(VersionEntry(version: version, hash: hash, line: line ?? 0, activity: activity, person: person))
        byHash.insert(hash, at: k, entries)
        if let line { byLine?.insert(line, at: k, entries) }
    }

    /// Takes one current version with this content, if any is left.
    mutating func take(_ hash: Int64) -> Int64? {
        guard let k = byHash.firstCurrent(hash, in: entries) else { return nil }
        let v = entries[k].version
        entries[k].version = -v
        cursor = k + 1
        return v
    }

    /// The version whose clean line this line repeats byte for byte (by `lineHash`), and its
    /// measure's identity; nil when none is found (the line is then parsed and matched by
    /// content, which finds any version it repeats). Counted in `matched` and `repeats`.
    mutating func takeRepeat(lineHash: Int64) -> (version: Int64, activity: Int64)? {
        guard let k = nearCursor(lineHash) ?? indexedLine(lineHash) else { return nil }
        let v = entries[k].version
        entries[k].version = -v
        cursor = k + 1
        matched += 1
        repeats += 1
        return (v, entries[k].activity)
    }

    @inline(__always)
    private func nearCursor(_ lineHash: Int64) -> Int? {
        var k = cursor
        let end = min(cursor + Self.lookahead, entries.count)
        while k < end {
            if entries[k].line == lineHash, entries[k].version > 0 { return k }
            k += 1
        }
        return nil
    }

    private mutating func indexedLine(_ lineHash: Int64) -> Int? {
        if byLine == nil {
            missed += 1
            guard missed >= lineIndexAfter ?? max(256, entries.count / 8) else { return nil }
            var index = SlotIndex(capacity: entries.count, byLine: true)
            for k in entries.indices where entries[k].line != 0 { index.insert(entries[k].line, at: k, entries) }
            byLine = index
        }
        return byLine?.firstCurrent(lineHash, in: entries)
    }

    /// Last Friday's version this record repeats (counted in `matched`), or else the version
    /// `add` makes of it, given its content hash.
    mutating func match(_ record: RecordView, else add: (Int64) -> Int64) -> Int64 {
        let hash = RecordIdentity.contentHash(record)
        if let existing = take(hash) {
            matched += 1
            return existing
        }
        return add(hash)
    }

    /// Versions no record of this Friday matched: gone from the dataset. In id order, so that
    /// closing them walks the table forwards.
    var remaining: [Int64] { entries.lazy.map(\.version).filter { $0 > 0 }.sorted() }

    /// The persons of those versions' measures: their write-down is recomputed. Known from the
    /// index, so that closing a version is a plain update (`UPDATE … RETURNING` took about
    /// three times as long).
    var remainingPersons: Set<Int> { Set(entries.lazy.filter { $0.version > 0 && $0.person != 0 }.map { Int($0.person) }) }
}

private struct VersionEntry: Sendable {
    /// > 0: current; < 0: matched already.
    var version: Int64
    let hash: Int64
    /// 0: none (`LineHasher` never gives 0).
    let line: Int64
    let activity: Int64
    let person: Int64
}

/// Open addressing over keys that are hashes already (no second hashing): a slot holds 32 bits
/// of the key, to pass over most other entries without touching them, and the entry's index + 1.
private struct SlotIndex: Sendable {
    private var slots: [UInt64]
    private var mask: Int
    private var count = 0
    /// Which key of an entry this indexes: its line hash, or its content hash.
    private let byLine: Bool

    init(capacity: Int, byLine: Bool) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        self.byLine = byLine
    }

    @inline(__always)
    private func key(_ e: VersionEntry) -> Int64 { byLine ? e.line : e.hash }

    @inline(__always)
    private func start(_ key: Int64) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the key.
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always)
    private func tag(_ key: Int64) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: key)) << 32 }

    mutating func insert(_ key: Int64, at k: Int, _ entries: [VersionEntry]) {
        if (count + 1) * 2 > slots.count { grow(entries) }
        var i = start(key)
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = tag(key) | UInt64(k + 1)
        count += 1
    }

    /// The first current entry with this key in probe order (for one key: the order inserted).
    @inline(__always)
    func firstCurrent(_ key: Int64, in entries: [VersionEntry]) -> Int? {
        let t = tag(key)
        var i = start(key)
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s & 0xFFFF_FFFF_0000_0000 == t {
                let k = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                if self.key(entries[k]) == key, entries[k].version > 0 { return k }
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow(_ entries: [VersionEntry]) {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for s in old where s != 0 {
            let k = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
            insert(key(entries[k]), at: k, entries)
        }
    }
}

/// Finds identities delivered more than once, with their version ids: pairs collected in one
/// array and sorted once at the end (cheaper than a dictionary of a million entries).
struct IdentityTracker: Sendable {
    private var pairs: [(identity: Int64, version: Int64)] = []

    init(capacity: Int = 0) { pairs.reserveCapacity(capacity) }

    mutating func add(_ identity: Int64, version: Int64) { pairs.append((identity, version)) }

    /// Groups of version ids sharing one identity, each sorted, ordered by their first version.
    /// `resolve` maps a recorded version to the final one (a placeholder of a version not yet written).
    func duplicates(resolve: (Int64) -> Int64 = { $0 }) -> [[Int64]] {
        let sorted = pairs.sorted { $0.identity < $1.identity }
        var groups: [[Int64]] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count, sorted[j].identity == sorted[i].identity { j += 1 }
            if j - i > 1 { groups.append(sorted[i..<j].map { resolve($0.version) }.sorted()) }
            i = j
        }
        return groups.sorted { $0[0] < $1[0] }
    }
}

extension CurrentVersions {
    /// A municipality's current dataset of the delivery's kind: each version's content hash, line
    /// hash and identity. Through any connection: a reader on a worker thread sees the last
    /// committed dataset.
    static func read(_ db: Database, _ name: DeliveryName) throws -> CurrentVersions {
        // The size to expect comes from the last delivery, without counting ten million index entries first.
        guard let last = try LastLoad.of(db, name: name) else { return CurrentVersions() }
        let table = WarehouseTable(name.kind)
        var out = CurrentVersions(capacity: last.versions)
        let s = try db.prepare(query(table))
        try s.bind(table.scopeValues(komnr: .int(Int64(name.komnr)), kind: .text(name.kind.rawValue)))
        while try s.step() {
            let line = s.int(2)  // NULL reads as 0: none
            out.add(hash: s.int(1), version: s.int(0), line: line == 0 ? nil : line, activity: table.holdsMeasures ? s.int(3) : 0,
                    person: table.holdsMeasures ? s.int(4) : 0)
        }
        return out
    }

    /// Read from the current-version index alone (`Schema.currentIndex`; a plan test checks it).
    static func query(_ table: WarehouseTable) -> String {
        let identity = table.holdsMeasures ? ", activity_id, cprnr" : ""
        return "SELECT version_id, content_hash, line_hash\(identity) FROM \(table.name) WHERE \(table.parameterisedScope) AND closed_in IS NULL"
    }
}

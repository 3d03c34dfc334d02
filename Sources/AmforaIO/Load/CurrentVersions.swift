import AmforaCore

/// Content hash → version id of a municipality's current versions, for matching this Friday's
/// records against last Friday's. Ten million lookups a Friday: an open-addressing table over
/// the content hash itself (already a hash, so no second hashing), two flat arrays, sized once.
/// A taken entry stays as a negated version so that probing runs on past it; identical records
/// (the same content twice) are simply several entries with one key.
struct CurrentVersions: Sendable {
    /// Key and version side by side: one cache line per probe. Version 0: never used;
    /// > 0: a current version; < 0: a version already matched.
    private var slots: [(hash: Int64, version: Int64)]
    private var mask: Int
    private(set) var count = 0
    /// Records `match` found a version for: this Friday's unchanged records.
    private(set) var matched = 0

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: (0, 0), count: size)
        mask = size - 1
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func slot(_ hash: Int64) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the key.
        Int(truncatingIfNeeded: (UInt64(bitPattern: hash) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    mutating func add(hash: Int64, version: Int64) {
        precondition(version > 0)
        if (count + 1) * 2 > slots.count { grow() }
        var i = slot(hash)
        while slots[i].version != 0 { i = (i + 1) & mask }
        slots[i] = (hash, version)
        count += 1
    }

    /// Takes one current version with this content, if any is left.
    mutating func take(_ hash: Int64) -> Int64? {
        var i = slot(hash)
        while true {
            let (h, v) = slots[i]
            if v == 0 { return nil }
            if v > 0, h == hash {
                slots[i].version = -v
                return v
            }
            i = (i + 1) & mask
        }
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
    var remaining: [Int64] { slots.lazy.map(\.version).filter { $0 > 0 }.sorted() }

    private mutating func grow() {
        var bigger = CurrentVersions(capacity: slots.count)
        for s in slots where s.version > 0 { bigger.add(hash: s.hash, version: s.version) }
        self = bigger
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

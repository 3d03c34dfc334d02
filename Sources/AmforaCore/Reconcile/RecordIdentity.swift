/// What makes two records the same (reconciliation.md "Identity of a record") and what makes
/// two versions of one record equal, as 64-bit hashes over normalised values, so that a week's
/// unchanged records are recognised without comparing fields and regardless of how the
/// municipality happened to write a date or which encoding it used.
public struct RecordIdentity {
    let identityFields: [Int]

    /// §52.2: CPR, Komnr, Foranstalt, Startdt and HoldID, so two courses a person starts on the
    /// same day stay two measures. (Pairing a version without HoldID with one that gained it is
    /// the reconciliation's business, not the id's.) §57.2: Komnr, Identnr, Startdtgod, CVR and
    /// Pnr; the aid type is the file's.
    public init(layout: Layout) {
        let names = layout.index(of: "Startdtgod") != nil
            ? ["Komnr", "Identnr", "Startdtgod", "CVR", "Pnr"]
            : ["CPRnr", "Komnr", "Foranstalt", "Startdt", "HoldID"]
        identityFields = names.compactMap { layout.index(of: $0) }
    }

    /// Stable id of the measure (the same across its versions).
    public func activityID(_ r: RecordView) -> Int64 {
        var h = FNV()
        for i in identityFields { h.add(r, i) }
        return Int64(bitPattern: h.value & 0x7FFF_FFFF_FFFF_FFFF)
    }

    /// Equal for equal normalised content, whatever the date form, padding or encoding.
    public static func contentHash(_ r: RecordView) -> Int64 {
        var h = FNV()
        for i in 0..<r.values.count { h.add(r, i) }
        return Int64(bitPattern: h.value)
    }
}

/// A 64-bit hash over normalised values, a word at a time: stable across runs and platforms
/// (unlike Swift's Hasher, which is seeded per process), and cheap enough for every record.
struct FNV {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}

    init(seed: UInt64) { value = seed }

    @inline(__always)
    mutating func word(_ w: UInt64) {
        value = (value ^ w) &* 0x0000_0100_0000_01B3
        value ^= value >> 29
    }

    @inline(__always)
    mutating func int(_ n: Int) { word(UInt64(bitPattern: Int64(n))) }

    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawPointer(b.baseAddress!)
        var i = 0
        while i + 8 <= b.count {
            word(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count {
            tail |= UInt64(b[i]) << shift
            shift += 8
            i += 1
        }
        word(tail ^ (UInt64(b.count) << 56))
    }

    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { $0.isEmpty ? word(0) : bytes($0) }
    }

    mutating func add(_ r: RecordView, _ i: Int) {
        switch r.values[i] {
        case .missing: word(0x6D)
        case .invalid:
            // A value kept with a warning is kept as delivered: its text makes the version.
            word(6)
            let (s, e) = r.ranges[i]
            if e > s { self.bytes(UnsafeBufferPointer(rebasing: r.line[Int(s)..<Int(e)])) }
        case .number(let n): word(1); int(n)
        case .day(let d): word(2); int(Int(d.ordinal))
        case .flag(let b): word(b ? 3 : 4)
        case .text(let s, let e):
            word(5)
            let bytes = UnsafeBufferPointer(rebasing: r.line[Int(s)..<Int(e)])
            guard !bytes.isEmpty else { return }
            if r.encoding == .utf8 || bytes.allSatisfy({ $0 < 0x80 }) {
                self.bytes(bytes)
            } else {
                // The same text hashes the same whichever encoding it was delivered in.
                var text = r.encoding.decode(bytes)
                text.withUTF8 { self.bytes($0) }
            }
        }
    }
}

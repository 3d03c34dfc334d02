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

/// FNV-1a, 64-bit: simple, fast, stable across runs and platforms (unlike Swift's Hasher).
struct FNV {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3
    }

    @inline(__always)
    mutating func int(_ n: Int) {
        var x = UInt64(bitPattern: Int64(n))
        for _ in 0..<8 {
            byte(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    mutating func add(_ r: RecordView, _ i: Int) {
        switch r.values[i] {
        case .missing, .invalid: byte(0)
        case .number(let n): byte(1); int(n)
        case .day(let d): byte(2); int(Int(d.ordinal))
        case .flag(let b): byte(3); byte(b ? 1 : 0)
        case .text(let s, let e):
            byte(4)
            let bytes = UnsafeBufferPointer(rebasing: r.line[Int(s)..<Int(e)])
            if r.encoding == .utf8 || bytes.allSatisfy({ $0 < 0x80 }) {
                for b in bytes { byte(b) }
            } else {
                for b in r.encoding.decode(bytes).utf8 { byte(b) }
            }
            byte(0xFF)
        }
    }
}

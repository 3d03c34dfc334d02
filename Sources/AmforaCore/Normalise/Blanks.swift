/// A field's bytes with the fixed-width padding (spaces, tabs) removed from both ends.
/// Padding is mostly spaces, so all-blank stretches (an unused 36-character GUID, a short name
/// in a 50-character field) are skipped eight bytes at a time.
@inline(__always)
func trimBlanks(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
    var s = start, e = end
    let raw = UnsafeRawPointer(p)
    while s + 8 <= e, raw.loadUnaligned(fromByteOffset: s, as: UInt64.self) == 0x2020_2020_2020_2020 { s += 8 }
    while s < e, p[s] == 0x20 || p[s] == 0x09 { s += 1 }
    while e - 8 >= s, raw.loadUnaligned(fromByteOffset: e - 8, as: UInt64.self) == 0x2020_2020_2020_2020 { e -= 8 }
    while e > s, p[e - 1] == 0x20 || p[e - 1] == 0x09 { e -= 1 }
    return (s, e)
}

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

/// A run of ASCII digits as an integer; nil when any byte is not a digit or the run is empty
/// or too long for 18 digits.
@inline(__always)
func parseDigits(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    guard end > start, end - start <= 18 else { return nil }
    var v = 0
    for i in start..<end {
        let d = p[i] &- 0x30
        guard d < 10 else { return nil }
        v = v &* 10 &+ Int(d)
    }
    return v
}

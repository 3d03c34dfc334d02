/// A field's bytes with the fixed-width padding (spaces, tabs) removed from both ends.
@inline(__always)
func trimBlanks(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
    var s = start, e = end
    while s < e, p[s] == 0x20 || p[s] == 0x09 { s += 1 }
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

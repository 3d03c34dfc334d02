/// Dates as deliveries write them: the SAS informat DDMMYY10. (§52.2's `ddmmyy10.`), §57.2's
/// `dd-mm-yyyy`, and ISO 8601, normalised to a `Day` (flat-files.md "Dates").
public enum DeliveryDate {
    public enum Problem: Error, Equatable, Sendable {
        /// The text is not one of the accepted forms.
        case unrecognised
        /// The form is right but the date does not exist (31-02-2024).
        case impossible
        /// A real date outside 1990-01-01 … 2100-12-31.
        case outOfRange(Day)
    }

    public static let earliest = Day(year: 1990, month: 1, day: 1)!
    public static let latest = Day(year: 2100, month: 12, day: 31)!

    /// Separators the day-first forms may use; both positions must use the same one. A blank is
    /// one too, as in SAS's DDMMYY10. (`16 03 2008`, reference/facts.md).
    @inline(__always)
    static func isSeparator(_ b: UInt8) -> Bool { b == 0x2D || b == 0x2F || b == 0x2E || b == 0x20 }  // - / . blank

    /// Parses `bytes[start..<end]` (already trimmed of padding; must not be empty).
    public static func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Result<Day, Problem> {
        @inline(__always) func two(_ i: Int) -> Int? {
            let a = p[start + i] &- 0x30, b = p[start + i + 1] &- 0x30
            return a < 10 && b < 10 ? Int(a) * 10 + Int(b) : nil
        }
        @inline(__always) func four(_ i: Int) -> Int? {
            guard let h = two(i), let l = two(i + 2) else { return nil }
            return h * 100 + l
        }
        var ymd: (Int, Int, Int)?
        switch end - start {
        case 10:
            if p[start + 4] == 0x2D, p[start + 7] == 0x2D,
               let y = four(0), let m = two(5), let d = two(8) {
                ymd = (y, m, d)                                   // yyyy-mm-dd
            } else if isSeparator(p[start + 2]), p[start + 2] == p[start + 5],
                      let d = two(0), let m = two(3), let y = four(6) {
                ymd = (y, m, d)                                   // dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy
            }
        case 8:
            if isSeparator(p[start + 2]), p[start + 2] == p[start + 5],
               let d = two(0), let m = two(3), let yy = two(6) {
                ymd = (2000 + yy, m, d)                           // dd-mm-yy, dd/mm/yy, dd.mm.yy
            } else if let d = two(0), let m = two(2), let y = four(4) {
                ymd = (y, m, d)                                   // ddmmyyyy
            }
        case 6:
            if let d = two(0), let m = two(2), let yy = two(4) {
                ymd = (2000 + yy, m, d)                           // ddmmyy
            }
        default:
            break
        }
        guard let (y, m, d) = ymd else { return .failure(.unrecognised) }
        guard let day = Day(year: y, month: m, day: d) else { return .failure(.impossible) }
        guard day >= earliest, day <= latest else { return .failure(.outOfRange(day)) }
        return .success(day)
    }

    /// Convenience for tests and options: parses a Swift string the same way.
    public static func parse(_ text: String) -> Result<Day, Problem> {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x20] }
        return bytes.withUnsafeBufferPointer { b in
            let (s, e) = trimBlanks(b.baseAddress!, 0, b.count)
            guard e > s else { return .failure(.unrecognised) }
            return parse(b.baseAddress!, s, e)
        }
    }
}

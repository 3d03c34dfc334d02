/// The Danish personal identification number (CPR-nummer), `ddmmyyssss`.
///
/// It is personal data: nothing outside the warehouse ever shows more than the birth-date part
/// (`ddmmyy-****`). The modulus-11 check is deliberately absent: numbers without it have been
/// issued since 1 October 2007 (reference/facts.md).
public enum CPR {
    /// Birth date from ten ASCII digits at `p`, with the century taken from the 7th digit and the
    /// year. Nil when a byte is not a digit or ddmmyy is not a real date.
    public static func birthDate(ascii p: UnsafePointer<UInt8>) -> Day? {
        @inline(__always) func digit(_ i: Int) -> Int? {
            let v = p[i] &- 0x30
            return v < 10 ? Int(v) : nil
        }
        guard let d0 = digit(0), let d1 = digit(1), let m0 = digit(2), let m1 = digit(3),
              let y0 = digit(4), let y1 = digit(5), let s = digit(6) else { return nil }
        let yy = y0 * 10 + y1
        guard let century = century(seventhDigit: s, yy: yy) else { return nil }
        return Day(year: century + yy, month: m0 * 10 + m1, day: d0 * 10 + d1)
    }

    /// Birth date of a CPR number held as an integer (leading zeros restored).
    public static func birthDate(number: Int) -> Day? {
        guard number >= 0, number < 10_000_000_000 else { return nil }
        let day = number / 100_000_000, month = number / 1_000_000 % 100, yy = number / 10_000 % 100
        let seventh = number / 1000 % 10
        guard let century = century(seventhDigit: seventh, yy: yy) else { return nil }
        return Day(year: century + yy, month: month, day: day)
    }

    /// Birth date of a CPR number written as text (tests, tools).
    public static func birthDate(_ text: String) -> Day? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return nil }
        return bytes.withUnsafeBufferPointer { birthDate(ascii: $0.baseAddress!) }
    }

    /// Ten digits with leading zeros, for a CPR number held as an integer.
    public static func digits(of number: Int) -> String {
        let s = String(number)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s
    }

    /// The century rule of reference/facts.md.
    public static func century(seventhDigit s: Int, yy: Int) -> Int? {
        switch s {
        case 0...3: return 1900
        case 4, 9: return yy <= 36 ? 2000 : 1900
        case 5...8:
            if yy <= 57 { return 2000 }
            return 1800
        default: return nil
        }
    }

    /// `ddmmyy-****` for anything that may be a CPR number. Values shorter than six characters
    /// cannot identify anyone and are shown as they are (so a finding can still quote them).
    public static func mask(_ raw: String) -> String {
        let trimmed = raw.trimmingBlanks()
        let chars = Array(trimmed)
        guard chars.count > 6 else { return trimmed }
        return String(chars[0..<6]) + "-****"
    }

    /// Masks every CPR-shaped number inside free text, wherever it stands: a run of digits that
    /// holds ten digits whose first six are a day and month (`ddmmyy` + four), or six such digits,
    /// a hyphen and four more. The run keeps its digits up to the birth date and every digit after
    /// it becomes `*`: `17098216317` → `170982-*****`. Over-masking is the safe side.
    public static func scrub(_ text: String) -> String {
        // Both shapes need six digits in a row: text without them is returned as it is, without
        // the copy (the history-change CSV scrubs every old and new value of a Friday).
        hasSixDigitsInARow(text) ? scrubEveryRun(text) : text
    }

    /// `scrub` without its shortcut.
    static func scrubEveryRun(_ text: String) -> String {
        let u = Array(text.unicodeScalars)
        guard u.count >= 10 else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            guard isDigit(u[i]) else {
                out.append(u[i])
                i += 1
                continue
            }
            var j = i
            while j < u.count, isDigit(u[j]) { j += 1 }
            if let w = (i...max(i, j - 10)).first(where: { j - $0 >= 10 && isBirthDate(u, at: $0) }) {
                out.append(contentsOf: u[i..<(w + 6)])
                out.append(contentsOf: "-****".unicodeScalars)
                out.append(contentsOf: String(repeating: "*", count: j - w - 10).unicodeScalars)
                i = j
            } else if let end = hyphenated(u, run: i..<j) {
                out.append(contentsOf: u[i..<j])
                out.append(contentsOf: "-****".unicodeScalars)
                out.append(contentsOf: String(repeating: "*", count: end - j - 5).unicodeScalars)
                i = end
            } else {
                out.append(contentsOf: u[i..<j])
                i = j
            }
        }
        return String(out)
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }

    static func hasSixDigitsInARow(_ text: String) -> Bool {
        var run = 0
        for b in text.utf8 {
            if b >= 48 && b <= 57 {
                run += 1
                if run == 6 { return true }
            } else {
                run = 0
            }
        }
        return false
    }

    /// Six digits at `i` that read as a day and month (any year).
    private static func isBirthDate(_ u: [Unicode.Scalar], at i: Int) -> Bool {
        let dd = Int(u[i].value - 48) * 10 + Int(u[i + 1].value - 48)
        let mm = Int(u[i + 2].value - 48) * 10 + Int(u[i + 3].value - 48)
        return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12
    }

    /// `ddmmyy-ssss`: the run ends in a birth date, a hyphen follows, then four or more digits.
    /// Returns where the digits after the hyphen end.
    private static func hyphenated(_ u: [Unicode.Scalar], run: Range<Int>) -> Int? {
        let j = run.upperBound
        guard run.count >= 6, j < u.count, u[j] == "-", isBirthDate(u, at: j - 6) else { return nil }
        var k = j + 1
        while k < u.count, isDigit(u[k]) { k += 1 }
        return k - (j + 1) >= 4 ? k : nil
    }
}

extension String {
    /// Trims spaces and tabs only: fixed-width padding, nothing more.
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

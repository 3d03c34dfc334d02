/// Number and text formatting shared by the report renderers (HTML, CSV, JSON). Pure Swift, no
/// Foundation: the renderers must give the same bytes on every machine and locale.
enum ReportFormat {
    /// `x` with `places` decimals, rounded half away from zero, with `point` as the decimal
    /// separator and `group` (if any) between thousands. Nil for NaN and infinities.
    static func fixed(_ x: Double, places: Int, point: String = ".", group: String? = nil, minus: String = "-") -> String? {
        guard x.isFinite else { return nil }
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9.0e15 else { return nil }
        let n = Int(scaled), unit = Int(scale)
        let whole = integer(n / unit, group: group)
        var s = (x < 0 && n != 0) ? minus + whole : whole
        if places > 0 {
            let frac = String(n % unit)
            s += point + String(repeating: "0", count: places - frac.count) + frac
        }
        return s
    }

    /// An integer with `group` between thousands (`12.345` in Danish text).
    static func integer(_ n: Int, group: String? = nil, minus: String = "-") -> String {
        let digits = String(n.magnitude)
        guard let group, digits.count > 3 else { return n < 0 ? minus + digits : digits }
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += group }
            out.append(c)
        }
        return n < 0 ? minus + out : out
    }

    /// `"2 t 14 min før fredag kl. 06.00"` / `"deadline overskredet med 12 min"`.
    static func margin(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "ukendt margin til fredag kl. 06.00" }
        // Never overstate the margin nor understate the delay: down before, up after.
        let totalMinutes = Int((abs(seconds) / 60).rounded(seconds >= 0 ? .down : .up))
        let hours = totalMinutes / 60, minutes = totalMinutes % 60
        let span: String
        if totalMinutes == 0 {
            span = "under 1 min"
        } else if hours == 0 {
            span = "\(minutes) min"
        } else {
            span = "\(integer(hours, group: ".")) t \(minutes) min"
        }
        return seconds >= 0 ? "\(span) før fredag kl. 06.00" : "deadline overskredet med \(span)"
    }

    static let danishMonths = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                               "september", "oktober", "november", "december"]
    static let danishWeekdays = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]

    /// `fredag 8. november 2024`.
    static func longDate(_ d: Day) -> String {
        let (y, m, day) = d.components
        return "\(danishWeekdays[d.isoWeekday - 1]) \(day). \(danishMonths[m - 1]) \(y)"
    }

    /// `8. nov.`: for chart legends.
    static func shortDate(_ d: Day) -> String {
        let (_, m, day) = d.components
        return "\(day). \(danishMonths[m - 1].prefix(3))."
    }
}

/// Text made safe for HTML element content and quoted attribute values: `& < > " '` become
/// references, and control characters (which HTML forbids) become U+FFFD.
enum HTMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(u)
            case "\r": out += " "
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) || (u.value >= 0xFDD0 && u.value <= 0xFDEF) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// Free text from the data (names, files, messages, flags): CPR numbers masked, then escaped.
    static func text(_ s: String) -> String { escape(CPR.scrub(s)) }
}

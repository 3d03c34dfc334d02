/// `amfora status` for the operator at a terminal: the headline, what needs a person, and a
/// table of deliveries with their full messages wrapped to the terminal's width.
public enum StatusText {
    public static func render(_ r: BatchReport, width: Int, municipality: Int? = nil, all: Bool = false) -> String {
        let width = max(width, 60)
        var out = wrap(RunSummary.headline(r), width: width, indent: "")
        let attention = RunSummary.attention(r)
        if attention.isEmpty {
            out.append("nothing needs a person")
        } else {
            out.append("needs a person:")
            for line in attention { out += wrap(line, width: width, indent: "  ", first: "- ") }
        }
        let rows = r.municipalities.filter { m in
            if let municipality { return m.komnr == municipality }
            return all || m.needsPerson || m.late || m.rejected > 0
        }
        guard !rows.isEmpty else { return out.joined(separator: "\n") }
        out.append("")
        out.append("kom municipality       kind     status    records rejected warnings")
        for m in rows {
            out.append([ValidationOutput.pad3(m.komnr), pad(m.name, 18), pad(m.kind.rawValue, 8), pad(m.status.rawValue, 8),
                        right(m.records, 8), right(m.rejected, 8), right(m.warnings, 8)].joined(separator: " "))
            for flag in m.flags { out += wrap(flag, width: width, indent: "      ", first: "    ") }
        }
        return out.joined(separator: "\n")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
    static func right(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: " ", count: max(0, n - s.count)) + s }

    /// Words wrapped to `width`; the first line starts with `first` (else `indent`), the rest with `indent`.
    static func wrap(_ text: String, width: Int, indent: String, first: String? = nil) -> [String] {
        var lines: [String] = []
        var line = first ?? indent
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !empty, line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
                empty = true
            }
            line += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(line)
        return lines
    }
}

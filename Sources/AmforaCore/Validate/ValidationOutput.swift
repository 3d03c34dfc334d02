/// Renders `amfora validate` results: a line per file and the findings by rule for a person,
/// or the JSON object of interfaces.md for machines (streamed, so any number of findings fits).
public enum ValidationOutput {
    public static func summaryLine(_ s: FileSummary, municipalities: [Int: String]) -> String {
        let name = s.komnr.flatMap { municipalities[$0] }.map { " \($0)" } ?? ""
        let komnr = s.komnr.map { pad3($0) + name } ?? "-"
        var parts = [s.file, s.kind?.rawValue ?? "-", komnr, s.encoding?.rawValue ?? "-"]
        parts.append("\(s.tally.records) records")
        if s.tally.blankLines > 0 { parts.append("\(s.tally.blankLines) blank") }
        parts.append("\(s.errors) errors")
        parts.append("\(s.warnings) warnings")
        if s.tally.quarantined > 0 { parts.append("\(s.tally.quarantined) quarantined") }
        if !s.isUsable { parts.append("FILE REJECTED") }
        return parts.joined(separator: "  ")
    }

    public static func digestText(_ d: FindingDigest) -> String {
        let groups = d.ordered
        guard !groups.isEmpty else { return "No findings." }
        var out = ["Findings by rule:"]
        for g in groups {
            out.append("  \(g.severity.rawValue.padding(7))  \(g.rule)\(g.field.map { " [\($0)]" } ?? "")  ×\(g.count)")
            for e in g.examples {
                let at = e.line.map { "\(e.file):\($0)" } ?? e.file
                let value = e.value.map { $0.isEmpty ? " (blank)" : " \"\($0)\"" } ?? ""
                out.append("      \(at)\(value): \(e.message)")
            }
            if g.count > g.examples.count { out.append("      … and \(g.count - g.examples.count) more") }
        }
        return out.joined(separator: "\n")
    }

    // MARK: JSON

    /// The file object up to its findings array; findings and `fileTail` follow.
    public static func jsonFileHead(file: String) -> String {
        "{\"file\":\(json(file)),\"findings\":["
    }

    public static func jsonFinding(_ f: Finding) -> String {
        var s = "{\"line\":\(f.line.map(String.init) ?? "null"),\"field\":\(f.field.map(json) ?? "null")"
        s += ",\"rule\":\(json(f.rule)),\"severity\":\(json(f.severity.rawValue))"
        s += ",\"value\":\(f.value.map(json) ?? "null"),\"message\":\(json(f.message))"
        if let b = f.byteOffset { s += ",\"byte_offset\":\(b)" }
        return s + "}"
    }

    public static func jsonFileTail(_ s: FileSummary) -> String {
        var t = "],\"kind\":\(s.kind.map { json($0.rawValue) } ?? "null")"
        t += ",\"komnr\":\(s.komnr.map { json(pad3($0)) } ?? "null")"
        t += ",\"batch_date\":\(s.batchDate.map { json($0.iso) } ?? "null")"
        t += ",\"encoding\":\(s.encoding.map { json($0.rawValue) } ?? "null")"
        t += ",\"lines\":\(s.tally.lines),\"records\":\(s.tally.records),\"blank_lines\":\(s.tally.blankLines)"
        t += ",\"quarantined\":\(s.tally.quarantined),\"errors\":\(s.errors),\"warnings\":\(s.warnings)"
        t += ",\"usable\":\(s.isUsable)}"
        return t
    }

    /// A JSON string literal. Control characters are escaped, so hostile bytes cannot break it.
    public static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    public static func pad3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

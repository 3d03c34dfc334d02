/// The fetch summary as text for cron's mail and the operator's terminal: a few lines on a good
/// Friday (municipalities with nothing to note share one line), a line per municipality that
/// needs a look, and every name escaped so a hostile one cannot rewrite the screen.
public enum FetchReport {
    public static func lines(_ s: FetchSummary, municipalities: [Int: String]) -> [String] {
        var out = [headline(s)]
        let byMunicipality = Dictionary(grouping: s.items, by: \.komnr)
        var routineFetched: [Int] = [], routineUnchanged: [Int] = []
        for komnr in byMunicipality.keys.sorted() {
            let items = byMunicipality[komnr]!
            if items.allSatisfy({ $0.outcome.isRoutine }) {
                if items.contains(where: { if case .fetched = $0.outcome { true } else { false } }) {
                    routineFetched.append(komnr)
                } else {
                    routineUnchanged.append(komnr)
                }
                continue
            }
            out.append(detail(komnr, items, municipalities))
        }
        out += wrapped("  fetched: ", routineFetched.map(pad3))
        out += wrapped("  unchanged: ", routineUnchanged.map(pad3))
        for d in s.duplicates {
            out.append("  one delivery under several names, check which counts: " + d.map(RemoteName.printable).joined(separator: ", "))
        }
        out += ignoredLines(s)
        for line in s.unparsedListingLines.prefix(5) {
            out.append("  not understood in the listing: \(RemoteName.printable(line))")
        }
        if s.plaintext { out.append("  PLAINTEXT: the connection was not encrypted (--allow-plaintext)") }
        return out
    }

    /// The deliveries that need a look, by name; the routine rest only counted.
    static func detail(_ komnr: Int, _ items: [FetchSummary.Item], _ municipalities: [Int: String]) -> String {
        let name = municipalities[komnr].map { " \($0)" } ?? ""
        var what = items.filter { !$0.outcome.isRoutine }.map { "\(RemoteName.printable($0.name)) \($0.outcome.text)" }
        let fetched = items.filter { if case .fetched = $0.outcome { true } else { false } }.count
        let unchanged = items.filter { $0.outcome == .unchanged }.count
        if fetched > 0 { what.append("\(fetched) more fetched") }
        if unchanged > 0 { what.append("\(unchanged) more unchanged") }
        return "  \(pad3(komnr))\(name): " + what.joined(separator: "; ")
    }

    static func headline(_ s: FetchSummary) -> String {
        var parts: [String] = []
        func add(_ n: Int, _ label: String) { if n > 0 { parts.append("\(n) \(label)") } }
        add(s.count { if case .fetched = $0 { true } else { false } }, "fetched")
        add(s.count { if case .redelivered = $0 { true } else { false } }, "redelivered")
        add(s.count { $0 == .unchanged }, "unchanged")
        add(s.count { if case .incomplete = $0 { true } else { false } }, "still being written")
        add(s.count { if case .failed = $0 { true } else { false } }, "failed")
        add(s.count { $0 == .notStarted }, "not started (time budget)")
        if parts.isEmpty { parts.append("no deliveries for this batch") }
        let mb = Double(s.bytesFetched) / 1_000_000
        let rate = s.seconds > 0 ? mb / s.seconds : 0
        let security = s.plaintext ? "PLAINTEXT" : (s.source.hasPrefix("ftp") ? "TLS" : "local")
        return "fetch \(s.batch.iso) from \(s.source) (\(security)): " + parts.joined(separator: ", ")
            + "; \(decimal(mb)) MB in \(decimal(s.seconds)) s (\(decimal(rate)) MB/s)"
    }

    static func ignoredLines(_ s: FetchSummary) -> [String] {
        var out: [String] = []
        var otherBatches = 0, hidden = 0
        for e in s.ignored {
            switch e.reason {
            case .refused(let p): out.append("  refused, not a safe file name: \(RemoteName.printable(e.name)) (\(p))")
            case .notADelivery(let why): out.append("  not a delivery, left on the server: \(RemoteName.printable(e.name)) (\(why))")
            case .listedTwice: out.append("  refused, listed more than once: \(RemoteName.printable(e.name))")
            case .otherBatch: otherBatches += 1
            case .hidden: hidden += 1
            }
        }
        if otherBatches > 0 {
            out.append("  \(otherBatches) \(otherBatches == 1 ? "delivery" : "deliveries") for other batches left on the server")
        }
        if hidden > 0 { out.append("  \(hidden) hidden \(hidden == 1 ? "entry" : "entries") (leading '.') ignored") }
        return out
    }

    static func wrapped(_ label: String, _ words: [String], width: Int = 100) -> [String] {
        guard !words.isEmpty else { return [] }
        var lines: [String] = [], line = label
        for w in words {
            if line.count + w.count + 1 > width, line != label {
                lines.append(line)
                line = String(repeating: " ", count: label.count)
            }
            line += (line.hasSuffix(" ") ? "" : " ") + w
        }
        return lines + [line]
    }

    static func pad3(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }

    /// One decimal, without Foundation's String(format:).
    static func decimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}

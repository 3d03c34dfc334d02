/// CSV files that open correctly in a Danish Excel: UTF-8 with a byte-order mark (else Excel
/// reads Windows-1252 and mangles æ, ø, å), `;` between fields (the Danish list separator),
/// decimal comma, ISO dates (`yyyy-mm-dd`), CRLF line ends, and fields quoted with `"` when they
/// hold `;`, `"`, CR or LF (quotes doubled).
///
/// Text from the data is CPR-scrubbed, and a text cell that Excel would take for a formula
/// (starting with `=`, `+`, `-`, `@`, tab or CR, and not a plain number) gets a leading `'`.
///
/// The functions return whole files as `String` starting with "\u{FEFF}"; for files too large to
/// hold in memory (the full rejects per municipality), write `bom + line(header)` and then
/// `line(row)` per row.
public enum CSVExport {
    public static let bom = "\u{FEFF}"
    public static let separator: Character = ";"
    public static let lineEnd = "\r\n"

    /// The file names the HTML report refers to.
    public enum FileName {
        public static let municipalities = "municipalities.csv"
        public static let rejectsByRule = "rejects_by_rule.csv"
        public static let historyChanges = "history_changes.csv"
        public static let stages = "stages.csv"
    }

    /// Columns of a full rejects file (one row per quarantined or warned line): the value as
    /// delivered (CPR masked), so the supplier sees what was wrong.
    public static let rejectsHeader = ["komnr", "file", "line", "field", "rule", "severity", "value", "message"]

    // MARK: Generic

    /// A whole file: BOM, header, rows. Cells are written as given (after scrubbing and quoting).
    public static func table(header: [String], rows: [[String]]) -> String {
        var out = bom + line(header)
        for r in rows { out += line(r) }
        return out
    }

    /// One record with its CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(field).joined(separator: String(separator)) + lineEnd
    }

    /// One cell: CPR-scrubbed, formula-guarded, quoted when needed.
    public static func field(_ raw: String) -> String {
        var s = CPR.scrub(raw)
        if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isPlainNumber(s) {
            s = "'" + s
        }
        let needsQuotes = s.unicodeScalars.contains { $0 == ";" || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return s }
        return "\"" + s.replacingScalar("\"", with: "\"\"") + "\""
    }

    /// A number with decimal comma (`12,5`, `-3,0`); empty for nil or non-finite.
    public static func decimal(_ x: Double?, places: Int = 1) -> String {
        x.flatMap { ReportFormat.fixed($0, places: places, point: ",") } ?? ""
    }

    // MARK: The report's files

    public static func municipalities(_ r: BatchReport) -> String {
        // Headers that stay the same from Friday to Friday, so a Power Query refresh keeps working.
        var header = ["komnr", "name", "kind", "status", "file", "records_this_friday", "records_last_friday", "change_%",
                      "unchanged", "changed", "new", "removed", "reappeared", "rejected", "warnings",
                      "history_changes", "flags"]
        header += (0..<r.fridays.count).reversed().map { $0 == 0 ? "records_fridays_ago_0" : "records_fridays_ago_\($0)" }
        let rows = HTMLReport.ordered(r.municipalities).map { m -> [String] in
            var row = [ValidationOutput.pad3(m.komnr), m.name, m.kind.rawValue, m.status.rawValue, m.file ?? "",
                       String(m.records), String(m.previousRecords), decimal(m.changePercent),
                       String(m.unchanged), String(m.changed), String(m.new), String(m.removed),
                       String(m.reappeared), String(m.rejected), String(m.warnings), String(m.historyChanges),
                       DanishText.flags(m).joined(separator: " | ")]
            row += HTMLReport.aligned(m.volumeHistory, to: r.fridays.count).map { $0.map(String.init) ?? "" }
            return row
        }
        return table(header: header, rows: rows)
    }

    /// One row per example (the rule's columns repeated), or one row for a rule without examples.
    public static func rejectsByRule(_ r: BatchReport) -> String {
        let header = ["rule", "severity", "field", "count", "komnr", "file", "line", "value", "message"]
        var rows: [[String]] = []
        for g in HTMLReport.ordered(r.rejectsByRule) {
            let head = [g.rule, g.severity.rawValue, g.field ?? "", String(g.count)]
            if g.examples.isEmpty { rows.append(head + ["", "", "", "", ""]) }
            for e in g.examples {
                rows.append(head + [ValidationOutput.pad3(e.komnr), e.file, e.line.map(String.init) ?? "",
                                    e.value ?? "", e.message])
            }
        }
        return table(header: header, rows: rows)
    }

    public static let historyChangesHeader = ["komnr", "change", "person", "foranstalt", "start_date", "end_date", "changed_fields", "old_to_new"]

    public static func historyChangeRow(_ h: BatchReport.HistoryChange) -> [String] {
        [ValidationOutput.pad3(h.komnr), h.change, h.person, String(h.foranstalt), h.startDate.iso, h.endDate.iso,
         h.changedFields.joined(separator: ", "), h.oldToNew.joined(separator: "; ")]
    }

    /// The history changes the model holds (a sample when there are many: the full list can be
    /// streamed with `historyChangesHeader`, `historyChangeRow` and `line`).
    public static func historyChanges(_ r: BatchReport) -> String {
        table(header: historyChangesHeader, rows: r.historyChanges.map(historyChangeRow))
    }

    public static func stages(_ r: BatchReport) -> String {
        table(header: ["stage", "seconds", "detail"],
              rows: r.stages.map { [$0.stage, decimal($0.seconds, places: 3), $0.detail] })
    }

    // MARK: Reading

    /// Reads the dialect above back into rows of cells: skips a BOM, honours quotes (with
    /// doubled quotes and line breaks inside), accepts CRLF or LF. A final line end does not
    /// make an empty row.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = String.UnicodeScalarView()
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var inQuotes = false, rowHasContent = false
        var it = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return it.next()
        }
        while let u = next() {
            if inQuotes {
                if u == "\"" {
                    if let n = next() {
                        if n == "\"" { cell.append("\"") } else { inQuotes = false; pending = n }
                    } else {
                        inQuotes = false
                    }
                } else {
                    cell.append(u)
                }
                continue
            }
            switch u {
            case "\"":
                inQuotes = true
                rowHasContent = true
            case ";":
                row.append(String(cell))
                cell = String.UnicodeScalarView()
                rowHasContent = true
            case "\r", "\n":
                if u == "\r", let n = next(), n != "\n" { pending = n }
                if rowHasContent || !cell.isEmpty {
                    row.append(String(cell))
                    rows.append(row)
                }
                row = []
                cell = String.UnicodeScalarView()
                rowHasContent = false
            default:
                cell.append(u)
                rowHasContent = true
            }
        }
        if rowHasContent || !cell.isEmpty {
            row.append(String(cell))
            rows.append(row)
        }
        return rows
    }

    // MARK: Private

    /// `-12`, `3,5`: numbers that must stay numbers (not formula-guarded).
    private static func isPlainNumber(_ s: String) -> Bool {
        var u = Substring(s).unicodeScalars[...]
        if u.first == "-" || u.first == "+" { u = u.dropFirst() }
        var sawComma = false, lastWasDigit = false
        for c in u {
            if c.isASCII, c.value >= 48, c.value <= 57 {
                lastWasDigit = true
            } else if c == ",", !sawComma, lastWasDigit {
                sawComma = true
                lastWasDigit = false
            } else {
                return false
            }
        }
        return lastWasDigit
    }
}

extension String {
    /// Replaces every `target` (a single scalar) by `replacement`, without Foundation.
    func replacingScalar(_ target: Unicode.Scalar, with replacement: String) -> String {
        var out = ""
        for u in unicodeScalars {
            if u == target { out += replacement } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}

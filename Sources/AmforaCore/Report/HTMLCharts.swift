/// The report's charts: inline SVG drawn with plain elements (rect, line, polyline, circle,
/// text), each with a `<title>`, a `<desc>` and `role="img"` with an `aria-label`, so the numbers
/// are there for screen readers and for anyone who cannot see the colours.
extension HTMLReport {
    /// A coordinate with one decimal and a point (SVG syntax).
    static func c(_ x: Double) -> String { ReportFormat.fixed(x, places: 1) ?? "0" }

    /// A round step of about `x`: 1, 2 or 5 times a power of ten.
    static func niceStep(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= x { p *= 10 }
        while p > x { p /= 10 }
        let f = x / p
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p
    }

    /// An axis from zero to a round maximum ≥ `maxValue`, with about four ticks.
    static func axis(_ maxValue: Double) -> (max: Double, ticks: [Double]) {
        let step = max(1, niceStep(maxValue / 4))
        let top = max(step, (maxValue / step).rounded(.up) * step)
        var ticks: [Double] = []
        var t = 0.0
        while t <= top + step / 2 { ticks.append(t); t += step }
        return (top, ticks)
    }

    static func svgOpen(width: Int, height: Int, label: String, title: String, desc: String, cls: String = "chart") -> String {
        "<svg class=\"\(cls)\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLText.escape(label))\">"
            + "<title>\(HTMLText.escape(title))</title><desc>\(HTMLText.escape(desc))</desc>\n"
    }

    // MARK: Sparkline (b): the last Fridays' volume, in the municipality table

    static func sparkline(_ m: BatchReport.MunicipalityRow, fridays: [Day]) -> String {
        let count = fridays.isEmpty ? m.volumeHistory.count : fridays.count
        let values = aligned(m.volumeHistory, to: count)
        let known: [(Int, Int)] = values.enumerated().compactMap { i, v in v.map { (i, $0) } }
        guard let maxKnown = known.map(\.1).max() else { return "<span class=\"note\">–</span>" }
        let w = 100.0, h = 22.0, pad = 3.0
        let top = Double(max(1, maxKnown))
        func x(_ i: Int) -> Double { count <= 1 ? w / 2 : pad + Double(i) * (w - 2 * pad) / Double(count - 1) }
        func y(_ v: Int) -> Double { h - pad - Double(max(0, v)) / top * (h - 2 * pad) }
        func when(_ i: Int) -> String { i < fridays.count ? fridays[i].iso : "fredag \(i + 1)" }
        let text = "Poster pr. fredag, ældste først: " + known.map { "\(when($0.0)): \(int($0.1))" }.joined(separator: "; ")
        var s = "<svg class=\"spark\" width=\"100\" height=\"22\" viewBox=\"0 0 100 22\" role=\"img\" aria-label=\"\(HTMLText.escape(text))\">"
        s += "<title>\(HTMLText.escape(text))</title>"
        s += "<line class=\"base\" x1=\"\(c(pad))\" y1=\"\(c(h - pad))\" x2=\"\(c(w - pad))\" y2=\"\(c(h - pad))\"/>"
        if known.count > 1 {
            s += "<polyline class=\"line\" points=\"\(known.map { "\(c(x($0.0))),\(c(y($0.1)))" }.joined(separator: " "))\"/>"
        }
        let last = known[known.count - 1]
        let dropped = known.count > 1 && Double(last.1) < 0.9 * Double(known[known.count - 2].1)
        s += "<circle class=\"dot\(dropped ? " bad" : "")\" cx=\"\(c(x(last.0)))\" cy=\"\(c(y(last.1)))\" r=\"2.5\"/>"
        return s + "</svg>"
    }

    // MARK: (a) Records per municipality, this Friday vs last Friday

    static func recordsChart(_ r: BatchReport) -> String {
        var h = "<section id=\"poster\" aria-labelledby=\"poster-h\">\n<h2 id=\"poster-h\">Poster pr. kommune</h2>\n"
        let amfora = r.municipalities.filter { $0.kind == .amfora }
        guard !amfora.isEmpty else { return h + "<p>Ingen AMFORA-leverancer i denne batch.</p>\n</section>\n" }
        let byRecords = amfora.enumerated().sorted { a, b in
            if a.element.records != b.element.records { return a.element.records > b.element.records }
            if a.element.komnr != b.element.komnr { return a.element.komnr < b.element.komnr }
            return a.offset < b.offset
        }.map(\.element)
        let shown = byRecords.enumerated().filter { $0.offset < chartTop || needsAttention($0.element) }.map(\.element)
        let flaggedExtra = shown.count - min(chartTop, byRecords.count)

        let labelW = 220.0, valueW = 170.0, barW = 560.0, rowH = 30.0, y0 = 36.0
        let width = Int(labelW + barW + valueW), height = Int(y0 + Double(shown.count) * rowH + 28)
        let (top, ticks) = axis(Double(shown.map { max($0.records, $0.previousRecords) }.max() ?? 0))
        func sx(_ v: Int) -> Double { Double(max(0, v)) / top * barW }
        let last = r.batch + -7

        let title = "Poster pr. kommune (AMFORA), denne fredag \(r.batch.iso) mod sidste fredag \(last.iso)"
        let label = "Vandret søjlediagram: poster pr. kommune (AMFORA) denne fredag og sidste fredag for \(shown.count) kommuner. "
            + "Tallene står også i tabellen Kommuner."
        let desc = shown.map { m in
            "\(ValidationOutput.pad3(m.komnr)) \(CPR.scrub(m.name)): \(int(m.records)) (sidste fredag \(int(m.previousRecords)), \(pct(m.changePercent)))"
                + (needsAttention(m) ? ", kræver opmærksomhed" : "")
        }.joined(separator: "; ")

        h += "<figure>\n<figcaption>\(HTMLText.escape(title))</figcaption>\n" + svgOpen(width: width, height: height, label: label, title: title, desc: desc)
        // Legend
        h += "<rect class=\"this\" x=\"\(c(labelW))\" y=\"6\" width=\"12\" height=\"12\"/>"
        h += "<text x=\"\(c(labelW + 18))\" y=\"16\">Denne fredag (\(HTMLText.escape(ReportFormat.shortDate(r.batch))))</text>"
        h += "<rect class=\"prev\" x=\"\(c(labelW + 200))\" y=\"7\" width=\"12\" height=\"10\"/>"
        h += "<text x=\"\(c(labelW + 218))\" y=\"16\">Sidste fredag (\(HTMLText.escape(ReportFormat.shortDate(last))))</text>\n"
        // Grid and ticks
        let plotBottom = y0 + Double(shown.count) * rowH
        for t in ticks {
            let x = labelW + t / top * barW
            h += "<line class=\"grid\" x1=\"\(c(x))\" y1=\"\(c(y0 - 4))\" x2=\"\(c(x))\" y2=\"\(c(plotBottom))\"/>"
            h += "<text class=\"small muted\" x=\"\(c(x))\" y=\"\(c(plotBottom + 16))\" text-anchor=\"middle\">\(int(Int(t)))</text>"
        }
        h += "\n"
        for (i, m) in shown.enumerated() {
            let y = y0 + Double(i) * rowH
            let flagged = needsAttention(m)
            var name = m.name
            if name.count > 22 { name = String(name.prefix(21)) + "…" }
            let text = (flagged ? "⚠ " : "") + ValidationOutput.pad3(m.komnr) + " " + name
            h += "<text\(flagged ? " class=\"bad\"" : "") x=\"\(c(labelW - 8))\" y=\"\(c(y + 18))\" text-anchor=\"end\">\(HTMLText.text(text))</text>"
            h += "<rect class=\"this\" x=\"\(c(labelW))\" y=\"\(c(y + 4))\" width=\"\(c(sx(m.records)))\" height=\"12\"/>"
            h += "<rect class=\"prev\" x=\"\(c(labelW))\" y=\"\(c(y + 17))\" width=\"\(c(sx(m.previousRecords)))\" height=\"9\"/>"
            h += "<text class=\"small\" x=\"\(c(labelW + sx(m.records) + 5))\" y=\"\(c(y + 14))\">\(int(m.records))"
            if m.changePercent != nil { h += " (\(pct(m.changePercent)))" }
            h += "</text>"
            h += "<text class=\"small muted\" x=\"\(c(labelW + sx(m.previousRecords) + 5))\" y=\"\(c(y + 26))\">\(int(m.previousRecords))</text>\n"
        }
        h += "<line class=\"axis\" x1=\"\(c(labelW))\" y1=\"\(c(y0 - 4))\" x2=\"\(c(labelW))\" y2=\"\(c(plotBottom))\"/>\n"
        h += "</svg>\n<p class=\"note\">Viser de \(min(chartTop, byRecords.count)) kommuner med flest AMFORA-poster"
        if flaggedExtra > 0 { h += " samt \(flaggedExtra) med flag" }
        h += " – \(shown.count) af \(amfora.count). ⚠ = kræver opmærksomhed. "
        h += "Alle kommuner og typer står i tabellen Kommuner og i \(CSVExport.FileName.municipalities).</p>\n</figure>\n"
        return h + "</section>\n"
    }

    // MARK: (c) Hours written down, this Friday vs last Friday

    static func hoursChart(_ r: BatchReport) -> String {
        let n = r.national
        let last = r.batch + -7
        let labelW = 200.0, barW = 400.0, valueW = 120.0, rowH = 30.0, y0 = 8.0
        let width = Int(labelW + barW + valueW), height = Int(y0 + 2 * rowH + 26)
        let (top, ticks) = axis(max(n.hoursWrittenDown, n.previousHoursWrittenDown))
        func sx(_ v: Double) -> Double { max(0, v.isFinite ? v : 0) / top * barW }
        let title = "Timer fjernet ved nedskrivning (gns. pr. uge), denne fredag mod sidste fredag"
        let desc = "Denne fredag \(r.batch.iso): \(hours(n.hoursWrittenDown)) timer; sidste fredag \(last.iso): \(hours(n.previousHoursWrittenDown)) timer."
        var h = "<figure>\n<figcaption>\(HTMLText.escape(title))</figcaption>\n"
        h += svgOpen(width: width, height: height, label: "Søjlediagram: " + desc, title: title, desc: desc)
        let plotBottom = y0 + 2 * rowH
        for t in ticks {
            let x = labelW + t / top * barW
            h += "<line class=\"grid\" x1=\"\(c(x))\" y1=\"\(c(y0))\" x2=\"\(c(x))\" y2=\"\(c(plotBottom))\"/>"
            h += "<text class=\"small muted\" x=\"\(c(x))\" y=\"\(c(plotBottom + 16))\" text-anchor=\"middle\">\(int(Int(t)))</text>"
        }
        let rows: [(String, Double, String)] = [("Denne fredag (\(ReportFormat.shortDate(r.batch)))", n.hoursWrittenDown, "this"),
                                                ("Sidste fredag (\(ReportFormat.shortDate(last)))", n.previousHoursWrittenDown, "prev")]
        for (i, (label, v, cls)) in rows.enumerated() {
            let y = y0 + Double(i) * rowH
            h += "<text x=\"\(c(labelW - 8))\" y=\"\(c(y + 19))\" text-anchor=\"end\">\(HTMLText.escape(label))</text>"
            h += "<rect class=\"\(cls)\" x=\"\(c(labelW))\" y=\"\(c(y + 6))\" width=\"\(c(sx(v)))\" height=\"18\"/>"
            h += "<text x=\"\(c(labelW + sx(v) + 6))\" y=\"\(c(y + 19))\">\(hours(v)) t</text>\n"
        }
        h += "<line class=\"axis\" x1=\"\(c(labelW))\" y1=\"\(c(y0))\" x2=\"\(c(labelW))\" y2=\"\(c(plotBottom))\"/>\n"
        h += "</svg>\n<p class=\"note\">Summen af (indberettede − nedskrevne) gennemsnitlige ugentlige timer.</p>\n</figure>\n"
        return h
    }

    // MARK: (b) National volume of the last Fridays

    static func nationalVolumeChart(_ r: BatchReport) -> String {
        let count = r.fridays.count
        guard count > 0 else { return "" }
        var totals = Array(repeating: 0, count: count)
        for m in r.municipalities where m.kind == .amfora {
            for (i, v) in aligned(m.volumeHistory, to: count).enumerated() { totals[i] += v ?? 0 }
        }
        let labelW = 70.0, plotW = 720.0, plotH = 150.0, y0 = 22.0
        let width = Int(labelW + plotW + 10), height = Int(y0 + plotH + 40)
        let (top, ticks) = axis(Double(totals.max() ?? 0))
        let colW = plotW / Double(count)
        func sy(_ v: Int) -> Double { Double(max(0, v)) / top * plotH }
        let title = "Poster i alt (AMFORA) de seneste \(count) fredage"
        let desc = zip(r.fridays, totals).map { "\($0.iso): \(int($1))" }.joined(separator: "; ")
        var h = "<figure>\n<figcaption>\(HTMLText.escape(title))</figcaption>\n"
        h += svgOpen(width: width, height: height, label: "Søjlediagram: \(title), ældste først. \(desc)", title: title, desc: desc)
        let base = y0 + plotH
        for t in ticks {
            let y = base - t / top * plotH
            h += "<line class=\"grid\" x1=\"\(c(labelW))\" y1=\"\(c(y))\" x2=\"\(c(labelW + plotW))\" y2=\"\(c(y))\"/>"
            h += "<text class=\"small muted\" x=\"\(c(labelW - 6))\" y=\"\(c(y + 4))\" text-anchor=\"end\">\(int(Int(t)))</text>"
        }
        h += "\n"
        for (i, (day, v)) in zip(r.fridays, totals).enumerated() {
            let x = labelW + Double(i) * colW
            let isThis = i == count - 1
            h += "<rect class=\"\(isThis ? "this" : "prev")\" x=\"\(c(x + colW * 0.15))\" y=\"\(c(base - sy(v)))\" width=\"\(c(colW * 0.7))\" height=\"\(c(sy(v)))\"/>"
            h += "<text class=\"small\" x=\"\(c(x + colW / 2))\" y=\"\(c(base - sy(v) - 4))\" text-anchor=\"middle\">\(int(v))</text>"
            h += "<text class=\"small\(isThis ? "" : " muted")\" x=\"\(c(x + colW / 2))\" y=\"\(c(base + 15))\" text-anchor=\"middle\">\(HTMLText.escape(ReportFormat.shortDate(day)))</text>\n"
        }
        h += "<line class=\"axis\" x1=\"\(c(labelW))\" y1=\"\(c(base))\" x2=\"\(c(labelW + plotW))\" y2=\"\(c(base))\"/>\n"
        h += "</svg>\n<p class=\"note\">Summen af kommunernes kurver i tabellen Kommuner; den mørke søjle er denne fredag.</p>\n</figure>\n"
        return h
    }
}

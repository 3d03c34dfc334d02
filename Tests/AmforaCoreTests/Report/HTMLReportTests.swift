import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

@Suite struct HTMLReportTests {
    let report = ReportFixture.make()
    let html = HTMLReport.render(ReportFixture.make())

    // MARK: Helpers

    /// Problems with the nesting of elements: the renderer closes everything explicitly, so any
    /// open element left over or closed out of order is a bug.
    static func nestingProblems(_ html: String) -> [String] {
        let voidElements: Set = ["meta", "br", "hr", "img", "input", "link", "wbr", "col", "source"]
        let stripped = html.replacingOccurrences(of: #"<(script|style)>[\s\S]*?</\1>"#, with: "<$1></$1>",
                                                 options: .regularExpression)
        let re = try! NSRegularExpression(pattern: #"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>"#)
        let ns = stripped as NSString
        var stack: [String] = [], problems: [String] = []
        for m in re.matches(in: stripped, range: NSRange(location: 0, length: ns.length)) {
            let closing = ns.substring(with: m.range(at: 1)) == "/"
            let name = ns.substring(with: m.range(at: 2)).lowercased()
            let attrs = ns.substring(with: m.range(at: 3))
            if closing {
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> while <\(stack.last ?? "-")> is open") }
            } else if !voidElements.contains(name) && !attrs.hasSuffix("/") {
                stack.append(name)
            }
        }
        return problems + stack.map { "<\($0)> never closed" }
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let re = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    // MARK: Tests

    @Test func isOneSelfContainedWellFormedPage() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"da\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        for banned in ["http://", "https://", "<link", "src=", "@import", "url(", "//cdn", "<img", "<iframe", "<object"] {
            #expect(!html.contains(banned), "found \(banned)")
        }
        #expect(ReportCheck.count("<table", in: html) == ReportCheck.count("</table>", in: html))
        #expect(ReportCheck.count("<svg", in: html) == ReportCheck.count("</svg>", in: html))
        #expect(ReportCheck.count("<table", in: html) >= 4)
        #expect(Self.nestingProblems(html) == [])
        #expect(ReportCheck.count("<script", in: html) == 1)  // the sort script, nothing from the data
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func nestingCheckerCatchesMistakes() {
        #expect(Self.nestingProblems("<table><tr><td>x</tr></table>") != [])
        #expect(Self.nestingProblems("<svg><rect/><title>t</title></svg><p>a<br>b</p>") == [])
    }

    @Test func headingsGoDownOneLevelAtATime() {
        let levels = Self.matches(#"<h([1-6])[ >]"#, in: html).map { Int($0[1])! }
        #expect(levels.first == 1)
        #expect(levels.filter { $0 == 1 }.count == 1)
        for (a, b) in zip(levels, levels.dropFirst()) { #expect(b <= a + 1, "h\(a) followed by h\(b)") }
        for h in ["Overblik", "Landstal", "Kommuner", "Poster pr. kommune", "Afviste linjer efter regel", "Historikændringer", "Kørslen"] {
            #expect(html.contains(">\(h)</h2>"), "missing heading \(h)")
        }
    }

    @Test func glanceShowsDeadlineMarginAndCounts() {
        let n = report.national
        #expect(html.contains("Til tiden:</strong> 2 t 14 min før fredag kl. 06.00"))
        #expect(html.contains("fredag 8. november 2024"))
        #expect(html.contains("<dt>Indlæst</dt><dd>\(n.loaded)</dd>"))
        #expect(n.loaded == 96)
        for (label, count) in [("Forældet", n.stale), ("Tilbageholdt", n.held), ("Mangler", n.missing), ("Fejlet", n.failed)] {
            #expect(count == 1)
            #expect(html.contains("<dt>\(label)</dt><dd>1</dd>"), "count of \(label)")
        }
        #expect(html.contains("<h3>Kræver opmærksomhed (5)</h3>"))
        #expect(html.contains("<td class=\"n\">\(ReportCheck.danish(n.records))</td><td class=\"n\">\(ReportCheck.danish(n.previousRecords))</td>"))
        #expect(html.contains("<th scope=\"row\">Historikændringer</th><td class=\"n\">143</td>"))
        #expect(html.contains("<td class=\"n\">12.345,8</td><td class=\"n\">11.020,5</td>"))  // hours written down
        #expect(html.contains("<th scope=\"row\">Personer nedskrevet</th><td class=\"n\">1.834</td>"))
    }

    @Test func aMissedDeadlineSaysByHowMuch() {
        let late = HTMLReport.render(ReportFixture.make(marginSeconds: -11 * 60 - 5))
        #expect(late.contains("class=\"deadline late\"><strong>For sent:</strong> deadline overskredet med 12 min"))
        #expect(ReportFormat.margin(30) == "under 1 min før fredag kl. 06.00")
        #expect(ReportFormat.margin(-1) == "deadline overskredet med 1 min")
        #expect(ReportFormat.margin(50 * 3600) == "50 t 0 min før fredag kl. 06.00")
    }

    @Test func municipalityTableHasFlaggedRowsFirstThenKomnr() throws {
        let start = try #require(html.range(of: "<table class=\"munis sortable\">"))
        let end = try #require(html.range(of: "</table>", range: start.upperBound..<html.endIndex))
        let table = String(html[start.lowerBound..<end.upperBound])
        #expect(table.contains("<caption>"))
        #expect(table.contains("<th scope=\"col\" class=\"n\">AMFORA</th><th scope=\"col\" class=\"n\">AMFORA ændring</th>"))
        let rows = Self.matches(#"<tr( class="flag")?><td class="n" data-v="(\d+)">"#, in: table)
        #expect(rows.count == 98)  // one row per municipality, the kinds as columns
        let flagged = rows.prefix { !$0[1].isEmpty }.map { Int($0[2])! }
        #expect(flagged == [169, 253, 270, 330, 492])
        let rest = rows.dropFirst(flagged.count).map { Int($0[2])! }
        #expect(rest.allSatisfy { !flagged.contains($0) })
        #expect(rest == rest.sorted())
        #expect(rows.dropFirst(flagged.count).allSatisfy { $0[1].isEmpty })
        // Ærø: held, 40 % down, with its flag in words and its sparkline
        #expect(table.contains("<th scope=\"row\"><a href=\"kommuner/492.html\">Ærø</a></th><td class=\"n\" data-label=\"AMFORA\""))
        #expect(table.contains("<br><span class=\"status status-held\">tilbageholdt</span></td>"))
        #expect(table.contains("<span class=\"badge\">AMFORA: "))
        #expect(table.contains("−40,0\u{A0}%"))
        #expect(table.contains("sidste fredag (−40 %) – sidste fredags data gælder, til leveringen godkendes"))
        #expect(table.contains("<th scope=\"row\"><a href=\"kommuner/169.html\">Høje-Taastrup</a></th>"))
        #expect(ReportCheck.count("<svg class=\"spark\"", in: table) == 97)  // AMFORA's trend, for all but the missing one
        #expect(table.contains("aria-label=\"Poster pr. fredag, ældste først: 2024-08-23: "))
    }

    @Test func everyChartHasATextAlternative() {
        let svgs = Self.matches(#"<svg([^>]*)>(<title>[^<]+</title>)?"#, in: html)
        #expect(svgs.count == 97 + 3)  // sparklines, records chart, hours chart, national volume
        for s in svgs {
            #expect(s[1].contains("role=\"img\""))
            #expect(s[1].contains("aria-label=\""))
            #expect(!s[2].isEmpty, "svg without <title>: \(s[1])")
        }
        #expect(ReportCheck.count("<desc>", in: html) == 3)
    }

    @Test func recordsChartShowsTopThirtyPlusFlagged() throws {
        let start = try #require(html.range(of: "<section id=\"poster\""))
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        let section = String(html[start.lowerBound..<end.upperBound])
        let bars = ReportCheck.count("<rect class=\"this\"", in: section) - 1  // less the legend's swatch
        let amfora = report.municipalities.filter { $0.kind == .amfora }
        let top = Set(amfora.sorted { $0.records > $1.records }.prefix(30).map(\.komnr))
        let flaggedOutsideTop = amfora.filter { HTMLReport.needsAttention($0) && !top.contains($0.komnr) }.count
        #expect(flaggedOutsideTop > 0)
        #expect(bars == 30 + flaggedOutsideTop)
        #expect(section.contains("Viser de 30 kommuner med flest AMFORA-poster samt \(flaggedOutsideTop) med flag – \(bars) af 98."))
        #expect(section.contains("⚠ 492 Ærø"))
    }

    @Test func hostileTextIsEscapedAndCPRNeverShown() {
        #expect(!html.contains(ReportFixture.hostileValue))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("Felt &quot;Stedkode&quot; mangler; virksomhedsrettet &amp; &lt;b&gt;fed&lt;/b&gt;"))
        #expect(!html.contains("<b>fed"))
        #expect(!containsFullCPR(html))
        #expect(!html.contains(ReportFixture.fullCPR))
        #expect(html.contains("Slutdato før startdato for CPR 010190-**** og 311299-****"))
        #expect(html.contains("<code>311299-****</code>"))  // a history change's person, masked again
        #expect(containsFullCPR(ReportFixture.fullCPR))  // the check itself works
    }

    @Test func escapingCoversEveryCharacterThatMatters() {
        #expect(HTMLText.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLText.escape("x\u{0}y\u{1B}z") == "x\u{FFFD}y\u{FFFD}z")
        #expect(HTMLText.text("CPR 1212121234!") == "CPR 121212-****!")
        var r = ReportFixture.make()
        r.municipalities[0].name = "</td></tr></table><script>x()</script>"
        r.municipalities[0].flags = ["\"><svg onload=alert(1)>"]
        let out = HTMLReport.render(r)
        #expect(Self.nestingProblems(out) == [])
        #expect(!out.contains("<svg onload"))
        #expect(ReportCheck.count("<script", in: out) == 1)
    }

    @Test func rejectsAreGroupedByRuleWithAFewExamples() {
        #expect(html.contains("<span class=\"sev sev-error\">fejl</span> TimetalMustBeOneTo37 [Timetal] – 50 linjer</h3>"))
        #expect(html.contains("<span class=\"sev sev-warning\">advarsel</span> CompanyBasedMeasureNeedsStedkode [Stedkode] – 210 linjer</h3>"))
        #expect(html.contains("EncodingUnreadable – 1 linje</h3>"))
        // errors first, then by count
        let order = ["TimetalMustBeOneTo37", "SlutdtMustNotPrecedeStartdt", "EncodingUnreadable", "CompanyBasedMeasureNeedsStedkode"]
        let positions = order.map { html.range(of: "</span> \($0)")!.lowerBound }
        #expect(positions == positions.sorted())
        // 9 lines, 8 examples in the model, 5 shown
        #expect(html.contains("… og 4 flere."))
        #expect(html.contains("<td>169 Høje-Taastrup</td><td class=\"file\">AMFORA_169_20241108.txt</td><td class=\"n\">1041</td>"))
        #expect(html.contains("EncodingUnreadable – 1 linje</h3>\n<p class=\"note\">Ingen eksempler.</p>"))
        #expect(html.contains("<em>(tom)</em>"))
    }

    @Test func historyChangesShowTheSampleAndTheTotal() {
        #expect(html.contains("<strong>143 i alt</strong> – se <a href=\"history_changes.csv\" download>history_changes.csv</a>. Her vises 3."))
        #expect(html.contains("<td class=\"date\">2019-03-04</td><td class=\"date\">2019-06-28</td><td>Timetal: 20 → 25<br>Slutdt: 2019-06-28 → 2019-08-30</td>"))
        #expect(html.contains("<td>492 Ærø</td><td>ændret</td>"))
    }

    @Test func printsWithoutStickyHeadersAndKeepsRowsWhole() {
        let print = html.components(separatedBy: "@media print{").last ?? ""
        #expect(print.contains("thead th{position:static}"))
        #expect(print.contains("tr,figure"))
        #expect(print.contains("break-inside:avoid"))
    }

    @Test func anEmptyBatchStillRenders() {
        let empty = BatchReport(batch: ReportFixture.batch, generatedAt: "", deadline: "", marginSeconds: 0,
                                national: .init(), municipalities: [], rejectsByRule: [], historyChanges: [],
                                fridays: [], stages: [])
        let out = HTMLReport.render(empty)
        #expect(Self.nestingProblems(out) == [])
        #expect(out.contains("Ingen kommuner i denne batch."))
        #expect(out.contains("Ingen afviste linjer og ingen advarsler."))
        #expect(out.contains("Ingen historikændringer denne fredag."))
        #expect(out.contains("Til tiden:</strong> under 1 min før"))
    }

    @Test func numbersUseDanishFormatting() {
        #expect(HTMLReport.int(1_234_567) == "1.234.567")
        #expect(HTMLReport.int(-1234) == "−1.234")
        #expect(HTMLReport.pct(12.345) == "+12,3\u{A0}%")
        #expect(HTMLReport.pct(-0.04) == "0,0\u{A0}%")
        #expect(HTMLReport.pct(nil) == "–")
        #expect(HTMLReport.hours(0.05) == "0,1")
        #expect(ReportFormat.fixed(.nan, places: 1) == nil)
    }

    /// Writes the fixture's report where `AMFORA_REPORT_SAMPLE` says (for scripts/report-screenshot.sh).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AMFORA_REPORT_SAMPLE"] != nil,
                   "set AMFORA_REPORT_SAMPLE=/path/report.html to write the sample report"))
    func writeSampleReport() throws {
        let path = try #require(ProcessInfo.processInfo.environment["AMFORA_REPORT_SAMPLE"])
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try JSONReport.render(report).write(to: dir.appendingPathComponent("report.json"), atomically: true, encoding: .utf8)
        for (name, text) in [(CSVExport.FileName.municipalities, CSVExport.municipalities(report)),
                             (CSVExport.FileName.rejectsByRule, CSVExport.rejectsByRule(report)),
                             (CSVExport.FileName.historyChanges, CSVExport.historyChanges(report)),
                             (CSVExport.FileName.stages, CSVExport.stages(report))] {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == html)
    }
}

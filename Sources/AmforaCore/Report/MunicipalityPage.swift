/// A page per municipality (`kommuner/<komnr>.html` beside the batch's `index.html`): its
/// deliveries this Friday against last, the 12-Friday trend, the write-down of its measures, its
/// rejects by rule with masked examples, its history changes with before → after, and links to
/// its CSV files. Self-contained like the main report (no network), Danish, CPR masked.
public enum MunicipalityPage {
    public static func fileName(_ komnr: Int) -> String { "kommuner/\(ValidationOutput.pad3(komnr)).html" }

    public static func render(_ r: BatchReport, komnr: Int) -> String {
        let rows = r.municipalities.filter { $0.komnr == komnr }
        let name = rows.first?.name ?? ""
        let detail = r.details[komnr] ?? BatchReport.MunicipalityDetail()
        let title = "\(ValidationOutput.pad3(komnr)) \(name)"
        var h = HTMLReport.head(title: "Amfora \(title) – batch \(r.batch.iso)")
        h += "<header>\n<h1>\(HTMLText.text(title)) – batch \(HTMLText.escape(ReportFormat.longDate(r.batch)))</h1>\n"
        h += "<p class=\"meta\"><a href=\"../index.html\">Landsrapporten for \(r.batch.iso)</a> · "
        h += "<a href=\"../../index.html\">Tidligere fredage</a></p>\n</header>\n<main>\n"
        h += deliveries(r, rows)
        h += writeDown(detail)
        h += rejects(r, komnr, detail)
        h += history(detail)
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    static func deliveries(_ r: BatchReport, _ rows: [BatchReport.MunicipalityRow]) -> String {
        var h = "<section aria-labelledby=\"lev-h\">\n<h2 id=\"lev-h\">Leverancer denne fredag mod sidste fredag</h2>\n"
        h += "<div class=\"wide\">\n<table>\n<thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Status</th>"
        h += "<th scope=\"col\" class=\"n\">Poster denne fredag</th><th scope=\"col\" class=\"n\">Sidste fredag</th>"
        h += "<th scope=\"col\" class=\"n\">Ændring</th><th scope=\"col\" class=\"n\">Nye</th><th scope=\"col\" class=\"n\">Ændrede</th>"
        h += "<th scope=\"col\" class=\"n\">Fjernede</th><th scope=\"col\">Flag</th><th scope=\"col\">Seneste \(r.fridays.count) fredage</th></tr></thead>\n<tbody>\n"
        for m in rows {
            h += "<tr\(m.needsPerson ? " class=\"flag\"" : "")><th scope=\"row\">\(m.kind.rawValue)</th>"
            h += "<td class=\"status status-\(m.status.rawValue)\">\(HTMLText.text(HTMLReport.statusName(m.status.rawValue)))</td>"
            h += "<td class=\"n\">\(HTMLReport.int(m.records))</td><td class=\"n\">\(HTMLReport.int(m.previousRecords))</td>"
            h += "<td class=\"n\">\(HTMLReport.pct(m.changePercent))</td>"
            for v in [m.new, m.changed, m.removed] { h += "<td class=\"n\">\(HTMLReport.int(v))</td>" }
            h += "<td class=\"flags\">\(DanishText.flags(m).map(HTMLText.text).joined(separator: "<br>"))</td>"
            h += "<td>\(HTMLReport.sparkline(m, fridays: r.fridays))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</div>\n</section>\n"
    }

    static func writeDown(_ d: BatchReport.MunicipalityDetail) -> String {
        var h = "<section aria-labelledby=\"ned-h\">\n<h2 id=\"ned-h\">37-timers nedskrivning</h2>\n<dl class=\"cards\">"
        h += "<div><dt>Personer nedskrevet</dt><dd>\(HTMLReport.int(d.writtenDownPersons))</dd></div>"
        h += "<div><dt>Timer fjernet ved nedskrivning (gns. pr. uge)</dt><dd>\(HTMLReport.hours(d.hoursRemoved))</dd></div>"
        return h + "</dl>\n<p class=\"note\">For personer med en foranstaltning i kommunen; nedskrivningen går på tværs af kommuner.</p>\n</section>\n"
    }

    static func rejects(_ r: BatchReport, _ komnr: Int, _ d: BatchReport.MunicipalityDetail) -> String {
        var h = "<section aria-labelledby=\"afv-h\">\n<h2 id=\"afv-h\">Afviste linjer efter regel</h2>\n"
        guard !d.rejectsByRule.isEmpty else { return h + "<p>Ingen afviste linjer og ingen advarsler.</p>\n</section>\n" }
        h += "<p class=\"note\">Alle linjer står i <a href=\"../rejects/rejects_\(ValidationOutput.pad3(komnr)).csv\">rejects_\(ValidationOutput.pad3(komnr)).csv</a> til kommunens it-leverandør.</p>\n"
        h += "<table>\n<thead><tr><th scope=\"col\">Regel</th><th scope=\"col\">Alvor</th><th scope=\"col\">Felt</th>"
        h += "<th scope=\"col\" class=\"n\">Antal</th><th scope=\"col\">Eksempler</th></tr></thead>\n<tbody>\n"
        for g in HTMLReport.ordered(d.rejectsByRule) {
            let examples = g.examples.prefix(HTMLReport.maxExamplesPerRule).map { e in
                "\(e.file)\(e.line.map { ":\($0)" } ?? ""): \(e.value.map { "«\($0)» " } ?? "")\(e.message)"
            }
            h += "<tr><td><code>\(HTMLText.text(g.rule))</code></td><td>\(HTMLReport.severityName(g.severity))</td>"
            h += "<td>\(HTMLText.text(g.field ?? "–"))</td><td class=\"n\">\(HTMLReport.int(g.count))</td>"
            h += "<td>\(examples.map(HTMLText.text).joined(separator: "<br>"))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    static func history(_ d: BatchReport.MunicipalityDetail) -> String {
        var h = "<section aria-labelledby=\"hist-h\">\n<h2 id=\"hist-h\">Historikændringer</h2>\n"
        h += "<p>Ændrede eller fjernede foranstaltninger, der sluttede over 28 dage før batchdatoen: "
        h += "<strong>\(HTMLReport.int(d.historyTotal)) i alt</strong> – alle står i <a href=\"../history_changes.csv\">history_changes.csv</a>.</p>\n"
        guard !d.historyChanges.isEmpty else { return h + "</section>\n" }
        h += "<table class=\"history\">\n<thead><tr><th scope=\"col\">Ændring</th><th scope=\"col\">Person</th><th scope=\"col\" class=\"n\">Foranstalt</th>"
        h += "<th scope=\"col\">Startdato</th><th scope=\"col\">Slutdato</th><th scope=\"col\">Ændrede felter: før → efter</th></tr></thead>\n<tbody>\n"
        for c in d.historyChanges {
            let what = c.oldToNew.isEmpty ? c.changedFields : c.oldToNew
            h += "<tr><td>\(HTMLText.text(HTMLReport.changeName(c.change)))</td><td><code>\(HTMLText.text(c.person))</code></td>"
            h += "<td class=\"n\">\(c.foranstalt)</td><td class=\"date\">\(c.startDate.iso)</td><td class=\"date\">\(c.endDate.iso)</td>"
            h += "<td>\(what.isEmpty ? "–" : what.map(HTMLText.text).joined(separator: "<br>"))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    /// `<reports>/index.html`: every Friday's report, newest first.
    public static func fridaysIndex(_ batches: [Day]) -> String {
        var h = HTMLReport.head(title: "Amfora ugerapporter") + "<main>\n"
        h += "<h1>Amfora ugerapporter</h1>\n<ul>\n"
        for d in batches.sorted(by: >) {
            h += "<li><a href=\"\(d.iso)/index.html\">\(HTMLText.escape(ReportFormat.longDate(d)))</a></li>\n"
        }
        return h + "</ul>\n</main>\n</body>\n</html>\n"
    }
}

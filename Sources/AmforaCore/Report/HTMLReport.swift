/// The batch report as one self-contained HTML5 page for analysts: no network access, no
/// external scripts, fonts or images; inline CSS, charts as inline SVG, and a small inline
/// script that makes the municipality table sortable (without it the table keeps its order).
///
/// Summary first; every table is bounded (98 municipalities × 3 kinds at most, a few examples per
/// rule, a sample of history changes with the total and the CSV file that holds them all).
/// All text from the data is CPR-scrubbed and HTML-escaped. Labels are Danish.
public enum HTMLReport {
    /// Bars in the records chart: the largest municipalities, plus every flagged one.
    static let chartTop = 30
    /// Caps that keep the page bounded even if the model is filled generously.
    static let maxExamplesPerRule = 5
    static let maxRuleGroups = 60
    static let maxHistorySample = 50
    static let maxAttentionItems = 12

    /// The start of every page of the report, up to and including `<body>`; `title` is escaped.
    static func head(title: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>\(HTMLText.escape(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n"
    }

    public static func render(_ r: BatchReport) -> String {
        var h = head(title: "Amfora ugerapport \(r.batch.iso)")
        h += "<header>\n<h1>Amfora ugerapport – batch \(HTMLText.escape(ReportFormat.longDate(r.batch)))</h1>\n"
        h += "<p class=\"meta\">Batchdato \(r.batch.iso) · dannet \(HTMLText.text(r.generatedAt)) · frist \(HTMLText.text(r.deadline))</p>\n"
        h += "<nav aria-label=\"Indhold\"><ul>"
        for (id, title) in sections { h += "<li><a href=\"#\(id)\">\(title)</a></li>" }
        h += "</ul></nav>\n</header>\n<main>\n"
        h += overview(r)
        h += national(r)
        h += municipalityTable(r)
        h += recordsChart(r)
        h += rejects(r)
        h += historyChanges(r)
        h += stages(r)
        h += "</main>\n<script>\n\(sortScript)</script>\n</body>\n</html>\n"
        return h
    }

    static let sections = [("overblik", "Overblik"), ("landstal", "Landstal"), ("kommuner", "Kommuner"),
                           ("poster", "Poster pr. kommune"), ("afvisninger", "Afviste linjer efter regel"),
                           ("historik", "Historikændringer"), ("koersel", "Kørslen")]

    // MARK: Shared with CSV and JSON

    /// Needs a person, as the one policy decided (`AttentionPolicy`).
    static func needsAttention(_ m: BatchReport.MunicipalityRow) -> Bool { m.needsPerson }

    static func needsPerson(_ r: BatchReport) -> Bool { r.verdict.needsPerson }

    /// Rows that need a person first, then by komnr and kind.
    static func ordered(_ rows: [BatchReport.MunicipalityRow]) -> [BatchReport.MunicipalityRow] {
        func kindIndex(_ k: RecordKind) -> Int { RecordKind.allCases.firstIndex(of: k) ?? 0 }
        return rows.enumerated().sorted { a, b in
            let fa = needsAttention(a.element), fb = needsAttention(b.element)
            if fa != fb { return fa }
            if a.element.komnr != b.element.komnr { return a.element.komnr < b.element.komnr }
            if a.element.kind != b.element.kind { return kindIndex(a.element.kind) < kindIndex(b.element.kind) }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Errors before warnings, then the most frequent first.
    static func ordered(_ groups: [BatchReport.RuleGroup]) -> [BatchReport.RuleGroup] {
        groups.enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            if a.element.count != b.element.count { return a.element.count > b.element.count }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// A volume history aligned to the last `count` Fridays (its last value is this Friday);
    /// nil where the history does not reach back.
    static func aligned(_ history: [Int], to count: Int) -> [Int?] {
        if history.count >= count { return history.suffix(count).map { $0 } }
        return Array(repeating: nil, count: count - history.count) + history.map { $0 }
    }

    // MARK: Formatting

    static func int(_ n: Int) -> String { ReportFormat.integer(n, group: ".", minus: "−") }

    static func pct(_ x: Double?) -> String {
        guard let x, let s = ReportFormat.fixed(x, places: 1, point: ",", group: ".", minus: "−") else { return "–" }
        return (x > 0 && s != "0,0" ? "+" : "") + s + "\u{A0}%"
    }

    static func hours(_ x: Double) -> String {
        ReportFormat.fixed(x, places: 1, point: ",", group: ".", minus: "−") ?? "–"
    }

    /// A JavaScript-sortable number for `data-v`.
    static func sortKey(_ x: Double?) -> String {
        x.flatMap { ReportFormat.fixed($0, places: 3) } ?? "-1e300"
    }

    static let statusNames = ["loaded": "indlæst", "stale": "forældet", "held": "tilbageholdt",
                              "missing": "mangler", "failed": "fejlet"]

    static func statusName(_ s: String) -> String { statusNames[s] ?? s }

    static func severityName(_ s: Severity) -> String { s == .error ? "fejl" : "advarsel" }

    static func changeName(_ s: String) -> String {
        switch s {
        case "changed": "ændret"
        case "removed": "fjernet"
        default: s
        }
    }

    static func names(_ r: BatchReport) -> [Int: String] {
        var d: [Int: String] = [:]
        for m in r.municipalities where d[m.komnr] == nil { d[m.komnr] = m.name }
        return d
    }

    static func komnrAndName(_ komnr: Int, _ names: [Int: String]) -> String {
        ValidationOutput.pad3(komnr) + (names[komnr].map { " " + $0 } ?? "")
    }

    // MARK: Sections

    static func overview(_ r: BatchReport) -> String {
        let n = r.national
        var h = "<section id=\"overblik\" aria-labelledby=\"overblik-h\">\n<h2 id=\"overblik-h\">Overblik</h2>\n"
        let late = !r.onTime
        let (label, text): (String, String) = switch r.judgement {
        case .complete(let m): (late ? "For sent" : "Til tiden", ReportFormat.margin(m))
        case .incomplete: ("For sent", "ikke alle forventede leveringer var indlæst kl. 06.00")
        case .open(let left): ("Endnu ikke afgjort", "venter på leveringer; \(ReportFormat.margin(left))")
        case .replay: ("Genkørsel", "en gammel batch kørt igen: ingen frist vurderet")
        }
        h += "<p class=\"deadline \(late ? "late" : "ok")\"><strong>\(label):</strong> \(HTMLText.escape(text))</p>\n"
        h += "<h3>Leverancer denne fredag</h3>\n<dl class=\"cards\">"
        let cards: [(String, String, Int, Bool)] = [
            ("Indlæst", "ny levering indlæst", n.loaded, false),
            ("Forældet", "ingen levering: sidste fredags data gælder", n.stale, true),
            ("Tilbageholdt", "skrumpede over tærsklen: sidste fredags data gælder", n.held, true),
            ("Mangler", "ingen levering og ingen tidligere data", n.missing, true),
            ("Fejlet", "leveringen kunne ikke læses eller indlæses", n.failed, true),
        ]
        for (label, hint, count, problem) in cards {
            h += "<div class=\"\(problem && count > 0 ? "bad" : "")\"><dt>\(label)</dt><dd>\(int(count))</dd>"
            h += "<dd class=\"hint\">\(hint)</dd></div>"
        }
        h += "</dl>\n"
        let attention = ordered(r.municipalities).filter(needsAttention)
        if attention.isEmpty {
            h += "<p>Ingen kommuner kræver opmærksomhed.</p>\n"
        } else {
            h += "<h3>Kræver opmærksomhed (\(int(attention.count)))</h3>\n<ul class=\"attention\">\n"
            for m in attention.prefix(maxAttentionItems) {
                let flags = DanishText.flags(m)
                let what = flags.isEmpty ? statusName(m.status.rawValue) : flags.joined(separator: "; ")
                h += "<li><strong>\(HTMLText.text(komnrAndName(m.komnr, [m.komnr: m.name]))) (\(m.kind.rawValue))</strong>: "
                h += "\(HTMLText.text(what))</li>\n"
            }
            h += "</ul>\n"
            if attention.count > maxAttentionItems {
                h += "<p class=\"note\">… og \(int(attention.count - maxAttentionItems)) flere – se <a href=\"#kommuner\">tabellen Kommuner</a>.</p>\n"
            }
        }
        return h + "</section>\n"
    }

    static func national(_ r: BatchReport) -> String {
        let n = r.national
        let last = r.batch + -7
        var h = "<section id=\"landstal\" aria-labelledby=\"landstal-h\">\n<h2 id=\"landstal-h\">Landstal</h2>\n"
        h += "<table class=\"national\">\n<caption>Hele landet, denne fredag mod sidste fredag</caption>\n"
        h += "<thead><tr><th scope=\"col\">Mål</th><th scope=\"col\" class=\"n\">Denne fredag<br>\(r.batch.iso)</th>"
        h += "<th scope=\"col\" class=\"n\">Sidste fredag<br>\(last.iso)</th><th scope=\"col\" class=\"n\">Ændring</th></tr></thead>\n<tbody>\n"
        let change = n.previousRecords > 0 ? Double(n.records - n.previousRecords) * 100 / Double(n.previousRecords) : nil
        h += "<tr><th scope=\"row\">Poster i alt</th><td class=\"n\">\(int(n.records))</td><td class=\"n\">\(int(n.previousRecords))</td><td class=\"n\">\(pct(change))</td></tr>\n"
        let hoursChange = n.previousHoursWrittenDown != 0
            ? (n.hoursWrittenDown - n.previousHoursWrittenDown) * 100 / n.previousHoursWrittenDown : nil
        h += "<tr><th scope=\"row\">Timer fjernet ved nedskrivning (gns. pr. uge)</th><td class=\"n\">\(hours(n.hoursWrittenDown))</td>"
        h += "<td class=\"n\">\(hours(n.previousHoursWrittenDown))</td><td class=\"n\">\(pct(hoursChange))</td></tr>\n"
        h += "<tr><th scope=\"row\">Personer nedskrevet</th><td class=\"n\">\(int(n.writtenDownPersons))</td><td class=\"n\">–</td><td class=\"n\">–</td></tr>\n"
        h += "<tr><th scope=\"row\">Poster nedskrevet</th><td class=\"n\">\(int(n.writtenDownRecords))</td><td class=\"n\">–</td><td class=\"n\">–</td></tr>\n"
        h += "</tbody>\n</table>\n"

        h += "<table class=\"national\">\n<caption>Afstemning mod sidste fredag</caption>\n"
        h += "<thead><tr><th scope=\"col\">Poster</th><th scope=\"col\" class=\"n\">Antal</th><th scope=\"col\">Betydning</th></tr></thead>\n<tbody>\n"
        let rows: [(String, Int, String)] = [
            ("Uændrede", n.unchanged, "samme foranstaltning, samme indhold"),
            ("Ændrede", n.changed, "samme foranstaltning, et eller flere felter ændret"),
            ("Nye", n.new, "kun i denne fredags data"),
            ("Fjernede", n.removed, "kun i sidste fredags data"),
            ("Genopståede", n.reappeared, "fjernet tidligere, med igen denne fredag"),
            ("Historikændringer", n.historyChanges, "ændrede eller fjernede foranstaltninger, der sluttede over 28 dage før batchdatoen: ændrer allerede offentliggjort statistik"),
            ("Linjer i karantæne", n.quarantined, "afvist af valideringen, ikke indlæst"),
            ("Advarsler", n.warnings, "indlæst, men bør ses efter"),
        ]
        for (label, count, meaning) in rows {
            h += "<tr><th scope=\"row\">\(label)</th><td class=\"n\">\(int(count))</td><td class=\"meaning\">\(meaning)</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += hoursChart(r)
        h += nationalVolumeChart(r)
        return h + "</section>\n"
    }

    /// One row per municipality: each kind's status and records as columns, its flags as badges,
    /// the trend of its activation records; the rest is on its own page and in the CSV.
    static func municipalityTable(_ r: BatchReport) -> String {
        var h = "<section id=\"kommuner\" aria-labelledby=\"kommuner-h\">\n<h2 id=\"kommuner-h\">Kommuner</h2>\n"
        guard !r.municipalities.isEmpty else { return h + "<p>Ingen kommuner i denne batch.</p>\n</section>\n" }
        h += "<p class=\"note\">Én række pr. kommune; kommunens navn fører til dens egen side. Alle tal pr. leverancetype findes i "
        h += "\(csvLink(CSVExport.FileName.municipalities)). Klik på en kolonneoverskrift for at sortere.</p>\n"
        h += "<div class=\"wide\">\n<table class=\"munis sortable\">\n"
        h += "<caption>Kommuner – rækker med flag først, derefter efter kommunenummer</caption>\n<thead><tr>"
        var cols: [(String, Bool)] = [("Komnr", true), ("Kommune", false)]
        for k in RecordKind.allCases { cols += [("\(k.rawValue)", true), ("\(k.rawValue) ændring", true)] }
        cols += [("Afviste", true), ("Historik\u{AD}ændringer", true), ("Flag", false), ("Seneste \(r.fridays.count) fredage (AMFORA)", false)]
        for (title, numeric) in cols {
            h += "<th scope=\"col\"\(numeric ? " class=\"n\"" : "")>\(title)</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        for m in municipalities(r.municipalities) { h += municipalityRow(m, fridays: r.fridays) }
        h += "</tbody>\n</table>\n</div>\n"
        h += "<p class=\"legend\"><strong>Status</strong> står under antallet, når leveringen ikke blev indlæst: forældet = ingen levering, sidste fredags data gælder; "
        h += "tilbageholdt = data skrumpede over tærsklen, sidste fredags data gælder, indtil en operatør godkender; "
        h += "mangler = ingen levering og ingen tidligere data; fejlet = leveringen kunne ikke indlæses. "
        h += "<strong>Ændring</strong> er poster mod sidste fredag. Kurven viser AMFORA-poster pr. fredag, ældste først, fra nul.</p>\n"
        return h + "</section>\n"
    }

    /// A municipality's rows of every kind, flagged municipalities first, then by komnr.
    static func municipalities(_ rows: [BatchReport.MunicipalityRow]) -> [[BatchReport.MunicipalityRow]] {
        var seen: [Int] = []
        var byKomnr: [Int: [BatchReport.MunicipalityRow]] = [:]
        for m in ordered(rows) {
            if byKomnr[m.komnr] == nil { seen.append(m.komnr) }
            byKomnr[m.komnr, default: []].append(m)
        }
        return seen.map { byKomnr[$0]! }
    }

    static func municipalityRow(_ kinds: [BatchReport.MunicipalityRow], fridays: [Day]) -> String {
        let first = kinds[0]
        let flagged = kinds.contains(where: needsAttention)
        var h = "<tr\(flagged ? " class=\"flag\"" : "")>"
        h += "<td class=\"n\" data-v=\"\(first.komnr)\">\(ValidationOutput.pad3(first.komnr))</td>"
        h += "<th scope=\"row\"><a href=\"\(MunicipalityPage.fileName(first.komnr))\">\(HTMLText.text(first.name))</a></th>"
        for kind in RecordKind.allCases {
            guard let m = kinds.first(where: { $0.kind == kind }) else {
                h += "<td class=\"n\" data-label=\"\(kind.rawValue)\" data-v=\"-1\">–</td><td class=\"n\" data-v=\"-1e9\">–</td>"
                continue
            }
            let status = m.status == .loaded ? "" : "<br><span class=\"status status-\(HTMLText.escape(m.status.rawValue))\">\(HTMLText.text(statusName(m.status.rawValue)))</span>"
            h += "<td class=\"n\" data-label=\"\(kind.rawValue)\" data-v=\"\(m.records)\">\(int(m.records))\(status)</td>"
            h += "<td class=\"n\" data-label=\"ændring\" data-v=\"\(sortKey(m.changePercent))\">\(pct(m.changePercent))</td>"
        }
        for (label, v) in [("afviste", kinds.reduce(0) { $0 + $1.rejected }), ("historik", kinds.reduce(0) { $0 + $1.historyChanges })] {
            h += "<td class=\"n\" data-label=\"\(label)\" data-v=\"\(v)\">\(int(v))</td>"
        }
        var badges: [String] = []
        for m in kinds where needsAttention(m) || !DanishText.flags(m).isEmpty {
            let words = DanishText.flags(m).isEmpty ? [statusName(m.status.rawValue)] : DanishText.flags(m)
            badges += words.map { "<span class=\"badge\">\(m.kind.rawValue): \(HTMLText.text($0))</span>" }
        }
        h += "<td class=\"flags\">\(badges.joined(separator: " "))</td>"
        let trend = kinds.first { $0.kind == .amfora } ?? first
        h += "<td>\(sparkline(trend, fridays: fridays))</td>"
        return h + "</tr>\n"
    }

    /// A link to one of the report's CSV files (relative to the page at the report's top).
    static func csvLink(_ file: String, from prefix: String = "") -> String {
        "<a href=\"\(prefix)\(HTMLText.escape(file))\" download>\(HTMLText.escape(file))</a>"
    }

    static func rejects(_ r: BatchReport) -> String {
        var h = "<section id=\"afvisninger\" aria-labelledby=\"afvisninger-h\">\n<h2 id=\"afvisninger-h\">Afviste linjer efter regel</h2>\n"
        guard !r.rejectsByRule.isEmpty else { return h + "<p>Ingen afviste linjer og ingen advarsler.</p>\n</section>\n" }
        let names = names(r)
        let groups = ordered(r.rejectsByRule)
        h += "<p class=\"note\">\(int(r.national.quarantined)) linjer i karantæne og \(int(r.national.warnings)) advarsler, efter regel med nogle eksempler. "
        h += "Hele listen står i kommunernes afvisningsfiler (CSV, under rejects/) og i \(csvLink(CSVExport.FileName.rejectsByRule)). CPR-numre vises kun som ddmmåå-****.</p>\n"
        for g in groups.prefix(maxRuleGroups) {
            let field = g.field.map { " [\(HTMLText.text($0))]" } ?? ""
            h += "<h3><span class=\"sev sev-\(g.severity.rawValue)\">\(severityName(g.severity))</span> \(HTMLText.text(g.rule))\(field) – \(int(g.count)) \(g.count == 1 ? "linje" : "linjer")</h3>\n"
            let shown = Array(g.examples.prefix(maxExamplesPerRule))
            if !shown.isEmpty {
                h += "<table class=\"examples\">\n<caption class=\"sr-only\">Eksempler på \(HTMLText.text(g.rule))</caption>\n"
                h += "<thead><tr><th scope=\"col\">Kommune</th><th scope=\"col\">Fil</th><th scope=\"col\" class=\"n\">Linje</th>"
                h += "<th scope=\"col\">Værdi</th><th scope=\"col\">Besked</th></tr></thead>\n<tbody>\n"
                for e in shown {
                    h += "<tr><td>\(HTMLText.text(komnrAndName(e.komnr, names)))</td><td class=\"file\">\(HTMLText.text(e.file))</td>"
                    h += "<td class=\"n\">\(e.line.map { String($0) } ?? "–")</td>"
                    h += "<td class=\"value\">\(e.value.map { $0.isEmpty ? "<em>(tom)</em>" : "<code>\(HTMLText.text($0))</code>" } ?? "–")</td>"
                    h += "<td>\(HTMLText.text(e.message))</td></tr>\n"
                }
                h += "</tbody>\n</table>\n"
            }
            if shown.isEmpty {
                h += "<p class=\"note\">Ingen eksempler.</p>\n"
            } else if g.count > shown.count {
                let more = g.count - shown.count
                h += "<p class=\"note\">… og \(int(more)) \(more == 1 ? "mere" : "flere").</p>\n"
            }
        }
        if groups.count > maxRuleGroups {
            h += "<p class=\"note\">… og \(int(groups.count - maxRuleGroups)) regler mere – se \(csvLink(CSVExport.FileName.rejectsByRule)).</p>\n"
        }
        return h + "</section>\n"
    }

    static func historyChanges(_ r: BatchReport) -> String {
        var h = "<section id=\"historik\" aria-labelledby=\"historik-h\">\n<h2 id=\"historik-h\">Historikændringer</h2>\n"
        let total = r.national.historyChanges
        h += "<p>Ændrede eller fjernede foranstaltninger, der sluttede mere end 28 dage før batchdatoen. De ændrer statistik, der allerede er offentliggjort.</p>\n"
        guard total > 0 || !r.historyChanges.isEmpty else { return h + "<p>Ingen historikændringer denne fredag.</p>\n</section>\n" }
        let sample = Array(r.historyChanges.prefix(maxHistorySample))
        h += "<p class=\"total\"><strong>\(int(max(total, r.historyChanges.count))) i alt</strong> – se \(csvLink(CSVExport.FileName.historyChanges))."
        if sample.count < total { h += " Her vises \(int(sample.count))." }
        h += "</p>\n"
        guard !sample.isEmpty else { return h + "</section>\n" }
        let names = names(r)
        h += "<table class=\"history\">\n<caption>Udsnit af historikændringerne</caption>\n<thead><tr>"
        h += "<th scope=\"col\">Kommune</th><th scope=\"col\">Ændring</th><th scope=\"col\">Person</th><th scope=\"col\" class=\"n\">Foranstalt</th>"
        h += "<th scope=\"col\">Startdato</th><th scope=\"col\">Slutdato</th><th scope=\"col\">Ændrede felter: før → efter</th></tr></thead>\n<tbody>\n"
        for c in sample {
            h += "<tr><td>\(HTMLText.text(komnrAndName(c.komnr, names)))</td><td>\(HTMLText.text(changeName(c.change)))</td>"
            h += "<td><code>\(HTMLText.text(c.person))</code></td><td class=\"n\">\(c.foranstalt)</td>"
            h += "<td class=\"date\">\(c.startDate.iso)</td><td class=\"date\">\(c.endDate.iso)</td>"
            let what = c.oldToNew.isEmpty ? c.changedFields : c.oldToNew
            h += "<td>\(what.isEmpty ? "–" : what.map(HTMLText.text).joined(separator: "<br>"))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        return h + "</section>\n"
    }

    static func stages(_ r: BatchReport) -> String {
        var h = "<section id=\"koersel\" aria-labelledby=\"koersel-h\">\n<h2 id=\"koersel-h\">Kørslen</h2>\n"
        guard !r.stages.isEmpty else { return h + "<p>Ingen trin registreret.</p>\n</section>\n" }
        h += "<table class=\"stages\">\n<caption>Trin og tid</caption>\n<thead><tr><th scope=\"col\">Trin</th>"
        h += "<th scope=\"col\" class=\"n\">Sekunder</th><th scope=\"col\">Detaljer</th></tr></thead>\n<tbody>\n"
        for s in r.stages {
            let secs = ReportFormat.fixed(s.seconds, places: 1, point: ",", group: ".", minus: "−") ?? "–"
            h += "<tr><th scope=\"row\">\(HTMLText.text(DanishText.stage(s.stage)))</th><td class=\"n\">\(secs)</td><td>\(HTMLText.text(s.detail))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        return h + "</section>\n"
    }

    // MARK: Style and script

    static let css = """
    :root{--ink:#1a1a1a;--muted:#4d4d4d;--line:#c4cad1;--head:#eceff3;--this:#1d4f91;--prev:#7d7d7d;--bad:#9b1c1c;--badbg:#fdecea;--warn:#6b4400;--flagbg:#fff6dc;--ok:#1b5e20;--okbg:#e6f4e7}
    *{box-sizing:border-box}
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff;margin:0 auto;padding:20px 28px;max-width:1560px}
    h1{font-size:1.6rem;margin:0 0 .2rem}
    h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid var(--line)}
    h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
    .meta,.note,.legend,.hint{color:var(--muted)}
    .legend{max-width:70rem;font-size:.9rem}
    nav ul{list-style:none;padding:0;margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem 1.2rem}
    a{color:var(--this)}
    .deadline{font-size:1.1rem;padding:8px 14px;border-radius:6px;display:inline-block;margin:.2rem 0 .6rem;border:1px solid}
    .deadline.ok{background:var(--okbg);color:var(--ok)}
    .deadline.late{background:var(--badbg);color:var(--bad)}
    .cards{display:flex;flex-wrap:wrap;gap:10px;margin:0;padding:0}
    .cards div{border:1px solid var(--line);border-radius:6px;padding:8px 14px;width:13.5rem}
    .cards dt{font-weight:600}
    .cards dd{margin:0;font-size:1.6rem;font-weight:600;font-variant-numeric:tabular-nums}
    .cards dd.hint{font-size:.8rem;font-weight:normal;line-height:1.3}
    .cards div.bad{border:2px solid var(--bad);background:var(--badbg)}
    .cards div.bad dd{color:var(--bad)}
    ul.attention{margin:.2rem 0;padding-left:1.3rem}
    table{border-collapse:collapse;margin:.4rem 0 1.2rem;font-variant-numeric:tabular-nums}
    caption{text-align:left;font-weight:600;padding:.2rem 0 .4rem;caption-side:top}
    th,td{border-bottom:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
    thead th{background:var(--head);vertical-align:bottom;position:sticky;top:0;z-index:1}
    tbody th{font-weight:600}
    .n{text-align:right;white-space:nowrap}
    thead th.n{white-space:normal}
    td.meaning{color:var(--muted);max-width:40rem}
    table.munis{font-size:13px}
    table.munis td,table.munis th{padding:2px 5px}
    table.munis thead th{font-size:12px;hyphens:manual}
    table.munis td:last-child{padding:1px 4px;vertical-align:middle}
    tr.flag{background:var(--flagbg)}
    tr.flag td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
    .status{white-space:nowrap}
    .status-held,.status-failed,.status-missing,.status-stale{font-weight:600}
    .status-held,.status-failed,.status-missing{color:var(--bad)}
    .status-stale{color:var(--warn)}
    .flags{color:var(--bad);min-width:10rem;max-width:18rem}
    .badge{display:inline-block;font-size:.8rem;line-height:1.3;padding:0 6px;margin:1px 0;border-radius:4px;border:1px solid var(--bad);background:var(--badbg)}
    .sev{display:inline-block;font-size:.8rem;padding:0 6px;border-radius:4px;border:1px solid;vertical-align:middle}
    .sev-error{color:var(--bad);background:var(--badbg)}
    .sev-warning{color:var(--warn);background:var(--flagbg)}
    td.file,td.value,td.date{white-space:nowrap}
    table.examples{width:100%;max-width:84rem}
    code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
    button.sort{font:inherit;color:inherit;background:none;border:0;padding:0;margin:0;text-align:inherit;cursor:pointer}
    button.sort:focus-visible{outline:2px solid var(--this);outline-offset:2px}
    th[aria-sort=ascending] button.sort::after{content:" ▲"}
    th[aria-sort=descending] button.sort::after{content:" ▼"}
    figure{margin:1rem 0 1.4rem}
    figcaption{font-weight:600;color:var(--ink);padding:.2rem 0 .4rem}
    figure .note{font-size:.9rem;max-width:70rem;margin:.3rem 0 0}
    svg{display:block;overflow:visible}
    svg text{font-family:inherit;fill:var(--ink);font-size:12px}
    svg .this{fill:var(--this)}
    svg .prev{fill:var(--prev)}
    svg .grid{stroke:#dde2e8;stroke-width:1}
    svg .axis{stroke:#8a939c;stroke-width:1}
    svg text.small{font-size:10.5px}
    svg text.muted{fill:var(--muted)}
    svg text.bad{fill:var(--bad);font-weight:600}
    svg.chart{max-width:100%;height:auto}
    .spark .line{fill:none;stroke:var(--this);stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
    .spark .base{stroke:#c4cad1;stroke-width:1}
    .spark .dot{fill:var(--this)}
    .spark .dot.bad{fill:var(--bad)}
    .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    @media (max-width:1350px){.wide{overflow-x:auto}}
    @media (max-width:600px){
    body{padding:10px 8px;font-size:15px}
    table.munis thead{display:none}
    table.munis,table.munis tbody,table.munis tr{display:block;width:100%}
    table.munis tr{border-bottom:2px solid var(--line);padding:4px 0}
    table.munis td,table.munis th{display:inline-block;border:0;padding:1px 6px 1px 0}
    table.munis td.n[data-label]::before{content:attr(data-label) " ";color:var(--muted);font-size:.85em}
    table.munis td.flags{display:block;max-width:none}
    table.national,table.stages,table.history,table.examples{display:block;overflow-x:auto}
    svg.chart{width:100%}
    }
    @media print{
    body{padding:0;font-size:9.5pt;max-width:none}
    *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    nav{display:none}
    thead th{position:static}
    thead{display:table-header-group}
    tr,figure,.cards div,svg{break-inside:avoid;page-break-inside:avoid}
    h2,h3,caption{break-after:avoid;page-break-after:avoid}
    .wide{overflow:visible}
    table.munis{font-size:8pt}
    }

    """

    /// Click a column heading to sort by it; numbers sort by `data-v`, text in Danish order.
    static let sortScript = """
    (function(){
    'use strict';
    var tables=document.querySelectorAll('table.sortable');
    Array.prototype.forEach.call(tables,function(t){
    var heads=t.tHead?t.tHead.rows[0].cells:[];
    Array.prototype.forEach.call(heads,function(th,col){
    var b=document.createElement('button');b.type='button';b.className='sort';
    while(th.firstChild){b.appendChild(th.firstChild);}
    th.appendChild(b);
    b.addEventListener('click',function(){
    var asc=th.getAttribute('aria-sort')!=='ascending';
    Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,c){
    var x=a.cells[col],y=c.cells[col],r;
    if(x.hasAttribute('data-v')&&y.hasAttribute('data-v')){
    var p=parseFloat(x.getAttribute('data-v')),q=parseFloat(y.getAttribute('data-v'));r=p<q?-1:p>q?1:0;
    }else{r=x.textContent.localeCompare(y.textContent,'da');}
    return asc?r:-r;});
    rows.forEach(function(row){body.appendChild(row);});
    });});});
    })();

    """
}

/// The report's Danish for what the warehouse and the policy say in the operator's English: a
/// delivery's state and flags, the stages of the run. The command line stays English.
public enum DanishText {
    /// A row's flags in Danish, from its facts (not by translating the English flags).
    public static func flags(_ m: BatchReport.MunicipalityRow, rejectThreshold: Double = 0.05) -> [String] {
        var out: [String] = []
        switch m.status {
        case .stale: out.append("forældet: ingen levering denne fredag – sidste fredags data gælder")
        case .missing: out.append("mangler: aldrig leveret")
        case .held:
            let drop = m.previousRecords > 0 ? Double(m.previousRecords - m.records) * 100 / Double(m.previousRecords) : 0
            out.append("tilbageholdt: \(int(m.records)) poster mod \(int(m.previousRecords)) sidste fredag (−\(Int(drop.rounded())) %) "
                + "– sidste fredags data gælder, til leveringen godkendes")
        case .failed: out.append("fejlet: " + failure(m.failedRule))
        case .loaded: break
        }
        if m.status == .loaded, m.rejected > 0, Double(m.rejected) > Double(max(m.deliveredRecords, 1)) * rejectThreshold {
            let share = Double(m.rejected) * 100 / Double(max(m.deliveredRecords, 1))
            out.append("afviste linjer over tærsklen: \(int(m.rejected)) af \(int(m.deliveredRecords)) (\(ReportFormat.fixed(share, places: 1, point: ",") ?? "") %)")
        }
        if m.duplicates > 0 { out.append("\(m.duplicates) \(m.duplicates == 1 ? "identitet" : "identiteter") leveret mere end én gang") }
        if m.late { out.append("for sent: indlæst efter kl. 06.00") }
        return out
    }

    static func int(_ n: Int) -> String { ReportFormat.integer(n, group: ".", minus: "−") }

    /// Why a delivery could not be loaded, by the file-level rule that stopped it.
    static func failure(_ rule: String?) -> String {
        switch rule {
        case "file.truncated": "filen er afbrudt under overførslen – bed om den igen"
        case "file.unreadable": "filen kunne ikke læses"
        case "file.komnr": "filnavnets kommunenummer er ikke en af de 98 kommuner"
        case "file.name": "filnavnet er ikke en leverings navn"
        case "file.layout": "filens linjer passer ikke til nogen kendt postlayout"
        case "line.encoding": "filen har tegn, der ikke er gyldige i dens tegnkodning"
        case let r?: "filen kunne ikke indlæses (regel \(r))"
        case nil: "filen kunne ikke indlæses"
        }
    }

    static let stages = [
        "fetch": "hentning", "collect": "indsamling", "parse → validate → load": "læsning → kontrol → indlæsning",
        "index": "indeksering", "stale and missing": "forældede og manglende", "write-down": "nedskrivning",
        "reconcile": "afstemning", "report": "rapport",
    ]

    public static func stage(_ name: String) -> String { stages[name] ?? name }
}

import Foundation
@testable import AmforaCore

/// A batch report as the warehouse would fill it: all 98 municipalities (AMFORA), a few aid
/// rows, one held (Ærø shrank 40 %), one stale, one missing, one failed, rejects with hostile
/// text and full CPR numbers that must never reach a report.
enum ReportFixture {
    static let batch = Day(iso: "2024-11-08")!
    static let hostileValue = "<script>alert('x')</script>"
    static let hostileMessage = "Felt \"Stedkode\" mangler; virksomhedsrettet & <b>fed</b>"
    static let fullCPR = "0101901234"
    static let fullCPRHyphen = "311299-4321"
    static let historyTotal = 143

    static func make(marginSeconds: Double = 2 * 3600 + 14 * 60 + 20) -> BatchReport {
        let fridays = (0..<12).map { batch + (-7 * (11 - $0)) }
        var rows: [BatchReport.MunicipalityRow] = []
        for (komnr, name) in CodeListCatalog.standard.municipalities.sorted(by: { $0.key < $1.key }) {
            var m = BatchReport.MunicipalityRow(komnr: komnr, name: name, kind: .amfora, status: .loaded)
            let base = 400 + (komnr * 7919) % 9000
            m.volumeHistory = (0..<12).map { base + $0 * (komnr % 7) * 3 }
            m.records = m.volumeHistory[11]
            m.previousRecords = m.volumeHistory[10]
            m.file = "AMFORA_\(ValidationOutput.pad3(komnr))_20241108.txt"
            m.changed = m.records / 50
            m.new = m.records - m.previousRecords + m.records / 100
            m.removed = m.records / 100
            m.unchanged = m.records - m.changed - m.new
            switch komnr {
            case 492:  // Ærø: a truncated export, held
                m.status = .held
                m.previousRecords = m.volumeHistory[10]
                m.records = m.previousRecords * 6 / 10
                m.volumeHistory[11] = m.records
                m.flags = ["tilbageholdt: skrumpede 40,0 % (tærskel 10 %)"]
            case 253:
                m.status = .stale
                m.file = nil
                m.flags = ["forældet: ingen levering denne fredag – sidste fredags data gælder"]
            case 270:
                m.status = .missing
                m.file = nil
                m.records = 0
                m.previousRecords = 0
                m.unchanged = 0; m.changed = 0; m.new = 0; m.removed = 0
                m.volumeHistory = []
                m.flags = ["mangler: ingen levering og ingen tidligere data"]
            case 330:
                m.status = .failed
                m.flags = ["fejlet: filen kunne ikke læses (ugyldig tegnkodning)"]
            case 169:  // Høje-Taastrup: loaded, but too many rejects
                m.rejected = 57
                m.deliveredRecords = 1_000  // 5.7 %: above the 5 % threshold
                m.warnings = 3
                m.historyChanges = 143
                m.flags = ["afviste linjer over tærsklen: 57 (2,1 %)"]
            case 101:
                m.warnings = 210
                m.reappeared = 4
            default:
                break
            }
            rows.append(m)
        }
        for kind in [RecordKind.hjaelp1, .hjaelp2] {
            var m = BatchReport.MunicipalityRow(komnr: 101, name: "København", kind: kind, status: .loaded)
            m.records = kind == .hjaelp1 ? 1250 : 311
            m.previousRecords = kind == .hjaelp1 ? 1200 : 311
            m.unchanged = m.previousRecords
            m.new = m.records - m.previousRecords
            m.volumeHistory = Array(repeating: m.previousRecords, count: 11) + [m.records]
            rows.append(m)
        }

        var n = BatchReport.National()
        for m in rows {
            switch m.status {
            case .loaded: n.loaded += 1
            case .stale: n.stale += 1
            case .held: n.held += 1
            case .missing: n.missing += 1
            case .failed: n.failed += 1
            }
            n.records += m.records
            n.previousRecords += m.previousRecords
            n.unchanged += m.unchanged
            n.changed += m.changed
            n.new += m.new
            n.removed += m.removed
            n.reappeared += m.reappeared
            n.quarantined += m.rejected
            n.warnings += m.warnings
        }
        n.historyChanges = historyTotal
        n.writtenDownPersons = 1834
        n.writtenDownRecords = 2290
        n.hoursWrittenDown = 12_345.75
        n.previousHoursWrittenDown = 11_020.5

        let rejects = [
            BatchReport.RuleGroup(rule: "TimetalMustBeOneTo37", severity: .error, field: "Timetal", count: 50, examples: [
                .init(komnr: 169, file: "AMFORA_169_20241108.txt", line: 1041, value: hostileValue, message: "Timetal skal være 1–37"),
                .init(komnr: 169, file: "AMFORA_169_20241108.txt", line: 1187, value: "=HYPERLINK(\"x\")", message: "Timetal skal være 1–37"),
                .init(komnr: 169, file: "AMFORA_169_20241108.txt", line: 2203, value: "-5", message: "Timetal skal være 1–37"),
            ]),
            BatchReport.RuleGroup(rule: "SlutdtMustNotPrecedeStartdt", severity: .error, field: "Slutdt", count: 9, examples: [
                .init(komnr: 169, file: "AMFORA_169_20241108.txt", line: 88, value: fullCPR,
                      message: "Slutdato før startdato for CPR \(fullCPR) og \(fullCPRHyphen)"),
            ] + (1...7).map { .init(komnr: 169, file: "AMFORA_169_20241108.txt", line: 100 + $0, value: "20240101", message: "Slutdato før startdato") }),
            BatchReport.RuleGroup(rule: "CompanyBasedMeasureNeedsStedkode", severity: .warning, field: "Stedkode", count: 210, examples: [
                .init(komnr: 101, file: "AMFORA_101_20241108.txt", line: 17, value: "", message: hostileMessage),
                .init(komnr: 101, file: "AMFORA_101_20241108.txt", line: nil, value: nil, message: "Linje\nmed linjeskift"),
            ]),
            BatchReport.RuleGroup(rule: "EncodingUnreadable", severity: .error, field: nil, count: 1, examples: []),
        ]

        let history = [
            BatchReport.HistoryChange(komnr: 169, change: "changed", person: "010190-****", foranstalt: 1234,
                                      startDate: Day(iso: "2019-03-04")!, endDate: Day(iso: "2019-06-28")!,
                                      changedFields: ["Timetal", "Slutdt"]).with(oldToNew: ["Timetal: 20 → 25", "Slutdt: 2019-06-28 → 2019-08-30"]),
            BatchReport.HistoryChange(komnr: 169, change: "removed", person: fullCPRHyphen, foranstalt: 2001,
                                      startDate: Day(iso: "2020-01-06")!, endDate: Day(iso: "2020-02-28")!,
                                      changedFields: []),
            BatchReport.HistoryChange(komnr: 492, change: "changed", person: "150575-****", foranstalt: 1101,
                                      startDate: Day(iso: "2023-08-14")!, endDate: Day(iso: "2024-09-30")!,
                                      changedFields: ["Stedkode"]),
        ]

        let stages = [
            StageTiming(stage: "fetch", seconds: 12.3, detail: "98 filer, 410 MB"),
            StageTiming(stage: "parse+validate", seconds: 45.67, detail: "1.9 mio. linjer"),
            StageTiming(stage: "load", seconds: 120.5, detail: "skrevet; til tiden"),
            StageTiming(stage: "reconcile", seconds: 30, detail: ""),
        ]

        var report = BatchReport(batch: batch, generatedAt: "2024-11-08T03:45:40+01:00", deadline: "2024-11-08T06:00:00+01:00",
                                 marginSeconds: marginSeconds, national: n, municipalities: rows, rejectsByRule: rejects,
                                 historyChanges: history, fridays: fridays, stages: stages)
        AttentionPolicy().decide(&report)
        return report
    }
}

/// Helpers for the report tests.
enum ReportCheck {
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Danish digit grouping, `12.345`.
    static func danish(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out += "." }
            out.append(ch)
        }
        return out
    }
}

extension BatchReport.HistoryChange {
    func with(oldToNew: [String]) -> Self {
        var c = self
        c.oldToNew = oldToNew
        return c
    }
}

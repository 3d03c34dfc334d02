import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

@Suite struct CSVExportTests {
    let report = ReportFixture.make()

    /// Every line ends in CRLF (no lone LF or CR outside quotes in these files).
    func linesEndInCRLF(_ text: String) -> Bool {
        let u = Array(text.unicodeScalars)
        for (i, s) in u.enumerated() {
            if s == "\n", i == 0 || u[i - 1] != "\r" { return false }
            if s == "\r", i + 1 >= u.count || u[i + 1] != "\n" { return false }
        }
        return text.hasSuffix("\r\n")
    }

    @Test func municipalitiesOpenInDanishExcel() throws {
        let csv = CSVExport.municipalities(report)
        #expect(Array(csv.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(linesEndInCRLF(csv))
        let rows = CSVExport.parse(csv)
        #expect(rows.count == 1 + report.municipalities.count)
        let header = rows[0]
        // Headers that do not change with the Friday (a Power Query refresh next week still works).
        #expect(header.prefix(8) == ["komnr", "name", "kind", "status", "file", "records_this_friday", "records_last_friday", "change_%"])
        #expect(header.last == "records_fridays_ago_0")
        #expect(header.contains("records_fridays_ago_11"))
        #expect(!header.contains { $0.contains("2024") })
        #expect(rows.allSatisfy { $0.count == header.count })
        // Separator is ';' (the header line is plain text)
        #expect(csv.hasPrefix("\u{FEFF}komnr;name;kind;status;file;records_this_friday;"))
        // Flagged first, like the HTML table
        #expect(rows[1...5].map { $0[0] } == ["169", "253", "270", "330", "492"])
        let col = { (name: String) in header.firstIndex(of: name)! }
        let aero = try #require(rows.first { $0[0] == "492" })
        let aeroModel = try #require(report.municipalities.first { $0.komnr == 492 })
        #expect(aero[col("name")] == "Ærø")
        #expect(aero[col("status")] == "held")
        #expect(aero[col("records_this_friday")] == String(aeroModel.records))
        #expect(aero[col("change_%")] == "-40,0")
        #expect(aero[col("flags")].hasPrefix("tilbageholdt: \(ReportCheck.danish(aeroModel.records)) poster mod \(ReportCheck.danish(aeroModel.previousRecords)) sidste fredag (−40 %)"), "\(aero[col("flags")])")
        #expect(aero[col("records_fridays_ago_0")] == String(aeroModel.records))
        let missing = try #require(rows.first { $0[0] == "270" })
        #expect(missing[col("change_%")] == "")  // no previous dataset
        #expect(missing[col("file")] == "")
        #expect(missing[col("records_fridays_ago_0")] == "")  // no history at all
        #expect(rows.contains { $0[0] == "169" && $0[1] == "Høje-Taastrup" })
        let hj = try #require(rows.first { $0[0] == "101" && $0[2] == "HJAELP1" })
        #expect(hj[col("change_%")] == "4,2")  // 1250 vs 1200
    }

    @Test func quotingRoundTrips() {
        let cells = ["a;b", "say \"hi\"", "two\r\nlines", "only\nLF", "Ærø Høje-Taastrup", "", "-12,5", "12,5", "2024-11-08"]
        let csv = CSVExport.table(header: ["x", "y"], rows: [cells, ["plain", "=SUM(A1)"]])
        #expect(csv.hasPrefix("\u{FEFF}x;y\r\n"))
        #expect(csv.contains("\"a;b\";\"say \"\"hi\"\"\";\"two\r\nlines\";\"only\nLF\";Ærø Høje-Taastrup;;-12,5;12,5;2024-11-08\r\n"))
        let back = CSVExport.parse(csv)
        #expect(back == [["x", "y"], cells, ["plain", "'=SUM(A1)"]])
    }

    @Test func formulasFromTheDataAreDefused() {
        #expect(CSVExport.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVExport.field("+45 12345678") == "'+45 12345678")
        #expect(CSVExport.field("@foo") == "'@foo")
        #expect(CSVExport.field("-5") == "-5")
        #expect(CSVExport.field("-5,25") == "-5,25")
        #expect(CSVExport.field("-5-") == "'-5-")
        #expect(CSVExport.field("- note") == "'- note")
    }

    @Test func numbersHaveADecimalCommaAndNoGrouping() {
        #expect(CSVExport.decimal(12.5) == "12,5")
        #expect(CSVExport.decimal(-3) == "-3,0")
        #expect(CSVExport.decimal(-0.04) == "0,0")
        #expect(CSVExport.decimal(1_234_567.891, places: 2) == "1234567,89")
        #expect(CSVExport.decimal(nil) == "")
        #expect(CSVExport.decimal(.infinity) == "")
    }

    @Test func rejectsByRuleKeepsExamplesScrubsCPRAndQuotes() throws {
        let csv = CSVExport.rejectsByRule(report)
        #expect(Array(csv.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(!containsFullCPR(csv))
        let rows = CSVExport.parse(csv)
        #expect(rows[0] == ["rule", "severity", "field", "count", "komnr", "file", "line", "value", "message"])
        // one row per example, one for the rule without examples
        #expect(rows.count == 1 + 3 + 8 + 2 + 1)
        #expect(rows[1] == ["TimetalMustBeOneTo37", "error", "Timetal", "50", "169", "AMFORA_169_20241108.txt", "1041",
                            ReportFixture.hostileValue, "Timetal skal være 1–37"])
        #expect(rows[2][7] == "'=HYPERLINK(\"x\")")
        #expect(rows[3][7] == "-5")
        let cpr = try #require(rows.first { $0[6] == "88" })
        #expect(cpr[7] == "010190-****")
        #expect(cpr[8] == "Slutdato før startdato for CPR 010190-**** og 311299-****")
        let quoted = try #require(rows.first { $0[6] == "17" })
        #expect(quoted[8] == ReportFixture.hostileMessage)
        #expect(quoted[7] == "")
        let noLine = try #require(rows.first { $0[8] == "Linje\nmed linjeskift" })
        #expect(noLine[6] == "")
        // errors first (most frequent first), then warnings; a rule without examples keeps a row
        #expect(rows[12] == ["EncodingUnreadable", "error", "", "1", "", "", "", "", ""])
        #expect(rows.last == ["CompanyBasedMeasureNeedsStedkode", "warning", "Stedkode", "210", "101", "AMFORA_101_20241108.txt",
                              "", "", "Linje\nmed linjeskift"])
    }

    @Test func historyChangesAndStages() {
        let h = CSVExport.parse(CSVExport.historyChanges(report))
        #expect(h[0] == CSVExport.historyChangesHeader)
        #expect(h[1] == ["169", "changed", "010190-****", "1234", "2019-03-04", "2019-06-28", "Timetal, Slutdt", "Timetal: 20 → 25; Slutdt: 2019-06-28 → 2019-08-30"])
        #expect(h[2] == ["169", "removed", "311299-****", "2001", "2020-01-06", "2020-02-28", "", ""])
        #expect(h.count == 4)
        let s = CSVExport.parse(CSVExport.stages(report))
        #expect(s == [["stage", "seconds", "detail"], ["fetch", "12,300", "98 filer, 410 MB"],
                      ["parse+validate", "45,670", "1.9 mio. linjer"], ["load", "120,500", "skrevet; til tiden"],
                      ["reconcile", "30,000", ""]])
        #expect(CSVExport.stages(report).contains("\"skrevet; til tiden\""))
        let full = CSVExport.table(header: CSVExport.rejectsHeader, rows: [["101", "f.txt", "3", "CPR", "R", "error", "0101901234", "CPR 0101901234 ugyldig"]])
        #expect(CSVExport.parse(full)[1][6] == "010190-****")  // the value as delivered, CPR masked
        #expect(CSVExport.parse(full)[1][7] == "CPR 010190-**** ugyldig")
    }

    @Test func parserReadsTheDialectAndItsVariants() {
        #expect(CSVExport.parse("\u{FEFF}a;b\r\n1;2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(CSVExport.parse("a;b\n1;2") == [["a", "b"], ["1", "2"]])
        #expect(CSVExport.parse("a;;\r\n\r\n\"x\"\"y\";\"\"\r\n") == [["a", "", ""], ["x\"y", ""]])
        #expect(CSVExport.parse("\"multi\r\nline\";z") == [["multi\r\nline", "z"]])
        #expect(CSVExport.parse("") == [])
    }
}

import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

@Suite struct JSONReportTests {
    let report = ReportFixture.make()

    func parse(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func parsesAndCarriesTheCounts() throws {
        let text = JSONReport.render(report)
        #expect(text.hasSuffix("}\n"))
        let j = try parse(text)
        #expect(j["batch_date"] as? String == "2024-11-08")
        #expect(j["on_time"] as? Bool == true)
        #expect(j["margin_seconds"] as? Int == 8060)
        #expect(j["needs_person"] as? Bool == true)
        #expect(j["deadline"] as? String == "2024-11-08T06:00:00+01:00")
        let counts = try #require(j["counts"] as? [String: Int])
        #expect(counts == ["loaded": 96, "stale": 1, "held": 1, "missing": 1, "failed": 1])
        let n = try #require(j["national"] as? [String: Any])
        #expect(n["records"] as? Int == report.national.records)
        #expect(n["previous_records"] as? Int == report.national.previousRecords)
        #expect(n["history_changes"] as? Int == 143)
        #expect(n["quarantined"] as? Int == 57)
        #expect(n["written_down_persons"] as? Int == 1834)
        #expect(n["hours_removed_by_write_down"] as? Double == 12345.75)
        #expect(n["previous_hours_removed_by_write_down"] as? Double == 11020.5)
        #expect(n["change_pct"] is Double)
    }

    @Test func municipalitiesCarryKomnrAsTextAndTheirFlags() throws {
        let j = try parse(JSONReport.render(report))
        let ms = try #require(j["municipalities"] as? [[String: Any]])
        #expect(ms.count == report.municipalities.count)
        #expect(ms.prefix(5).map { $0["komnr"] as? String } == ["169", "253", "270", "330", "492"])
        let aero = try #require(ms.first { $0["komnr"] as? String == "492" })
        #expect(aero["name"] as? String == "Ærø")
        #expect(aero["kind"] as? String == "AMFORA")
        #expect(aero["status"] as? String == "held")
        #expect(aero["change_pct"] as? Double == -40.0)
        #expect(aero["flags"] as? [String] == ["tilbageholdt: skrumpede 40,0 % (tærskel 10 %)"])
        let missing = try #require(ms.first { $0["komnr"] as? String == "270" })
        #expect(missing["change_pct"] is NSNull)
        #expect(missing["file"] is NSNull)
        #expect(ms.contains { $0["komnr"] as? String == "101" && $0["kind"] as? String == "HJAELP2" })
        let rules = try #require(j["rejects_by_rule"] as? [[String: Any]])
        #expect(rules.map { $0["rule"] as? String } == ["TimetalMustBeOneTo37", "SlutdtMustNotPrecedeStartdt",
                                                        "EncodingUnreadable", "CompanyBasedMeasureNeedsStedkode"])
        #expect(rules[2]["field"] is NSNull)
    }

    @Test func aLateBatchAndHostileTextStillParse() throws {
        var r = ReportFixture.make(marginSeconds: -720.4)
        r.municipalities[0].name = "Quote\" back\\slash \u{1}ctl\nnewline 0101901234"
        r.municipalities[0].flags = ["</script>", "tab\there"]
        let text = JSONReport.render(r)
        #expect(!containsFullCPR(text))
        let j = try parse(text)
        #expect(j["on_time"] as? Bool == false)
        #expect(j["margin_seconds"] as? Int == -720)
        let ms = try #require(j["municipalities"] as? [[String: Any]])
        let first = try #require(ms.first { $0["komnr"] as? String == "101" && $0["kind"] as? String == "AMFORA" })
        #expect(first["name"] as? String == "Quote\" back\\slash \u{1}ctl\nnewline 010190-****")
        #expect(first["flags"] as? [String] == ["</script>", "tab\there"])
    }

    @Test func anEmptyBatchIsValidJSON() throws {
        let empty = BatchReport(batch: ReportFixture.batch, generatedAt: "", deadline: "", marginSeconds: .nan,
                                national: .init(), municipalities: [], rejectsByRule: [], historyChanges: [],
                                fridays: [], stages: [])
        let j = try parse(JSONReport.render(empty))
        #expect(j["municipalities"] as? [Any] != nil)
        #expect((j["municipalities"] as? [Any])?.isEmpty == true)
        #expect(j["margin_seconds"] is NSNull)
        #expect((j["national"] as? [String: Any])?["change_pct"] is NSNull)
    }
}

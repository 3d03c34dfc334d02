import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

/// A page per municipality, and an index of past Fridays (issue "The analysts' warehouse", item 6).
@Suite struct MunicipalityPageTests {
    static func report() -> BatchReport {
        var r = ReportFixture.make()
        var d = BatchReport.MunicipalityDetail()
        d.rejectsByRule = r.rejectsByRule.filter { $0.examples.contains { $0.komnr == 169 } }
        d.historyChanges = r.historyChanges.filter { $0.komnr == 169 }
        d.historyTotal = 143
        d.writtenDownPersons = 12
        d.hoursRemoved = 88.5
        r.details[169] = d
        return r
    }

    @Test func aMunicipalitysPageHasItsSectionsAndLinks() {
        let page = MunicipalityPage.render(Self.report(), komnr: 169)
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"da\">"))
        #expect(page.contains("<h1>169 Høje-Taastrup – batch fredag 8. november 2024</h1>"))
        for h in ["Leverancer denne fredag mod sidste fredag", "37-timers nedskrivning", "Afviste linjer efter regel", "Historikændringer"] {
            #expect(page.contains(">\(h)</h2>"), "\(h)")
        }
        #expect(page.contains("<a href=\"../index.html\">Landsrapporten for 2024-11-08</a>"))
        #expect(page.contains("<a href=\"../../index.html\">Tidligere fredage</a>"))
        #expect(page.contains("<a href=\"../rejects/rejects_169.csv\">rejects_169.csv</a>"))
        #expect(page.contains("<a href=\"../history_changes.csv\">history_changes.csv</a>"))
        #expect(page.contains("<dt>Personer nedskrevet</dt><dd>12</dd>"))
        #expect(page.contains("Timetal: 20 → 25<br>Slutdt: 2019-06-28 → 2019-08-30"))
        #expect(page.contains("<strong>143 i alt</strong>"))
        #expect(!page.contains("<script"), "no script, nothing from the network")
        #expect(!page.contains("http://") && !page.contains("https://"))
        #expect(!containsFullCPR(page))
        // Another municipality's rows are not on it.
        #expect(!page.contains("Ærø"))
    }

    @Test func aPageWithoutDetailsStillRenders() {
        let page = MunicipalityPage.render(Self.report(), komnr: 101)
        #expect(page.contains("Ingen afviste linjer og ingen advarsler."))
        #expect(page.contains(">HJAELP1</th>"))
    }

    @Test func theFridaysIndexListsNewestFirst() {
        let index = MunicipalityPage.fridaysIndex([Day(iso: "2024-11-01")!, Day(iso: "2024-11-08")!])
        let first = index.range(of: "2024-11-08/index.html")!, second = index.range(of: "2024-11-01/index.html")!
        #expect(first.lowerBound < second.lowerBound)
    }
}

import Testing
@testable import AmforaCore
import AmforaTestSupport

/// 52.1 items 5, 8, 18 and 19 read once more (issue "The record layer read against the guideline").
@Suite struct CourseNeedsProviderPnrAndHoldTests {
    static let course = ["Foranstalt": "162", "KursusCVR": "13748136", "KursusPnr": "1012345678", "HoldID": "HOLD-7",
                         "Stedkode": "", "CVR": "", "Pnr": "", "Navn": "", "Adresse": "", "Stillingsbetegnelse": ""]

    @Test func aCourseNamesItsProvidersPnrAndItsTeam() {
        #expect(LineBuilder.activation(Self.course).findings().isEmpty)
        let noPnr = LineBuilder.activation(Self.course.merging(["KursusPnr": ""]) { $1 }).findings()
        #expect(rules(noPnr) == ["course.kursuspnr"])
        #expect(noPnr.first?.severity == .warning)
        #expect(noPnr.first?.message.contains("52.1 item 18") == true)
        let noHold = LineBuilder.activation(Self.course.merging(["HoldID": ""]) { $1 }).findings()
        #expect(rules(noHold) == ["course.holdid"])
        #expect(noHold.first?.message.contains("52.1 item 19") == true)
        // Not a course: neither is asked for.
        #expect(LineBuilder.activation(["KursusPnr": "", "HoldID": ""]).findings().isEmpty)
    }

    @Test func theSeverityIsConfigurable() throws {
        let config = try RunConfig(text: "severity.course.kursuspnr = error\n")
        let f = LineBuilder.activation(Self.course.merging(["KursusPnr": ""]) { $1 })
            .findings(options: ValidationOptions(ruleSeverity: config.ruleSeverity))
        #expect(f.first?.severity == .error)
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "severity.required = warning") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "severity.course.holdid = fatal") }
    }
}

@Suite struct FleksjobEndsByFolkepensionTests {
    /// reference/facts.md's table, a row at a time (the boundaries included).
    @Test(arguments: [
        ("1953-12-31", "2018-12-31"), ("1954-01-01", "2019-07-01"), ("1954-06-30", "2019-12-30"), ("1954-07-01", "2020-07-01"),
        ("1955-01-01", "2021-07-01"), ("1955-07-01", "2022-07-01"), ("1962-12-31", "2029-12-31"), ("1963-01-01", "2031-01-01"),
        ("1967-01-01", "2036-01-01"), ("1971-01-01", "2041-01-01"), ("1955-08-31", "2022-08-31"), ("1954-08-31", "2020-08-31"),
        ("1954-02-28", "2019-08-28"), ("1954-03-31", "2019-09-30"),
    ])
    func folkepensionDates(_ born: String, _ pension: String) {
        #expect(Folkepension.date(bornOn: Day(iso: born)!) == Day(iso: pension))
    }

    func fleksjob(_ cpr: String, end: String, code: String = "130") -> [Finding] {
        LineBuilder.activation(["Foranstalt": code, "CPRnr": cpr, "Startdt": "01-02-2020", "Slutdt": end]).findings()
    }

    @Test func aFleksjobEndsByTheExpectedFolkepension() {
        // 0101601234: born 1960-01-01, folkepension at 67 on 2027-01-01.
        #expect(fleksjob("0101601234", end: "01-01-2027").isEmpty)
        let late = fleksjob("0101601234", end: "02-01-2027")
        #expect(rules(late) == ["fleksjob.slutdt"])
        #expect(late.first?.severity == .warning)
        #expect(late.first?.message.contains("2027-01-01") == true)
        #expect(rules(fleksjob("0101601234", end: "31-12-2040", code: "143")) == ["fleksjob.slutdt"])
        // Other company-based measures are not fleksjob.
        #expect(!rules(fleksjob("0101601234", end: "31-12-2040", code: "139")).contains("fleksjob.slutdt"))
    }

    @Test func aPlaceholderEndKeepsItsErrorAndSaysWhatToReport() {
        let f = fleksjob("0101601234", end: "31-12-2999")
        #expect(rules(f) == ["date.range"])
        #expect(f.first?.severity == .error)
        #expect(f.first?.message.contains("folkepension") == true)
    }
}

@Suite struct OpenOfferDatesWithoutTheFlagTests {
    @Test func datesWithoutTheFlagAreAWarningTheFlagWithoutDatesAnError() {
        let dates = LineBuilder.activation(["Abtilbud": "0", "StdtAb": "01-02-2024", "SldtAB": "01-03-2024"]).findings()
        #expect(rules(dates) == ["abtilbud.dates", "abtilbud.dates"])
        #expect(dates.allSatisfy { $0.severity == .warning })
        let noDates = LineBuilder.activation(["Abtilbud": "1", "StdtAb": "", "SldtAB": ""]).findings()
        #expect(rules(noDates) == ["abtilbud.dates", "abtilbud.dates"])
        #expect(noDates.allSatisfy { $0.severity == .error })
    }
}

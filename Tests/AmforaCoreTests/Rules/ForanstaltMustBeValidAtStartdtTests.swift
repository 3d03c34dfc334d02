import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct ForanstaltMustBeValidAtStartdtTests {
    func course(_ code: String, _ start: String) -> [Finding] {
        LineBuilder.activation(["Foranstalt": code, "Startdt": start, "Slutdt": "31-12-2011", "KursusCVR": "13748136",
                                "KursusPnr": "1012345678", "HoldID": "H1", "Stedkode": "", "CVR": "", "Pnr": "", "Navn": "", "Adresse": "", "Stillingsbetegnelse": ""]).findings()
    }

    @Test func legacyCodesEndAtTheLaterCutOver() {
        for code in ["112", "141", "142"] {
            #expect(course(code, "12-12-2010").isEmpty)
            let f = course(code, "13-12-2010")
            #expect(rules(f) == ["foranstalt.period"])
            #expect(f.first?.severity == .error)
        }
    }

    @Test func currentCourseCodesBeforeTheFirstCutOverAreWarned() {
        for code in ["160", "161", "162", "163", "164", "165"] {
            #expect(course(code, "11-10-2010").isEmpty, "\(code)")
            let f = course(code, "10-10-2010")
            #expect(rules(f) == ["foranstalt.period"])
            #expect(f.first?.severity == .warning)
        }
    }

    @Test func codesOfBothTablesAreAlwaysValid() {
        #expect(LineBuilder.activation(["Startdt": "01-01-2007", "Slutdt": "01-01-2008"]).findings().isEmpty)
        #expect(LineBuilder.activation(["Startdt": "01-01-2026", "Slutdt": "01-01-2027"]).findings().isEmpty)
    }
}

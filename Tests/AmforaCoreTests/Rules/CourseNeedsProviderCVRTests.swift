import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct CourseNeedsProviderCVRTests {
    @Test func coursesNeedTheProvidersCVR() {
        for code in 160...165 {
            let f = LineBuilder.activation(["Foranstalt": String(code), "KursusCVR": "", "KursusPnr": "1012345678", "HoldID": "H1"]).findings()
            #expect(rules(f) == ["course.kursuscvr"], "\(code)")
        }
        #expect(LineBuilder.activation(["Foranstalt": "161", "KursusCVR": "13748136", "KursusPnr": "1012345678", "HoldID": "H1"]).findings().isEmpty)
        #expect(LineBuilder.activation(["Foranstalt": "141", "Startdt": "01-02-2010", "Slutdt": "01-03-2010"]).findings().isEmpty)
    }
}

import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct StateWageSubsidyNeedsMinistryTests {
    func state(_ ministry: String, start: String = "01-02-2024") -> [Finding] {
        LineBuilder.activation(["Stedkode": "73", "Ministeromraade": ministry, "Startdt": start, "Slutdt": "31-12-2024"]).findings()
    }

    @Test func wageSubsidyAtAStateWorkplaceNeedsTheMinistryArea() {
        #expect(rules(state("")) == ["wagesubsidy.ministeromraade"])
        #expect(state("11").isEmpty)
        // Practice (140) at a state workplace, and wage subsidy at a municipal one, need none.
        #expect(LineBuilder.activation(["Foranstalt": "140", "Stedkode": "73"]).findings().isEmpty)
        #expect(LineBuilder.activation(["Stedkode": "71"]).findings().isEmpty)
    }

    @Test func theAreaMustBeValidAtStartdt() {
        // 8 and 10 ended 2010-05-21, when 20 and 21 began.
        #expect(state("8", start: "20-05-2010").isEmpty)
        #expect(rules(state("8", start: "21-05-2010")) == ["ministeromraade.period"])
        #expect(state("20", start: "21-05-2010").isEmpty)
        let early = state("21", start: "20-05-2010")
        #expect(rules(early) == ["ministeromraade.period"])
        #expect(early[0].severity == .error)
    }

    @Test func measuresOlderThanTheListAreOnlyWarned() {
        let f = state("11", start: "01-06-2008")
        #expect(rules(f) == ["ministeromraade.period"])
        #expect(f[0].severity == .warning)
    }
}

import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct Hovedydelse87OnlyForAges15To17Tests {
    // Born 2008-03-15 (7th digit 4, yy 08 → 2000s): 15 on 2023-03-15, 18 on 2026-03-15.
    let young = "1503084321"

    func f(_ start: String, cpr: String? = nil) -> [Finding] {
        LineBuilder.activation(["CPRnr": cpr ?? young, "Hovedydelse": "87", "Startdt": start, "Slutdt": "31-12-2026"]).findings()
    }

    @Test func onlyAges15To17AtStartdt() {
        #expect(f("15-03-2023").isEmpty)
        #expect(f("14-03-2026").isEmpty)
        #expect(rules(f("14-03-2023")) == ["hovedydelse.87-age"])
        #expect(rules(f("15-03-2026")) == ["hovedydelse.87-age"])
        let adult = f("01-02-2024", cpr: "0101901234")
        #expect(rules(adult) == ["hovedydelse.87-age"])
        #expect(adult[0].message.contains("010190-****"))
        #expect(!adult[0].message.contains("0101901234"))
    }

    @Test func otherBenefitsHaveNoAgeRule() {
        #expect(LineBuilder.activation(["CPRnr": young, "Startdt": "01-02-2024"]).findings().isEmpty)
    }
}

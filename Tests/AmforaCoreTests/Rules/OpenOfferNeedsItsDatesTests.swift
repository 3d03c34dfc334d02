import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct OpenOfferNeedsItsDatesTests {
    @Test func openOfferNeedsBothDates() {
        #expect(rules(LineBuilder.activation(["Abtilbud": "1"]).findings()) == ["abtilbud.dates", "abtilbud.dates"])
        #expect(rules(LineBuilder.activation(["Abtilbud": "J", "StdtAb": "01-02-2024"]).findings()) == ["abtilbud.dates"])
        #expect(LineBuilder.activation(["Abtilbud": "1", "StdtAb": "01-02-2024", "SldtAB": "01-03-2024"]).findings().isEmpty)
    }

    @Test func onlyAnOpenOfferHasThem() {
        let f = LineBuilder.activation(["Abtilbud": "0", "StdtAb": "01-02-2024"]).findings()
        #expect(rules(f) == ["abtilbud.dates"])
        #expect(f[0].field == "StdtAb")
        #expect(rules(LineBuilder.activation(["Abtilbud": "", "SldtAB": "01-02-2024"]).findings()) == ["abtilbud.dates"])
    }

    @Test func openOfferEndNotBeforeStart() {
        let f = LineBuilder.activation(["Abtilbud": "1", "StdtAb": "01-03-2024", "SldtAB": "01-02-2024"]).findings()
        #expect(rules(f) == ["abtilbud.order"])
    }
}

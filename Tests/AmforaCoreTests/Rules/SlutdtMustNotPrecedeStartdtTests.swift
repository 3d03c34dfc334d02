import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct SlutdtMustNotPrecedeStartdtTests {
    @Test func lastDayNotBeforeFirst() {
        #expect(rules(LineBuilder.activation(["Startdt": "01-02-2024", "Slutdt": "31-01-2024"]).findings()) == ["dates.order"])
        #expect(LineBuilder.activation(["Startdt": "01-02-2024", "Slutdt": "01-02-2024"]).findings().isEmpty)
        // Mixed forms compare as dates, not as text.
        #expect(LineBuilder.activation(["Startdt": "2024-02-01", "Slutdt": "020224"]).findings().isEmpty)
    }
}

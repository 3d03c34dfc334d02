import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct TimetalMustBeOneTo37Tests {
    @Test func zeroIsAnError() {
        let f = LineBuilder.activation(["Timetal": "0"]).findings()
        #expect(rules(f) == ["timetal.range"])
        #expect(f[0].severity == .error)
    }

    @Test func above37IsAWarningAndKept() {
        let (s, f) = check([LineBuilder.activation(["Timetal": "45"]).text])
        #expect(rules(f) == ["timetal.above-37"])
        #expect(f[0].severity == .warning)
        #expect(s.tally.quarantined == 0)
        #expect(s.tally.warned == 1)
    }

    @Test(arguments: ["1", "37", "20"]) func inRange(_ h: String) {
        #expect(LineBuilder.activation(["Timetal": h]).findings().isEmpty)
    }
}

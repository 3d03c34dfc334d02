import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct KomnrMustMatchFileNameTests {
    @Test func komnrMustBeTheFileNamesMunicipality() {
        let f = LineBuilder.activation(["Komnr": "147"]).findings()
        #expect(rules(f) == ["komnr.mismatch"])
        #expect(f[0].severity == .error)
        #expect(f[0].value == "147")
        #expect(LineBuilder.activation(["Komnr": "147"]).findings(file: "AMFORA_147_20241108.txt").isEmpty)
        #expect(rules(LineBuilder.aid(["Komnr": "492"]).findings()) == ["komnr.mismatch"])
    }
}

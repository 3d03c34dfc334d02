import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct AidPnrNeedsCVRTests {
    @Test func pnrComesWithCVR() {
        #expect(rules(LineBuilder.aid(["CVR": ""]).findings()) == ["aid.pnr-without-cvr"])
        #expect(LineBuilder.aid(["CVR": "", "Pnr": ""]).findings().isEmpty)  // a grant to the person
        #expect(rules(LineBuilder.aid(["CVR": "13748137"]).findings()) == ["cvr.modulus11"])
    }
}

import Testing
@testable import AmforaCore
import AmforaTestSupport

/// The per-field shape checks of Normalise/FieldNormaliser.swift, one per kind of field.
@Suite struct FieldFormatTests {
    @Test func theBaseRecordsAreClean() {
        #expect(LineBuilder.activation().findings().isEmpty)
        #expect(LineBuilder.aid().findings().isEmpty)
    }

    @Test(arguments: [
        ("CPRnr", "01019012", "cpr.format"), ("CPRnr", "010190123X", "cpr.format"), ("CPRnr", "3102901234", "cpr.birthdate"),
        ("Komnr", "1X1", "num.format"), ("Komnr", "411", "komnr.unknown"),
        ("Foranstalt", "999", "code.unknown"), ("Foranstalt", "1 9", "num.format"),
        ("Hovedydelse", "11", "code.unknown"), ("Stedkode", "61", "code.unknown"), ("Ministeromraade", "22", "code.unknown"),
        ("Startdt", "31-02-2024", "date.impossible"), ("Startdt", "2024/02/01", "date.format"), ("Slutdt", "01-01-1989", "date.range"),
        ("Timetal", "3x", "num.format"), ("Abtilbud", "X", "bool.format"),
        ("JobplanID", "not-a-guid", "guid.format"),
        ("Beskaeftigelsesmaal", "12", "disco.format"), ("Stillingsbetegnelse", "91321A", "disco.format"),
        ("CVR", "13748137", "cvr.modulus11"), ("CVR", "1374813", "cvr.format"), ("KursusCVR", "12345678", "cvr.modulus11"),
        ("Pnr", "123456789", "pnr.format"), ("KursusPnr", "12345X7890", "pnr.format"), ("Postnummer", "800", "postnr.format"),
        ("JobplanOprettet", "32-01-2024", "date.impossible"),
    ])
    func malformedValues(_ field: String, _ value: String, _ rule: String) {
        let f = LineBuilder.activation([field: value]).findings()
        #expect(f.contains { $0.rule == rule && $0.field == field }, "\(f)")
        let spec = LayoutCatalog.standard["52.2-v1"]!.fields.first { $0.name == field }!
        #expect(f.first { $0.rule == rule }?.severity == spec.severity)
    }

    /// 52.1 item 19 asks for "en unik systemgenereret identifikationsnøgle" for a team — a key,
    /// not necessarily a GUID: any non-blank HoldID is taken as it is.
    @Test func aHoldIDIsAnOpaqueKey() {
        for hold in ["HOLD-2024-017", "17", "3f2504e0-4f89-11d3-9a0c-0305e82c330Z", "Hold A/B"] {
            #expect(LineBuilder.activation(["HoldID": hold]).findings().isEmpty, "\(hold)")
        }
    }

    @Test(arguments: ["CPRnr", "Komnr", "Foranstalt", "Startdt", "Slutdt", "Timetal", "Hovedydelse"])
    func requiredFieldsOfTheActivationRecord(_ field: String) {
        let f = LineBuilder.activation([field: ""]).findings()
        #expect(f.contains { $0.rule == "required" && $0.field == field && $0.severity == .error }, "\(f)")
    }

    @Test(arguments: ["Komnr", "Startdtgod", "Identnr"])
    func requiredFieldsOfTheAidRecord(_ field: String) {
        let f = LineBuilder.aid([field: ""]).findings()
        #expect(f.contains { $0.rule == "required" && $0.field == field }, "\(f)")
    }

    @Test func abtilbudAcceptsItsSpellings() {
        for yes in ["1", "J", "Y", "j"] {
            let f = LineBuilder.activation(["Abtilbud": yes, "StdtAb": "01-02-2024", "SldtAB": "29-02-2024"]).findings()
            #expect(f.isEmpty, "\(yes): \(f)")
        }
        for no in ["0", "N", ""] { #expect(LineBuilder.activation(["Abtilbud": no]).findings().isEmpty, "\(no)") }
    }

    @Test func numbersMayBeZeroOrBlankPadded() {
        #expect(LineBuilder.activation(["Timetal": "07", "Stillingsbetegnelse": "0913210"]).findings().isEmpty)
    }

    @Test func identnrMayBeAnotherIdentifier() {
        #expect(LineBuilder.aid(["Identnr": "U123456789"]).findings().isEmpty)
    }

    @Test func noFindingEverShowsAFullCPR() {
        let cpr = "3102901234"   // impossible date, so it is quoted in a finding
        let all = LineBuilder.activation(["CPRnr": cpr, "Hovedydelse": "87"]).findings()
            + LineBuilder.activation(["CPRnr": "0101101234", "Hovedydelse": "87"]).findings()
            + LineBuilder.aid(["Identnr": "31029O1234", "Startdtgod": "x"]).findings()
        #expect(!all.isEmpty)
        for f in all {
            let text = (f.value ?? "") + " " + f.message
            #expect(!text.contains(cpr) && !text.contains("0101101234") && !text.contains("31029O1234"), "\(f)")
        }
        #expect(all.contains { $0.value == "310290-****" })
    }
}

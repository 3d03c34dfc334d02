import Testing
@testable import AmforaCore
import AmforaTestSupport

/// CompanyBasedMeasureNeedsStedkode, …NeedsWorkplace and …NeedsJobTitle.
@Suite struct CompanyBasedMeasureTests {
    let companyBased = ["139", "140", "130", "143", "150"]

    @Test func needsStedkode() {
        for code in companyBased {
            #expect(rules(LineBuilder.activation(["Foranstalt": code, "Stedkode": ""]).findings()) == ["company.stedkode"])
        }
        // Not company-based: no Stedkode needed.
        #expect(LineBuilder.activation(["Foranstalt": "170", "Stedkode": ""]).findings().isEmpty)
    }

    @Test func needsCVR() {
        #expect(rules(LineBuilder.activation(["CVR": ""]).findings()) == ["company.cvr"])
    }

    @Test func needsPnrOrNameAndAddress() {
        #expect(LineBuilder.activation(["Pnr": ""]).findings().isEmpty)  // name and address are there
        #expect(LineBuilder.activation(["Navn": "", "Adresse": ""]).findings().isEmpty)  // Pnr is there
        let f = LineBuilder.activation(["Pnr": "", "Adresse": ""]).findings()
        #expect(rules(f) == ["company.pnr-or-address"])
        #expect(f[0].field == "Adresse")
        #expect(rules(LineBuilder.activation(["Pnr": "", "Navn": ""]).findings()) == ["company.pnr-or-address"])
        #expect(LineBuilder.activation(["Foranstalt": "175", "Pnr": "", "Navn": "", "CVR": ""]).findings().isEmpty)
    }

    @Test func needsJobTitle() {
        for code in companyBased {
            #expect(rules(LineBuilder.activation(["Foranstalt": code, "Stillingsbetegnelse": ""]).findings()) == ["company.stillingsbetegnelse"])
        }
        #expect(LineBuilder.activation(["Foranstalt": "128", "Stillingsbetegnelse": ""]).findings().isEmpty)
    }
}

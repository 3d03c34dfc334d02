import AmforaCore
import Testing

/// §54 stk. 3–5 at every boundary (spec disclosures.md): who is in each extract.
@Suite struct DisclosureRuleTests {
    let rule = DisclosureRule()
    func day(_ s: String) -> Day { Day(iso: s)! }

    /// A CPR number for a birth date, with the 7th digit chosen.
    func cpr(_ born: String, seventh: Int) -> Int {
        let (y, m, d) = day(born).components
        return Int(String(format: "%02d%02d%02d%d123", d, m, y % 100, seventh))!
    }

    func uvm(_ born: String, on batch: String, seventh: Int = 5) -> Bool {
        rule.includes(.uvm, cpr: cpr(born, seventh: seventh), foranstalt: 110, start: day("2026-01-01"), end: day("2026-12-31"), batch: day(batch))
    }

    @Test func underEighteenOnTheBatchDateAndTheBirthdayCountsAsEighteen() {
        #expect(uvm("2008-11-28", on: "2026-11-27"))   // 18 tomorrow
        #expect(!uvm("2008-11-27", on: "2026-11-27"))  // 18 today
        #expect(!uvm("2008-11-26", on: "2026-11-27"))  // 18 yesterday
        #expect(uvm("2026-01-01", on: "2026-11-27"))
        #expect(uvm("2026-11-27", on: "2026-11-27"))   // born on the batch date
        #expect(!uvm("2026-11-28", on: "2026-11-27"))  // a birth date after the batch is no person under 18
    }

    func atp(_ born: String, seventh: Int, foranstalt: Int = 139, start: String = "2012-01-01", end: String = "2012-06-30") -> Bool {
        rule.includes(.atpSkat, cpr: cpr(born, seventh: seventh), foranstalt: foranstalt, start: day(start), end: day(end), batch: day("2026-11-27"))
    }

    @Test func theCohortIsBornFrom1946Through1952() {
        #expect(!atp("1945-12-31", seventh: 2))
        #expect(atp("1946-01-01", seventh: 2))
        #expect(atp("1952-12-31", seventh: 2))
        #expect(!atp("1953-01-01", seventh: 2))
    }

    /// The century rule (reference/facts.md): 0–3 → 1900s; 4 and 9 → 2000s up to 36, else
    /// 1900s; 5–8 → 2000s up to 57, else 1800s. Year digits 46–52 are the cohort only where the
    /// rule puts them in the 1900s.
    @Test func everyCenturyRuleRowDecidesTheCohort() {
        for seventh in 0...3 { #expect(atp("1950-05-05", seventh: seventh), "7th digit \(seventh)") }
        #expect(atp("1950-05-05", seventh: 4))
        #expect(atp("1950-05-05", seventh: 9))
        for seventh in 5...8 { #expect(!atp("1950-05-05", seventh: seventh), "7th digit \(seventh): born 2050") }
    }

    @Test func wageSubsidyMustTouch2010Through2016ByADay() {
        #expect(!atp("1950-05-05", seventh: 1, start: "2009-01-01", end: "2009-12-31"))
        #expect(atp("1950-05-05", seventh: 1, start: "2009-01-01", end: "2010-01-01"))
        #expect(atp("1950-05-05", seventh: 1, start: "2016-12-31", end: "2017-06-30"))
        #expect(!atp("1950-05-05", seventh: 1, start: "2017-01-01", end: "2017-06-30"))
        #expect(atp("1950-05-05", seventh: 1, start: "2005-01-01", end: "2020-12-31"))
        #expect(!atp("1950-05-05", seventh: 1, foranstalt: 110))  // not wage subsidy
    }

    /// §54 stk. 3: personal assistance goes to no one; the person's other measures still go.
    @Test func personalAssistanceGoesToNoOne() {
        let young = cpr("2010-03-03", seventh: 5), senior = cpr("1950-05-05", seventh: 1)
        for r in Recipient.allCases {
            #expect(!rule.includes(r, cpr: young, foranstalt: 175, start: day("2012-01-01"), end: day("2026-12-31"), batch: day("2026-11-27")))
            #expect(!rule.includes(r, cpr: senior, foranstalt: 175, start: day("2012-01-01"), end: day("2012-12-31"), batch: day("2026-11-27")))
        }
        #expect(rule.includes(.uvm, cpr: young, foranstalt: 110, start: day("2026-01-01"), end: day("2026-12-31"), batch: day("2026-11-27")))
        #expect(rule.includes(.dst, cpr: senior, foranstalt: 139, start: day("2012-01-01"), end: day("2012-12-31"), batch: day("2026-11-27")))
    }

    @Test func theCodesAreConfiguration() throws {
        var codes = DisclosureCodes()
        codes.wageSubsidy = [140]
        codes.personalAssistance = [110]
        let r = DisclosureRule(codes: codes)
        let senior = cpr("1950-05-05", seventh: 1)
        #expect(r.includes(.atpSkat, cpr: senior, foranstalt: 140, start: day("2012-01-01"), end: day("2012-12-31"), batch: day("2026-11-27")))
        #expect(!r.includes(.atpSkat, cpr: senior, foranstalt: 139, start: day("2012-01-01"), end: day("2012-12-31"), batch: day("2026-11-27")))
        #expect(!r.includes(.dst, cpr: senior, foranstalt: 110, start: day("2012-01-01"), end: day("2012-12-31"), batch: day("2026-11-27")))
        let config = try RunConfig(text: "disclose.wage_subsidy = 139, 140\ndisclose.personal_assistance = 175\ndisclose.after_run = uvm, atp-skat")
        #expect(config.disclosureCodes.wageSubsidy == [139, 140])
        #expect(config.discloseAfterRun == [.uvm, .atpSkat])
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "disclose.wage_subsidy = 9999") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "disclose.after_run = police") }
    }

    @Test func eachRecipientMayHaveItsOwnTarget() throws {
        let config = try RunConfig(text: "disclose.to.uvm = ftp://uvm.example.dk/ind/\ndisclose.to.atp-skat = ftps://atp.example.dk/")
        #expect(config.disclosureTargets == [.uvm: "ftp://uvm.example.dk/ind/", .atpSkat: "ftps://atp.example.dk/"])
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "disclose.to.police = ftp://x/") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "disclose.to.dst = /srv/out") }
    }
}

import AmforaTestSupport
import Testing
@testable import AmforaCore

@Suite struct CPRTests {
    /// Every cell of the century table in reference/facts.md.
    @Test(arguments: [
        ("0101000000", "1900-01-01"), ("0101360000", "1936-01-01"), ("0101370000", "1937-01-01"),
        ("0101570000", "1957-01-01"), ("0101580000", "1958-01-01"), ("0101993000", "1999-01-01"),
        ("0101004000", "2000-01-01"), ("0101364000", "2036-01-01"), ("0101374000", "1937-01-01"),
        ("0101579000", "1957-01-01"), ("0101589000", "1958-01-01"), ("0101999000", "1999-01-01"),
        ("0101005000", "2000-01-01"), ("0101368000", "2036-01-01"), ("0101375000", "2037-01-01"),
        ("0101578000", "2057-01-01"), ("0101585000", "1858-01-01"), ("0101998000", "1899-01-01"),
    ])
    func centuryRule(_ cpr: String, _ born: String) {
        #expect(CPR.birthDate(cpr) == Day(iso: born))
        #expect(CPR.birthDate(number: Int(cpr)!) == Day(iso: born))
    }

    @Test func rejectsImpossibleBirthDates() {
        #expect(CPR.birthDate("3102901234") == nil)
        #expect(CPR.birthDate("2902011234") == nil)   // 2001 is not a leap year (7th digit 1 → 1901, also not)
        #expect(CPR.birthDate("2902004234") != nil)   // 2000-02-29
        #expect(CPR.birthDate("0113901234") == nil)
        #expect(CPR.birthDate("01019O1234") == nil)
    }

    @Test func modulus11IsNotRequired() {
        // 0101901234: weights 4,3,2,7,6,5,4,3,2,1 give 2+9+2+63+... not divisible by 11; still valid.
        let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
        let digits = "0101901234".compactMap { $0.wholeNumberValue }
        #expect(zip(weights, digits).map(*).reduce(0, +) % 11 != 0)
        #expect(CPR.birthDate("0101901234") == Day(iso: "1990-01-01"))
    }

    @Test func masksToBirthDatePart() {
        #expect(CPR.mask("0101901234") == "010190-****")
        #expect(CPR.mask("  0101901234 ") == "010190-****")
        #expect(CPR.mask("U12345678") == "U12345-****")
        #expect(CPR.mask("ABC") == "ABC")
    }

    @Test func scrubsCPRLikeRunsInFreeText() {
        #expect(CPR.scrub("person 0101901234 and 020290-4321.") == "person 010190-**** and 020290-****.")
        #expect(CPR.scrub("CVR 13748136, Pnr 1017654321") == "CVR 13748136, Pnr 1017654321")  // month 17
        #expect(CPR.scrub("9999991234") == "9999991234")  // day 99 is no date
    }

    /// A CPR number inside a longer run of digits is masked too: a JobplanID `17098216317`, or a
    /// line shifted so that the number runs into the next field's digits.
    /// The shortcut for text without six digits in a row changes no answer.
    @Test func theShortcutMasksWhatTheFullScanMasks() {
        var g = SplitMix64(seed: 68)
        let alphabet = Array("0123456789012345678901234567890123456789--  aæ")
        for _ in 0..<5000 {
            let text = String((0..<Int.random(in: 0...28, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
            #expect(CPR.scrub(text) == CPR.scrubEveryRun(text), "\(text)")
        }
    }

    @Test func scrubsCPRNumbersInsideLongerDigitRuns() {
        #expect(CPR.scrub("JobplanID 17098216317") == "JobplanID 170982-*****")
        #expect(CPR.scrub("99917098216317x") == "999170982-*****x")     // the number starts inside the run
        #expect(CPR.scrub("Pnr 10123456789012") == "Pnr 101234-********")  // over-masking is the safe side
        #expect(CPR.scrub("12170982-16317") == "12170982-*****")
        #expect(CPR.scrub("1709821631170982-1234") == "170982-**********-1234")
        #expect(CPR.scrub("20261127 12:00, 8 digits 31129912") == "20261127 12:00, 8 digits 31129912")
    }
}

/// Scrubbing, checked by a detector written independently of it (`CPRLeaks`): in any text, after
/// scrubbing, no ten consecutive digits (nor six, a hyphen and four) start with a day and a month.
@Suite struct CPRScrubPropertyTests {
    static func leaks(_ text: String) -> [String] { CPRLeaks.find(in: text) }

    static func randomText(_ rng: inout SplitMix64) -> String {
        let pieces = ["a", " ", "-", ":", "Æ", "\"", "0", "5", "9", "1", "2", "12", "31", "0101901234", "020290-4321", "ø"]
        var s = ""
        for _ in 0..<Int.random(in: 1...40, using: &rng) {
            if Bool.random(using: &rng) {
                s += (0..<Int.random(in: 1...16, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            } else {
                s += pieces.randomElement(using: &rng)!
            }
        }
        return s
    }

    @Test func noCPRShapedNumberSurvivesScrubbing() {
        var rng = SplitMix64(seed: 52)
        for _ in 0..<20_000 {
            let text = Self.randomText(&rng)
            let scrubbed = CPR.scrub(text)
            #expect(Self.leaks(scrubbed).isEmpty, "\(Self.leaks(scrubbed)) left in a scrubbed text")
            #expect(CPR.scrub(scrubbed) == scrubbed, "scrubbing twice changes the text")
            // Only digits change: the text around a number stays as it was.
            #expect(scrubbed.filter { !$0.isNumber && $0 != "*" && $0 != "-" } == text.filter { !$0.isNumber && $0 != "-" })
        }
    }

    @Test func theDetectorFindsWhatScrubbingRemoves() {
        #expect(Self.leaks("x 0101901234 y") == ["0101901234"])
        #expect(Self.leaks("17098216317").count == 1)
        #expect(Self.leaks("020290-4321") == ["020290-4321"])
        #expect(Self.leaks("010190-****").isEmpty)
    }
}

@Suite struct CVRTests {
    @Test func modulus11() {
        #expect(CVR.isValid("13748136"))          // the reference example
        #expect(!CVR.isValid("13748137"))
        #expect(!CVR.isValid("1374813"))
        #expect(!CVR.isValid("1374813X"))
        // Every single-digit change of a valid number breaks the check: the weights are all < 11.
        let valid = Array("13748136")
        for i in 0..<8 {
            for d in 0...9 where String(d) != String(valid[i]) {
                var v = valid
                v[i] = Character(String(d))
                #expect(!CVR.isValid(String(v)), "\(String(v))")
            }
        }
    }
}

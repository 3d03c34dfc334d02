import Testing
@testable import AmforaCore

@Suite struct DeliveryDateTests {
    /// Every form flat-files.md accepts, left- and right-aligned in a 10-character field.
    @Test(arguments: [
        "16-03-2008", "16/03/2008", "16.03.2008", "16032008", "16-03-08", "16/03/08", "16.03.08", "160308", "2008-03-16",
        "16 03 2008", "16 03 08",
    ])
    func acceptsEveryForm(_ text: String) {
        let expected = Day(iso: "2008-03-16")!
        #expect(DeliveryDate.parse(text) == .success(expected))
        let padded = String(repeating: " ", count: 10 - text.count)
        #expect(DeliveryDate.parse(text + padded) == .success(expected))
        #expect(DeliveryDate.parse(padded + text) == .success(expected))
    }

    @Test func twoDigitYearsAre2000To2099() {
        #expect(DeliveryDate.parse("010199") == .success(Day(iso: "2099-01-01")!))
        #expect(DeliveryDate.parse("01-01-00") == .success(Day(iso: "2000-01-01")!))
    }

    @Test(arguments: ["31-02-2024", "29-02-2023", "31-04-2024", "00-01-2024", "15-13-2024", "2024-02-30", "310224"])
    func rejectsImpossibleDates(_ text: String) {
        #expect(DeliveryDate.parse(text) == .failure(.impossible))
    }

    @Test func rejectsDatesOutsideTheRange() {
        #expect(DeliveryDate.parse("31-12-1989") == .failure(.outOfRange(Day(iso: "1989-12-31")!)))
        #expect(DeliveryDate.parse("01-01-2101") == .failure(.outOfRange(Day(iso: "2101-01-01")!)))
        #expect(DeliveryDate.parse("01-01-1990") == .success(Day(iso: "1990-01-01")!))
        #expect(DeliveryDate.parse("31-12-2100") == .success(Day(iso: "2100-12-31")!))
    }

    @Test(arguments: ["16-03/2008", "16 03-2008", "2008/03/16", "1603200", "16-3-2008", "abcdefgh", "16-03-2008x", "", "   ", "2008-0316"])
    func rejectsUnrecognisedText(_ text: String) {
        #expect(DeliveryDate.parse(text) == .failure(.unrecognised))
    }
}

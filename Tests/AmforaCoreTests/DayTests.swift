import Testing
@testable import AmforaCore

@Suite struct DayTests {
    @Test func roundTripsEveryDayOverTwoCenturies() {
        var d = Day(year: 1900, month: 1, day: 1)!
        let end = Day(year: 2101, month: 1, day: 1)!
        var count = 0
        while d < end {
            let (y, m, dd) = d.components
            #expect(Day(year: y, month: m, day: dd) == d)
            d = d + 1
            count += 1
        }
        #expect(count == 201 * 365 + 49)  // 49 leap days 1900–2100 (1900 and 2100 are not leap years)
    }

    @Test func rejectsImpossibleDates() {
        #expect(Day(year: 2024, month: 2, day: 30) == nil)
        #expect(Day(year: 2023, month: 2, day: 29) == nil)
        #expect(Day(year: 2024, month: 2, day: 29) != nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2024, month: 13, day: 1) == nil)
        #expect(Day(year: 2024, month: 4, day: 31) == nil)
        #expect(Day(year: 2024, month: 0, day: 1) == nil)
    }

    @Test func isoWeeksAtYearBoundaries() {
        #expect(Day(iso: "2024-01-15")!.isoWeek == "2024-W03")
        #expect(Day(iso: "2024-03-04")!.isoWeek == "2024-W10")
        #expect(Day(iso: "2020-12-31")!.isoWeek == "2020-W53")
        #expect(Day(iso: "2021-01-03")!.isoWeek == "2020-W53")
        #expect(Day(iso: "2021-01-04")!.isoWeek == "2021-W01")
        #expect(Day(iso: "2024-12-30")!.isoWeek == "2025-W01")
        #expect(Day(iso: "2024-03-04")!.isoWeekday == 1)
        #expect(Day(iso: "2024-03-10")!.isoWeekday == 7)
        #expect(Day(iso: "2024-03-07")!.weekStart == Day(iso: "2024-03-04"))
    }

    @Test func ageCountsWholeYears() {
        let born = Day(iso: "2008-03-15")!
        #expect(born.age(on: Day(iso: "2023-03-14")!) == 14)
        #expect(born.age(on: Day(iso: "2023-03-15")!) == 15)
        #expect(born.age(on: Day(iso: "2026-03-14")!) == 17)
        #expect(born.age(on: Day(iso: "2026-03-15")!) == 18)
    }
}

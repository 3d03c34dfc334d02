@testable import AmforaCore
import AmforaTestSupport
import Testing

/// The pure parts of the week index: the level a stretch is filed under, which stretches share a
/// week, and the week figures' corrections.
@Suite struct WeekStatsTests {
    func day(_ iso: String) -> Day { Day(iso: iso)! }

    /// A stretch of level L is at most 2^L days, so a week's query range per level holds it.
    @Test func aStretchIsFiledUnderTheSmallestLevelThatHoldsIt() {
        let d = day("2024-01-01")
        #expect(IntervalLevel.of(d, d) == 0)
        #expect(IntervalLevel.of(d, d + 1) == 1)
        #expect(IntervalLevel.of(d, d + 2) == 2)
        #expect(IntervalLevel.of(d, d + 3) == 2)
        #expect(IntervalLevel.of(d, d + 4) == 3)
        #expect(IntervalLevel.of(day("1989-01-02"), day("2101-12-31")) < IntervalLevel.count)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<1000 {
            let n = Int.random(in: 0...40_000, using: &rng), l = IntervalLevel.of(d, d + n)
            #expect(1 << l >= n + 1 && (l == 0 || 1 << (l - 1) < n + 1))
        }
    }

    /// A stretch is marked together exactly when another of the person's touches one of its
    /// ISO weeks: against the weeks of each pair, on random persons.
    @Test func aStretchIsTogetherExactlyWhenItSharesAWeek() {
        var g = SplitMix64(seed: 21)
        let base = day("2024-01-01")
        for _ in 0..<500 {
            let list = (0..<Int.random(in: 0...6, using: &g)).map { i -> MeasureStretch in
                let s = base + Int.random(in: 0...60, using: &g)
                return stretch(Int64(i), s.iso, (s + Int.random(in: 0...20, using: &g)).iso)
            }
            let marked = MeasureStretch.markingTogether(list)
            #expect(marked.map { var m = $0; m.together = false; return m } == list)
            func weeks(_ m: MeasureStretch) -> ClosedRange<Int32> { m.start.weekStart.ordinal...m.end.weekStart.ordinal }
            for (i, m) in marked.enumerated() {
                let shares = marked.indices.contains { $0 != i && weeks(marked[$0]).overlaps(weeks(m)) }
                #expect(m.together == shares)
            }
        }
    }

    func stretch(_ v: Int64, _ s: String, _ e: String, hours: Int = 10, rate: Double? = nil, komnr: Int = 101) -> MeasureStretch {
        MeasureStretch(versionID: v, activityID: v, person: 1, komnr: komnr, foranstalt: 110, start: day(s), end: day(e), hours: hours, rate: rate)
    }

    @Test func aMeasureCountsItsDaysInEachWeekItTouches() {
        var d = WeekStatsDelta()
        // Wednesday 2024-01-03 to Tuesday 2024-01-16: 5 days, 7 days, 2 days.
        d.add(person: [stretch(1, "2024-01-03", "2024-01-16", rate: 5)], sign: 1)
        let c = d.changes()
        #expect(c.map { WeekCalendar.monday(of: $0.week).iso } == ["2024-01-01", "2024-01-08", "2024-01-15"])
        #expect(c.map(\.hourDays) == [50, 70, 20])
        #expect(c.map(\.microHourDays) == [25_000_000, 35_000_000, 10_000_000])
        #expect(c.map(\.persons) == [1, 1, 1] && c.map(\.measures) == [1, 1, 1])
    }

    /// A person with two measures in one week and group counts once; two measures, twice.
    @Test func aPersonCountsOncePerWeekAndGroup() {
        var d = WeekStatsDelta()
        d.add(person: [stretch(1, "2024-01-01", "2024-01-03"), stretch(2, "2024-01-05", "2024-01-09"),
                       stretch(2, "2024-01-10", "2024-01-12", rate: 4)], sign: 1)
        let c = d.changes()
        #expect(c.map(\.persons) == [1, 1])
        #expect(c.map(\.measures) == [2, 1])
    }

    /// What is added and subtracted again cancels exactly: no week is left with a change.
    @Test func subtractingWhatWasAddedLeavesNothing() {
        var rng = SplitMix64(seed: 5)
        var d = WeekStatsDelta()
        var all: [[MeasureStretch]] = []
        for p in 0..<200 {
            let person = (0..<Int.random(in: 1...4, using: &rng)).map { i -> MeasureStretch in
                let s = day("2020-01-01") + Int.random(in: 0...900, using: &rng)
                return MeasureStretch(versionID: Int64(p * 10 + i), activityID: 0, person: Int64(p), komnr: 101 + i % 2,
                                      foranstalt: i == 3 ? nil : 110, start: s, end: s + Int.random(in: 0...400, using: &rng),
                                      hours: Int.random(in: 0...40, using: &rng), rate: Bool.random(using: &rng) ? nil : Double.random(in: 0...37, using: &rng))
            }
            all.append(person)
            d.add(person: person, sign: 1)
        }
        #expect(!d.changes().isEmpty)
        for p in all.shuffled(using: &rng) { d.add(person: p, sign: -1) }
        #expect(d.changes().isEmpty)
    }
}

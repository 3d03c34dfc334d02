import Testing
@testable import AmforaCore
import AmforaTestSupport

/// The worked examples of writedown.md, to the second decimal.
@Suite struct WriteDownExampleTests {
    func m(_ id: Int, _ s: String, _ e: String, _ h: Int) -> WriteDown.Measure {
        WriteDown.Measure(id: id, start: Day(iso: s)!, end: Day(iso: e)!, hours: h)
    }

    func weekHours(_ results: [WriteDown.Result], _ week: String) -> Double {
        results.flatMap(\.segments).flatMap { $0.weeklyHours() }.filter { $0.weekStart.isoWeek == week }.reduce(0) { $0 + $1.hours }
    }

    @Test func exampleA_twoOverlappingMeasures() {
        let r = WriteDown.person([m(1, "2024-01-01", "2024-01-28", 30), m(2, "2024-01-15", "2024-02-11", 20)])
        #expect(r[0].segments.map(\.rate).map { ($0 * 100).rounded() / 100 } == [30, 22.2])
        #expect(r[1].segments.map(\.rate).map { ($0 * 100).rounded() / 100 } == [14.8, 20])
        #expect(abs(r[0].averageHours - 26.1) < 0.005)
        #expect(abs(r[1].averageHours - 17.4) < 0.005)
        #expect(abs(weekHours(r, "2024-W03") - 37.0) < 1e-9)
    }

    @Test func exampleB_backToBackInsideOneWeekIsNoOverlap() {
        let r = WriteDown.person([m(1, "2024-03-04", "2024-03-05", 37), m(2, "2024-03-06", "2024-03-31", 37)])
        #expect(r.allSatisfy { !$0.isWrittenDown })
        #expect(r.map(\.averageHours) == [37, 37])
        let w10 = r.map { res in res.segments.flatMap { $0.weeklyHours() }.filter { $0.weekStart.isoWeek == "2024-W10" }.reduce(0) { $0 + $1.hours } }
        #expect(abs(w10[0] - 10.571) < 0.0005)
        #expect(abs(w10[1] - 26.429) < 0.0005)
        #expect(abs(w10[0] + w10[1] - 37) < 1e-9)
    }

    @Test func exampleC_threeAtOnce() {
        let r = WriteDown.person([m(1, "2024-05-01", "2024-05-31", 20), m(2, "2024-05-01", "2024-05-31", 20),
                                  m(3, "2024-05-01", "2024-05-31", 10)])
        #expect(r.map { ($0.averageHours * 100).rounded() / 100 } == [14.8, 14.8, 7.4])
    }

    @Test func exampleD_reportedByTwoMunicipalities() {
        // The write-down knows nothing of municipalities: København's and Frederiksberg's
        // measures of one person are simply that person's measures.
        let r = WriteDown.person([m(101, "2024-06-01", "2024-06-30", 37), m(147, "2024-06-01", "2024-06-30", 37)])
        #expect(r.map(\.averageHours) == [18.5, 18.5])
    }
}

/// The invariants of writedown.md over thousands of random people, against a day-by-day oracle.
@Suite struct WriteDownPropertyTests {
    static let origin = Day(iso: "2024-01-01")!

    static func randomPerson(_ rng: inout SplitMix64) -> [WriteDown.Measure] {
        (0..<Int.random(in: 1...7, using: &rng)).map { id in
            let s = Int.random(in: 0...90, using: &rng)
            let len = Int.random(in: 0...60, using: &rng)
            let hours = [5, 10, 15, 20, 25, 30, 37, 40, 45, 1, 2, 36].randomElement(using: &rng)!
            return WriteDown.Measure(id: id, start: origin + s, end: origin + (s + len), hours: hours)
        }
    }

    /// Scaled rate of each measure on day d, read from its segments.
    static func rate(_ r: WriteDown.Result, on d: Day) -> Double? {
        r.segments.first { $0.start <= d && d <= $0.end }?.rate
    }

    @Test func invariantsHoldForThousandsOfPeople() {
        var rng = SplitMix64(seed: 0xA3F0_2011)
        for _ in 0..<2000 {
            let person = Self.randomPerson(&rng)
            let results = WriteDown.person(person)
            #expect(results.map(\.id) == person.map(\.id))
            for (m, r) in zip(person, results) {
                // Segments tile the measure's period exactly.
                #expect(r.segments.first?.start == m.start && r.segments.last?.end == m.end)
                for (a, b) in zip(r.segments, r.segments.dropFirst()) { #expect(a.end + 1 == b.start) }
            }
            // Checked with plain conditions (millions of them); only a violation is recorded.
            for d in 0...151 {
                let day = Self.origin + d
                let active = zip(person, results).filter { $0.0.start <= day && day <= $0.0.end }
                let total = active.reduce(0) { $0 + $1.0.hours }
                let scaled = active.map { Self.rate($0.1, on: day)! }
                if scaled.reduce(0, +) > 37 + 1e-9 { Issue.record("Σ > 37 on \(day) for \(person)") }
                for ((m, _), s) in zip(active, scaled) {
                    if s > Double(m.hours) + 1e-12 { Issue.record("scaled above reported on \(day): \(person)") }
                    if total <= 37, s != Double(m.hours) { Issue.record("changed within the cap on \(day): \(person)") }
                    if total > 37, abs(s - Double(m.hours) * 37 / Double(total)) > 1e-9 {
                        Issue.record("not proportional on \(day): \(person)")
                    }
                }
            }
            // The average is the mean of the day rates.
            for (m, r) in zip(person, results) {
                let mean = (0..<m.days).map { Self.rate(r, on: m.start + $0)! }.reduce(0, +) / Double(m.days)
                if abs(mean - r.averageHours) > 1e-9 { Issue.record("average \(r.averageHours) ≠ mean \(mean): \(person)") }
            }
        }
    }

    @Test func independentOfOrder() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let person = Self.randomPerson(&rng)
            let byID = Dictionary(uniqueKeysWithValues: WriteDown.person(person).map { ($0.id, $0) })
            let shuffled = Dictionary(uniqueKeysWithValues: WriteDown.person(person.shuffled(using: &rng)).map { ($0.id, $0) })
            #expect(byID == shuffled)
        }
    }

    @Test func noOverlapAndRatesWithinTheCapChangeNothing() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<1000 {
            var day = Self.origin
            let person = (0..<Int.random(in: 1...6, using: &rng)).map { id -> WriteDown.Measure in
                let len = Int.random(in: 0...30, using: &rng)
                defer { day = day + (len + 1 + Int.random(in: 0...5, using: &rng)) }
                return WriteDown.Measure(id: id, start: day, end: day + len, hours: Int.random(in: 1...37, using: &rng))
            }
            for (m, r) in zip(person, WriteDown.person(person)) {
                #expect(r.segments == [WriteDown.Segment(start: m.start, end: m.end, rate: Double(m.hours))])
                #expect(r.averageHours == Double(m.hours))
            }
        }
    }

    @Test func aSingleMeasureAbove37IsWrittenDownTo37() {
        for h in 38...99 {
            let r = WriteDown.person([WriteDown.Measure(id: 1, start: Self.origin, end: Self.origin + 10, hours: h)])
            #expect(abs(r[0].averageHours - 37) < 1e-12)
        }
    }
}

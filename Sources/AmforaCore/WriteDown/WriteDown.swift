/// The 37-hour proportional write-down (guideline 52.1 item 6, 46.1 item 8; spec writedown.md):
/// where one person's measures overlap and together exceed 37 hours a week, every measure's
/// hours on those days are scaled by 37 / total. Judged day by day, across all municipalities.
///
/// Computed per person by a sweep over the sorted start/end boundaries, never by expanding days:
/// between two boundaries the set of active measures, and so the factor, is constant.
public enum WriteDown {
    /// Hours a week above which overlapping measures are scaled down.
    public static let weeklyCap = 37

    /// One measure of a person: `hours` a week on every day from `start` to `end`, inclusive.
    public struct Measure: Sendable, Equatable {
        public let id: Int
        public let start: Day
        public let end: Day
        public let hours: Int

        public init(id: Int, start: Day, end: Day, hours: Int) {
            self.id = id
            self.start = start
            self.end = end
            self.hours = hours
        }

        public var days: Int { end - start + 1 }
    }

    /// A stretch of days (inclusive) on which a measure's rate is constant.
    public struct Segment: Sendable, Equatable {
        public let start: Day
        public let end: Day
        /// Hours a week after the write-down.
        public let rate: Double

        public var days: Int { end - start + 1 }
    }

    /// A measure after the write-down.
    public struct Result: Sendable, Equatable {
        public let id: Int
        /// The mean of its (scaled) weekly rate over its days.
        public let averageHours: Double
        /// Consecutive segments covering the measure's whole period; one when nothing changed.
        public let segments: [Segment]

        public var isWrittenDown: Bool { segments.contains { $0.rate < Double(hoursBefore) } }
        let hoursBefore: Int
    }

    /// Days on which a person's total exceeds the cap, with the factor for those days.
    struct Overload {
        let start: Day
        let end: Day
        let factor: Double
    }

    /// Writes down one person's measures (any order, any municipality). Measures whose end is
    /// before their start take no part (validation quarantines them).
    public static func person(_ measures: [Measure]) -> [Result] {
        let overloads = overloadedStretches(measures)
        return measures.map { apply(overloads, to: $0) }
    }

    /// The sweep: boundaries sorted, a running total, a stretch wherever the total exceeds the cap.
    static func overloadedStretches(_ measures: [Measure]) -> [Overload] {
        var events: [(day: Int32, delta: Int)] = []
        events.reserveCapacity(measures.count * 2)
        for m in measures where m.end >= m.start {
            events.append((m.start.ordinal, m.hours))
            events.append((m.end.ordinal + 1, -m.hours))
        }
        events.sort { $0.day < $1.day }
        var out: [Overload] = []
        var total = 0
        var i = 0
        while i < events.count {
            let day = events[i].day
            while i < events.count, events[i].day == day {
                total += events[i].delta
                i += 1
            }
            guard total > weeklyCap, i < events.count else { continue }
            // Constant until the next boundary.
            out.append(Overload(start: Day(ordinal: day), end: Day(ordinal: events[i].day - 1),
                                factor: Double(weeklyCap) / Double(total)))
        }
        return out
    }

    /// The measure's rate across its period: full where no overload touches it, scaled inside one.
    static func apply(_ overloads: [Overload], to m: Measure) -> Result {
        let rate = Double(m.hours)
        guard m.end >= m.start else { return Result(id: m.id, averageHours: rate, segments: [], hoursBefore: m.hours) }
        var segments: [Segment] = []
        func add(_ s: Day, _ e: Day, _ r: Double) {
            if let last = segments.last, last.rate == r, last.end + 1 == s {
                segments[segments.count - 1] = Segment(start: last.start, end: e, rate: r)
            } else {
                segments.append(Segment(start: s, end: e, rate: r))
            }
        }
        var cursor = m.start
        var k = firstOverload(endingOnOrAfter: m.start, in: overloads)
        while k < overloads.count, overloads[k].start <= m.end {
            let o = overloads[k]
            let s = max(o.start, m.start), e = min(o.end, m.end)
            if cursor < s { add(cursor, s + (-1), rate) }
            add(s, e, rate * o.factor)
            cursor = e + 1
            k += 1
        }
        if cursor <= m.end { add(cursor, m.end, rate) }
        let weighted = segments.reduce(0.0) { $0 + $1.rate * Double($1.days) }
        return Result(id: m.id, averageHours: weighted / Double(m.days), segments: segments, hoursBefore: m.hours)
    }

    /// Binary search: overloads are sorted and disjoint.
    static func firstOverload(endingOnOrAfter day: Day, in overloads: [Overload]) -> Int {
        var lo = 0, hi = overloads.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if overloads[mid].end < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension WriteDown.Segment {
    /// Hours in each ISO week the segment touches: the day rates of its days in that week / 7.
    public func weeklyHours() -> [(weekStart: Day, hours: Double)] {
        var out: [(Day, Double)] = []
        var d = start
        while d <= end {
            let monday = d.weekStart
            let last = min(end, monday + 6)
            out.append((monday, rate * Double(last - d + 1) / 7))
            d = last + 1
        }
        return out
    }
}

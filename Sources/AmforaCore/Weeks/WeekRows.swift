/// What the week views read (`v_activity_week`, `v_person_week`, `v_week_stats`): each current
/// measure's stretches at one rate after the write-down, and each person's stretches at one
/// total. Both are written by the write-down stage for exactly the persons it recomputes, so the
/// week questions never expand measures into weeks at query time.

/// One stretch of one measure at one rate (the whole measure when the write-down left it alone).
public struct MeasureStretch: Hashable, Sendable {
    public let versionID: Int64
    public let activityID: Int64
    public let person: Int64
    public let komnr: Int
    /// Nil when the field holds no code (a value kept with a warning as delivered).
    public let foranstalt: Int?
    public let start: Day
    public let end: Day
    /// The measure's reported hours a week.
    public let hours: Int
    /// Hours a week after the write-down on these days; nil where it is `hours`.
    public let rate: Double?

    public init(versionID: Int64, activityID: Int64, person: Int64, komnr: Int, foranstalt: Int?,
                start: Day, end: Day, hours: Int, rate: Double?) {
        self.versionID = versionID
        self.activityID = activityID
        self.person = person
        self.komnr = komnr
        self.foranstalt = foranstalt
        self.start = start
        self.end = end
        self.hours = hours
        self.rate = rate
    }

    public var rateAfterWriteDown: Double { rate ?? Double(hours) }
}

/// One stretch of a person's days with the same total of reported hours a week across all
/// their measures; after the write-down the total is at most 37 (`WriteDown.weeklyCap`).
public struct PersonStretch: Hashable, Sendable {
    public let person: Int64
    public let start: Day
    public let end: Day
    public let hours: Int

    public init(person: Int64, start: Day, end: Day, hours: Int) {
        self.person = person
        self.start = start
        self.end = end
        self.hours = hours
    }
}

/// The interval index behind the week views: a stretch is filed under the smallest level L with
/// 2^L days ≥ its length, then by its start. A stretch of level L that touches a week starting
/// on day w must start in (w − 2^L, w + 6], so a week is found by one range of starts per level
/// (17 levels cover 179 years) — ordinary B-tree ranges, no expansion into weeks.
public enum IntervalLevel {
    public static let count = 17

    public static func of(_ start: Day, _ end: Day) -> Int {
        // The smallest L with 2^L ≥ days: the bit length of days − 1 (a loop here was 2 % of a
        // weekly write-down).
        let days = max(1, end - start + 1)
        return Int.bitWidth - (days - 1).leadingZeroBitCount
    }
}

extension WriteDown {
    /// The person's stretches of constant total hours a week (where at least one measure runs),
    /// with adjacent stretches of the same total merged: the person-week view's rows.
    public static func stretches(of person: Int64, _ measures: [Measure]) -> [PersonStretch] {
        var events: [(day: Int32, hours: Int, count: Int)] = []
        events.reserveCapacity(measures.count * 2)
        for m in measures where m.end >= m.start {
            events.append((m.start.ordinal, m.hours, 1))
            events.append((m.end.ordinal + 1, -m.hours, -1))
        }
        events.sort { $0.day < $1.day }
        var out: [PersonStretch] = []
        var total = 0, running = 0, i = 0
        while i < events.count {
            let day = events[i].day
            while i < events.count, events[i].day == day {
                total += events[i].hours
                running += events[i].count
                i += 1
            }
            guard running > 0, i < events.count else { continue }
            let s = Day(ordinal: day), e = Day(ordinal: events[i].day - 1)
            if let last = out.last, last.hours == total, last.end + 1 == s {
                out[out.count - 1] = PersonStretch(person: person, start: last.start, end: e, hours: total)
            } else {
                out.append(PersonStretch(person: person, start: s, end: e, hours: total))
            }
        }
        return out
    }
}

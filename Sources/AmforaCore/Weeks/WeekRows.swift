/// What the week views read (`v_activity_week`, `v_person_week`, `v_week_stats`): each current
/// measure's stretches at one rate after the write-down, written by the write-down stage for
/// exactly the persons it recomputes, so the week questions never expand measures into weeks at
/// query time. A stretch that shares none of its ISO weeks with another of its person's (not
/// `together`) is a person-week row and a measure-week row by itself; only the others are
/// grouped when a week is asked for.

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
    /// Whether another of the person's stretches touches one of this one's ISO weeks
    /// (`MeasureStretch.markingTogether`).
    public var together: Bool

    public init(versionID: Int64, activityID: Int64, person: Int64, komnr: Int, foranstalt: Int?,
                start: Day, end: Day, hours: Int, rate: Double?, together: Bool = false) {
        self.versionID = versionID
        self.activityID = activityID
        self.person = person
        self.komnr = komnr
        self.foranstalt = foranstalt
        self.start = start
        self.end = end
        self.hours = hours
        self.rate = rate
        self.together = together
    }

    public var rateAfterWriteDown: Double { rate ?? Double(hours) }

    /// One person's stretches (in any order), each marked whether it shares an ISO week with
    /// another of them: sorted by first week, a stretch is alone when the weeks before it end
    /// before its first and the next one starts after its last.
    public static func markingTogether(_ stretches: [MeasureStretch]) -> [MeasureStretch] {
        var out = stretches
        let order = out.indices.sorted { out[$0].start < out[$1].start }
        var lastWeekBefore = Int32.min
        for (k, i) in order.enumerated() {
            let first = out[i].start.weekStart.ordinal, last = out[i].end.weekStart.ordinal
            let nextFirst = k + 1 < order.count ? out[order[k + 1]].start.weekStart.ordinal : Int32.max
            out[i].together = first <= lastWeekBefore || nextFirst <= last
            lastWeekBefore = max(lastWeekBefore, last)
        }
        return out
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

    /// Added to the level of a stretch that shares a week with another of its person's, so that
    /// the two kinds lie apart in the index and a week's query still joins on the level alone
    /// (a constant leading column let SQLite's planner pick a scan of the whole kind).
    public static let together = 32

    /// The level a stretch is filed under in `week_segment`.
    public static func filed(_ s: MeasureStretch) -> Int { of(s.start, s.end) + (s.together ? together : 0) }
}

/// The ISO weeks the warehouse knows (its `iso_week` table): Mondays from 1989-01-02 up to
/// 2101. A week is numbered from the Monday 1970-01-05 (day 4), so week k starts on day 4 + 7k.
public struct WeekCalendar: Sendable, Equatable {
    public let first: Int
    public let last: Int

    public static let warehouse = WeekCalendar(first: Day(year: 1989, month: 1, day: 2)!, until: Day(year: 2102, month: 1, day: 1)!)

    public init(first monday: Day, until end: Day) {
        first = WeekCalendar.week(of: monday)
        last = WeekCalendar.week(of: end + (-1))
    }

    public static func week(of day: Day) -> Int { (Int(day.weekStart.ordinal) - 4) / 7 }
    public static func monday(of week: Int) -> Day { Day(ordinal: Int32(4 + 7 * week)) }

    public var mondays: [Day] { (first...last).map(WeekCalendar.monday(of:)) }
}

public import Foundation

/// The Friday deadline: deliveries and the batch are due "hver fredag senest kl. 06.00"
/// (guideline 54.2), Danish time, whatever the season.
public enum Deadline {
    public static let timeZone = TimeZone(identifier: "Europe/Copenhagen")!

    static var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// 06:00 Europe/Copenhagen on the batch date (CET in winter, CEST in summer).
    public static func due(for batch: Day) -> Date {
        let (y, m, d) = batch.components
        return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: 6))!
    }

    /// The batch a run at `now` is for: the coming Friday, or today if today is Friday.
    public static func defaultBatch(now: Date = Date()) -> Day {
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let today = Day(year: c.year!, month: c.month!, day: c.day!)!
        let friday = 5
        return today + ((friday - today.isoWeekday + 7) % 7)
    }

    /// Seconds left until the deadline (negative once it has passed).
    public static func margin(for batch: Day, at now: Date = Date()) -> TimeInterval {
        due(for: batch).timeIntervalSince(now)
    }
}

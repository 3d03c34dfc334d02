public import Foundation

/// Timestamps as the warehouse and reports write them: ISO 8601 with the UTC offset.
public enum Timestamp {
    public static func now() -> String { string(RunClock.now()) }

    /// The moment a timestamp of ours names (nil for anything else).
    public static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    public static func string(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "Europe/Copenhagen")!) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = timeZone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

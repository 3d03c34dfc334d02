public import Foundation

/// Which batch a command speaks of. Only `run` and `fetch` start a batch, so only they default
/// to the coming Friday; the others speak of a batch that exists and default to the last one run
/// (a rerun on a Tuesday must not create next Friday's batch).
public enum BatchDate {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// An explicit `--batch-date`: a Friday, and not after the coming one.
    public static func parse(_ text: String, now: Date = Date()) throws -> Day {
        guard let day = Day(iso: text) else { throw Refused(description: "--batch-date must be yyyy-mm-dd, got \(text)") }
        guard day.isoWeekday == 5 else {
            throw Refused(description: "--batch-date \(text) is a \(weekday(day)), not a Friday: batches are Fridays")
        }
        let coming = Deadline.defaultBatch(now: now)
        guard day <= coming else {
            throw Refused(description: "--batch-date \(text) lies after the coming Friday (\(coming.iso)): that batch cannot have arrived yet")
        }
        return day
    }

    /// For `run` and `fetch`: the explicit date, else the coming Friday (today if Friday).
    public static func forNewBatch(_ text: String?, now: Date = Date()) throws -> Day {
        try text.map { try parse($0, now: now) } ?? Deadline.defaultBatch(now: now)
    }

    /// For the commands that speak of an existing batch: the explicit date, else the one given
    /// (the last run, or a delivery file's own date).
    public static func forExistingBatch(_ text: String?, otherwise fallback: Day?, now: Date = Date()) throws -> Day {
        if let text { return try parse(text, now: now) }
        guard let fallback else {
            throw Refused(description: "no batch has run in this warehouse yet; give --batch-date or run `amfora run` first")
        }
        return fallback
    }

    static func weekday(_ d: Day) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][d.isoWeekday - 1]
    }
}

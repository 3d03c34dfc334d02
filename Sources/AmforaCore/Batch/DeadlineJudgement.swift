public import Foundation

/// The 06:00 deadline, judged once for a batch: by when its expected deliveries were all in, or,
/// when some never came, at the first pass after 06:00. A later pass never changes it, so a
/// catch-up pass cannot turn an on-time batch into a miss.
public enum DeadlineJudgement: Sendable, Equatable {
    /// Deliveries are still expected and 06:00 has not passed: judged by a later pass.
    case open(secondsLeft: Double)
    /// Every expected delivery was in this many seconds before 06:00 (negative: after it).
    case complete(margin: Double)
    /// At the first pass after 06:00 expected deliveries were still not in.
    case incomplete(judgedSecondsAfter: Double)
    /// A run of an old batch, started more than a day after its deadline: no deadline is judged.
    case replay

    /// A run that starts this long after the deadline replays an old batch.
    public static let replayAfter: TimeInterval = 86_400

    /// The judgement after a pass that ended at `now`, given the one stored before (if any).
    public static func judge(stored: DeadlineJudgement?, due: Date, passStarted: Date, now: Date,
                             complete: Bool) -> DeadlineJudgement {
        if let stored, stored.isFinal { return stored }
        if passStarted.timeIntervalSince(due) > replayAfter { return .replay }
        if complete { return .complete(margin: due.timeIntervalSince(now)) }
        if now >= due { return .incomplete(judgedSecondsAfter: now.timeIntervalSince(due)) }
        return .open(secondsLeft: due.timeIntervalSince(now))
    }

    /// A miss of the job's own: everything came, but only after 06:00. A batch incomplete at
    /// 06:00 needs a person for what it lacks, which the policy names delivery by delivery.
    public var isLateCompletion: Bool {
        if case .complete(let m) = self { return m < 0 }
        return false
    }

    public var isFinal: Bool {
        if case .open = self { return false }
        return true
    }

    /// The batch was complete only after 06:00, or not at all (the report's "for sent").
    public var isMissed: Bool {
        switch self {
        case .complete(let m): m < 0
        case .incomplete: true
        case .open, .replay: false
        }
    }

    /// `1 h 12 min`, `45 min`: a duration as the run summary, `status`, JSON and the report say it.
    public static func duration(_ seconds: Double) -> String {
        let minutes = Int((abs(seconds) / 60).rounded())
        return minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
    }

    /// In the operator's words (English).
    public var text: String {
        switch self {
        case .open(let left): "not judged yet: \(Self.duration(left)) left to 06:00"
        case .complete(let m) where m >= 0: "on time: complete \(Self.duration(m)) before 06:00"
        case .complete(let m): "DEADLINE MISSED: complete \(Self.duration(m)) after 06:00"
        case .incomplete: "not complete at 06:00: expected deliveries were still not in"
        case .replay: "a replay of an old batch: no deadline judged"
        }
    }

    /// As the warehouse's `run` row keeps it: the kind and the margin in seconds.
    public var stored: (kind: String, seconds: Double?) {
        switch self {
        case .open(let s): ("open", s)
        case .complete(let m): ("complete", m)
        case .incomplete(let s): ("incomplete", -s)
        case .replay: ("replay", nil)
        }
    }

    public init?(kind: String?, seconds: Double?) {
        switch kind {
        case "complete": self = .complete(margin: seconds ?? 0)
        case "incomplete": self = .incomplete(judgedSecondsAfter: -(seconds ?? 0))
        case "replay": self = .replay
        case "open": self = .open(secondsLeft: seconds ?? 0)
        default: return nil
        }
    }

    /// Seconds before 06:00 (negative after), where there is a margin to speak of.
    public var marginSeconds: Double? {
        switch self {
        case .open(let s): s
        case .complete(let m): m
        case .incomplete(let s): -s
        case .replay: nil
        }
    }
}

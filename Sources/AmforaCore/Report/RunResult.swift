/// What a weekly run did, stage by stage and delivery by delivery: what the summary, the
/// report and the exit code are made from.

/// One delivery's fate in this run.
public struct DeliveryStatus: Sendable {
    public let komnr: Int
    public let kind: RecordKind
    public let status: String          // loaded, unchanged (already loaded), stale, missing, failed
    public let file: String?
    public let records: Int
    public let rejected: Int
    public let warnings: Int
    public let inserted: Int
    public let removed: Int
    public let message: String?

    public init(komnr: Int, kind: RecordKind, status: String, file: String?, records: Int, rejected: Int,
                warnings: Int, inserted: Int, removed: Int, message: String?) {
        self.komnr = komnr
        self.kind = kind
        self.status = status
        self.file = file
        self.records = records
        self.rejected = rejected
        self.warnings = warnings
        self.inserted = inserted
        self.removed = removed
        self.message = message
    }
}

public struct StageTiming: Sendable {
    public let stage: String
    public let seconds: Double
    public let detail: String

    public init(stage: String, seconds: Double, detail: String) {
        self.stage = stage
        self.seconds = seconds
        self.detail = detail
    }
}

public struct RunResult: Sendable {
    public let batch: Day

    public init(batch: Day) { self.batch = batch }
    public var deliveries: [DeliveryStatus] = []
    public var ignoredFiles: [String] = []
    public var writeDown = WriteDownSummary()
    public var stages: [StageTiming] = []
    public var marginSeconds: Double = 0
    public var peakResidentBytes = 0

    public var deadlineMissed: Bool { marginSeconds < 0 }
    /// Exit 1 material: something a person must look at.
    public var needsPerson: Bool {
        deadlineMissed || deliveries.contains { ["failed", "stale", "missing", "held"].contains($0.status) || $0.rejected > 0 }
    }
}


/// The write-down's effect on a batch.
public struct WriteDownSummary: Sendable {
    public var persons = 0
    public var records = 0
    public var writtenDownRecords = 0
    public var writtenDownPersons = 0
    /// Σ (reported − written-down average weekly hours) over written-down records.
    public var hoursRemoved = 0.0

    public init() {}
}

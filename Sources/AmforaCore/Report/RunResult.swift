/// What a weekly run did, stage by stage and delivery by delivery: what the summary, the
/// report and the exit code are made from.

/// What this pass did with one delivery, and the state that left it in.
public struct DeliveryStatus: Sendable {
    public let komnr: Int
    public let kind: RecordKind
    public let state: DeliveryState
    /// Loaded by an earlier pass of this batch (the same SHA-256): nothing was done with it now.
    public let loadedBefore: Bool
    public let file: String?
    public let records: Int
    public let rejected: Int
    public let warnings: Int
    public let inserted: Int
    public let removed: Int
    public let message: String?

    public init(komnr: Int, kind: RecordKind, state: DeliveryState, loadedBefore: Bool = false, file: String?, records: Int,
                rejected: Int, warnings: Int, inserted: Int, removed: Int, message: String?) {
        self.komnr = komnr
        self.kind = kind
        self.state = state
        self.loadedBefore = loadedBefore
        self.file = file
        self.records = records
        self.rejected = rejected
        self.warnings = warnings
        self.inserted = inserted
        self.removed = removed
        self.message = message
    }

    /// Something this pass did to the warehouse with a delivered file.
    public var isNews: Bool { !loadedBefore && !state.isAbsent }
}

public struct StageTiming: Sendable {
    public let stage: String
    public let seconds: Double
    public let detail: String
    /// CPU seconds of the pass that ran the stage; nil where the timing was read back from the
    /// warehouse (only wall time is kept there).
    public let cpuSeconds: Double?

    public init(stage: String, seconds: Double, detail: String, cpuSeconds: Double? = nil) {
        self.stage = stage
        self.seconds = seconds
        self.detail = detail
        self.cpuSeconds = cpuSeconds
    }
}

public struct RunResult: Sendable {
    public let batch: Day

    public init(batch: Day) { self.batch = batch }
    public var deliveries: [DeliveryStatus] = []
    public var ignoredFiles: [String] = []
    public var writeDown = WriteDownSummary()
    public var stages: [StageTiming] = []
    public var peakResidentBytes = 0
    /// The batch as the warehouse holds it after this pass, with the one policy's verdict.
    public var report: BatchReport?
    public var reportPath: String?
    /// This pass started the batch (no earlier pass of it had run).
    public var firstPass = false
    /// This pass judged the deadline (it had not been judged before).
    public var judgedNow = false

    /// Exit 1 material: something a person must act on, by the one policy (`AttentionPolicy`).
    public var needsPerson: Bool { report?.verdict.needsPerson ?? false }
    public var judgement: DeadlineJudgement? { report?.judgement }
    /// This pass changed something a person would want to hear of.
    public var isNews: Bool { firstPass || judgedNow || deliveries.contains(where: \.isNews) }
}

/// The write-down's effect on a batch.
public struct WriteDownSummary: Sendable {
    /// Where the week tables' share of the stage went (`WeekTables`), for the benchmark.
    public var weekTables = ""
    public var persons = 0
    public var records = 0
    public var writtenDownRecords = 0
    public var writtenDownPersons = 0
    /// Σ (reported − written-down average weekly hours) over written-down records.
    public var hoursRemoved = 0.0

    public init() {}
}

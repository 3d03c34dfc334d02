/// Everything the batch report shows, gathered from the warehouse after a run: the renderers
/// (HTML, CSV, JSON) are pure functions of this value. Tables that could grow with the data
/// hold samples with counts; the full lists go to CSV files.
public struct BatchReport: Sendable {
    public var batch: Day
    /// When the report was made, ISO 8601 with offset.
    public var generatedAt: String
    /// Friday 06:00 Europe/Copenhagen, ISO 8601 with offset.
    public var deadline: String
    /// The deadline, judged once for the batch (`DeadlineJudgement`).
    public var judgement: DeadlineJudgement
    /// Seconds before 06:00 (negative: after), as the judgement says; 0 for a replay.
    public var marginSeconds: Double { judgement.marginSeconds ?? 0 }
    /// What needs a person, by the one policy (`AttentionPolicy`), filled in by the builder.
    public var verdict = BatchVerdict(items: [])
    public var national: National
    public var municipalities: [MunicipalityRow]
    public var rejectsByRule: [RuleGroup]
    /// A bounded sample of history changes; `national.historyChanges` has the count.
    public var historyChanges: [HistoryChange]
    /// Every history change, in the sample's order: what the CSV lists (the pages show samples).
    public var allHistoryChanges: [HistoryChange] = []
    /// The last Fridays (oldest first, up to 12) for the volume charts.
    public var fridays: [Day]
    public var stages: [StageTiming]
    /// What each municipality's own page shows beyond its rows (`MunicipalityPage`).
    public var details: [Int: MunicipalityDetail] = [:]

    public struct MunicipalityDetail: Sendable, Equatable {
        public var rejectsByRule: [RuleGroup] = []
        /// A sample, with the total.
        public var historyChanges: [HistoryChange] = []
        public var historyTotal = 0
        /// Persons with a measure here whose hours were written down, and the hours removed.
        public var writtenDownPersons = 0
        public var hoursRemoved = 0.0
        public init() {}
    }

    public init(batch: Day, generatedAt: String, deadline: String, marginSeconds: Double, national: National,
                municipalities: [MunicipalityRow], rejectsByRule: [RuleGroup], historyChanges: [HistoryChange],
                fridays: [Day], stages: [StageTiming]) {
        self.batch = batch
        self.generatedAt = generatedAt
        self.deadline = deadline
        judgement = .complete(margin: marginSeconds)
        self.national = national
        self.municipalities = municipalities
        self.rejectsByRule = rejectsByRule
        self.historyChanges = historyChanges
        self.fridays = fridays
        self.stages = stages
    }

    public var onTime: Bool { !judgement.isMissed }

    public struct National: Sendable, Equatable {
        public var loaded = 0, stale = 0, held = 0, missing = 0, failed = 0
        public var records = 0, previousRecords = 0
        public var unchanged = 0, changed = 0, new = 0, removed = 0, reappeared = 0
        public var historyChanges = 0
        public var quarantined = 0, warnings = 0
        public var writtenDownPersons = 0, writtenDownRecords = 0
        /// Σ (reported − written-down) average weekly hours, this Friday and last: the hours the
        /// write-down *removed* (SQL's `hours_written_down` is the hours *after* it).
        public var hoursWrittenDown = 0.0, previousHoursWrittenDown = 0.0
        public init() {}
    }

    /// One municipality and kind (AMFORA, HJAELP1, HJAELP2).
    public struct MunicipalityRow: Sendable, Equatable {
        public var komnr: Int
        public var name: String
        public var kind: RecordKind
        public var status: DeliveryState
        public var file: String?
        /// Records in force, and at the previous Friday.
        public var records = 0, previousRecords = 0
        /// Records the delivery's file held, quarantined lines included (the reject rate's base).
        public var deliveredRecords = 0
        /// Loaded (or held, or failed) after the batch's 06:00 deadline.
        public var late = false
        /// By the one policy (`AttentionPolicy.needsPerson`), filled in by the builder.
        public var needsPerson = false
        /// The file-level rule that stopped a failed delivery.
        public var failedRule: String?
        /// Identities delivered more than once (reconciliation.md).
        public var duplicates = 0
        public var unchanged = 0, changed = 0, new = 0, removed = 0, reappeared = 0
        public var rejected = 0, warnings = 0, historyChanges = 0
        /// Records per Friday for `BatchReport.fridays` (0 where nothing was in force).
        public var volumeHistory: [Int] = []
        /// Flags that need a person, in words ("held: shrank 40 % (threshold 10 %)", "stale", …).
        public var flags: [String] = []

        public init(komnr: Int, name: String, kind: RecordKind, status: DeliveryState) {
            self.komnr = komnr
            self.name = name
            self.kind = kind
            self.status = status
        }

        /// Change in records against last Friday, in percent (nil without a previous dataset).
        public var changePercent: Double? {
            previousRecords > 0 ? Double(records - previousRecords) * 100 / Double(previousRecords) : nil
        }
    }

    public struct RuleGroup: Sendable, Equatable {
        public var rule: String
        public var severity: Severity
        public var field: String?
        public var count: Int
        /// A few examples: municipality, file, line, masked value, message.
        public var examples: [Example]

        public init(rule: String, severity: Severity, field: String?, count: Int, examples: [Example]) {
            self.rule = rule
            self.severity = severity
            self.field = field
            self.count = count
            self.examples = examples
        }
    }

    public struct Example: Sendable, Equatable {
        public var komnr: Int
        public var file: String
        public var line: Int?
        /// Never a full CPR (ddmmyy-****).
        public var value: String?
        public var message: String

        public init(komnr: Int, file: String, line: Int?, value: String?, message: String) {
            self.komnr = komnr
            self.file = file
            self.line = line
            self.value = value
            self.message = message
        }
    }

    /// A changed or removed measure that ended more than 28 days before the batch date.
    public struct HistoryChange: Sendable, Equatable {
        public var komnr: Int
        /// changed or removed
        public var change: String
        /// The person, masked: ddmmyy-****.
        public var person: String
        public var foranstalt: Int
        public var startDate: Day
        public var endDate: Day
        public var changedFields: [String]
        /// `Slutdt: 2019-06-28 → 2019-08-30`, one per changed field (empty for a removal).
        public var oldToNew: [String] = []

        public init(komnr: Int, change: String, person: String, foranstalt: Int, startDate: Day, endDate: Day, changedFields: [String]) {
            self.komnr = komnr
            self.change = change
            self.person = person
            self.foranstalt = foranstalt
            self.startDate = startDate
            self.endDate = endDate
            self.changedFields = changedFields
        }
    }
}

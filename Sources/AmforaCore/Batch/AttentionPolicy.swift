/// The one rule for "needs a person": the exit code, the run summary (cron's mail),
/// `summary.json`, the report and `status` all ask it, about the same facts (`BatchReport`).
public struct AttentionPolicy: Sendable, Equatable {
    /// Kinds whose absence needs a person. §57.2 aid grants are reported "løbende" (guideline
    /// 58.1): a Friday without an aid file keeps last Friday's dataset and is reported, not an alarm.
    public var alarmWhenAbsent: Set<RecordKind> = [.amfora]
    /// Quarantined lines need a person only above this fraction of a delivery's lines; below it
    /// they are in the report and the municipality's reject file.
    public var rejectThreshold = 0.05

    public init(alarmWhenAbsent: Set<RecordKind> = [.amfora], rejectThreshold: Double = 0.05) {
        self.alarmWhenAbsent = alarmWhenAbsent
        self.rejectThreshold = rejectThreshold
    }

    /// Marks the rows that need a person and gives the report its verdict.
    public func decide(_ r: inout BatchReport) {
        for i in r.municipalities.indices { r.municipalities[i].needsPerson = needsPerson(r.municipalities[i]) }
        r.verdict = verdict(r)
    }

    /// What a person must act on, in the order the mail lists it.
    public func verdict(_ r: BatchReport) -> BatchVerdict {
        var items: [BatchVerdict.Item] = []
        if r.judgement.isLateCompletion { items.append(.init(reason: .deadline)) }
        for m in r.municipalities where m.status == .failed { items.append(.init(reason: .failed, row: m)) }
        for m in r.municipalities where m.status == .held { items.append(.init(reason: .held, row: m)) }
        for m in r.municipalities where m.status.isAbsent && alarmWhenAbsent.contains(m.kind) {
            items.append(.init(reason: .notDelivered, row: m))
        }
        for m in r.municipalities where m.status == .loaded && rejectsAboveThreshold(m) {
            items.append(.init(reason: .rejects, row: m))
        }
        return BatchVerdict(items: items)
    }

    public func rejectsAboveThreshold(_ m: BatchReport.MunicipalityRow) -> Bool {
        m.rejected > 0 && Double(m.rejected) > Double(max(m.deliveredRecords, 1)) * rejectThreshold
    }

    /// A row the report shows among those that need a person.
    public func needsPerson(_ m: BatchReport.MunicipalityRow) -> Bool {
        switch m.status {
        case .failed, .held: true
        case .stale, .missing: alarmWhenAbsent.contains(m.kind)
        case .loaded: rejectsAboveThreshold(m)
        }
    }
}

/// The policy's answer for one batch.
public struct BatchVerdict: Sendable, Equatable {
    public enum Reason: String, Sendable {
        case deadline, failed, held, notDelivered, rejects
    }

    public struct Item: Sendable, Equatable {
        public var reason: Reason
        public var row: BatchReport.MunicipalityRow?

        public init(reason: Reason, row: BatchReport.MunicipalityRow? = nil) {
            self.reason = reason
            self.row = row
        }
    }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    public var needsPerson: Bool { !items.isEmpty }
}

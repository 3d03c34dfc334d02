public import AmforaCore
import Foundation

/// The run's bookkeeping in the warehouse, in one place: the batch's `run` row (started,
/// finished, the deadline's judgement), its stages (`run_stage`) and a `delivery` row per
/// municipality and kind with its `DeliveryState`. What the later stages still owe a load is
/// `PendingWork`, written in the load's own transaction.
public struct RunLedger {
    let db: Database
    public let batch: Day
    var b: Int64 { Int64(batch.ordinal) }

    public init(_ db: Database, batch: Day) {
        self.db = db
        self.batch = batch
    }

    // MARK: The batch

    /// Starts a pass; true when it is the batch's first.
    func startPass() throws -> Bool {
        let existed = try db.scalar("SELECT count(*) FROM run WHERE batch_date = ?", [.int(b)]) ?? 0 > 0
        let s = try db.prepare("""
            INSERT INTO run (batch_date, deadline, started_at, status) VALUES (?, ?, ?, 'running')
            ON CONFLICT (batch_date) DO UPDATE SET status = 'running', finished_at = NULL
            """)
        try s.bind([.int(b), .text(Timestamp.string(Deadline.due(for: batch))), .text(Timestamp.now())])
        try s.run()
        return !existed
    }

    /// The deadline's judgement as stored (nil: never judged, or judged before judgements were kept).
    func storedJudgement() throws -> DeadlineJudgement? {
        let s = try db.prepare("SELECT judgement, margin_seconds FROM run WHERE batch_date = ?")
        try s.bind([.int(b)])
        guard try s.step() else { return nil }
        return DeadlineJudgement(kind: s.text(0), seconds: s.isNull(1) ? nil : s.double(1))
    }

    /// Judges the deadline after a pass (`DeadlineJudgement.judge`) and keeps the judgement;
    /// returns it and whether this pass made it final.
    func judgeDeadline(passStarted: Date, expected: [Int], kinds: Set<RecordKind>, now: Date = RunClock.now()) throws
        -> (judgement: DeadlineJudgement, judgedNow: Bool) {
        let stored = try storedJudgement()
        let j = DeadlineJudgement.judge(stored: stored, due: Deadline.due(for: batch), passStarted: passStarted, now: now,
                                        complete: try isComplete(expected: expected, kinds: kinds))
        let (kind, seconds) = j.stored
        let s = try db.prepare("UPDATE run SET judgement = ?, margin_seconds = ? WHERE batch_date = ?")
        try s.bind([.text(kind), seconds.map { .double($0) } ?? .null, .int(b)])
        try s.run()
        return (j, j.isFinal && !(stored?.isFinal ?? false))
    }

    /// Every expected municipality's delivery of each of `kinds` is in: loaded, or held for a person.
    func isComplete(expected: [Int], kinds: Set<RecordKind>) throws -> Bool {
        let s = try db.prepare("SELECT komnr, kind FROM delivery WHERE batch_date = ? AND status IN ('loaded', 'held')")
        try s.bind([.int(b)])
        var arrived: Set<String> = []
        while try s.step() { arrived.insert("\(s.int(0))_\(s.text(1) ?? "")") }
        return expected.allSatisfy { k in kinds.allSatisfy { arrived.contains("\(k)_\($0.rawValue)") } }
    }

    func finishPass(needsPerson: Bool) throws {
        let s = try db.prepare("UPDATE run SET finished_at = ?, status = ? WHERE batch_date = ?")
        try s.bind([.text(Timestamp.now()), .text(needsPerson ? "needs attention" : "done"), .int(b)])
        try s.run()
    }

    func recordStage(_ name: String, startedAt: String, seconds: Double, detail: String) throws {
        let s = try db.prepare("INSERT INTO run_stage (batch_date, stage, started_at, seconds, detail) VALUES (?, ?, ?, ?, ?)")
        try s.bind([.int(b), .text(name), .text(startedAt), .double(seconds), .text(detail)])
        try s.run()
    }

    /// The last batch run in the warehouse: what `rerun`, `resume`, `accept`, `report` and
    /// `status` speak of unless told otherwise.
    public static func lastBatch(_ db: Database) throws -> Day? {
        try db.scalar("SELECT max(batch_date) FROM run").map { Day(ordinal: Int32($0)) }
    }

    /// The last batch whose pass did not finish (killed, or still running), or that left work pending.
    public static func interruptedBatch(_ db: Database) throws -> Day? {
        try db.scalar("""
            SELECT max(b) FROM (SELECT batch_date AS b FROM run WHERE status = 'running'
                                UNION SELECT batch_date FROM pending_reconcile)
            """).map { Day(ordinal: Int32($0)) }
    }

    // MARK: Deliveries

    /// A delivery row: every state but `stale`/`missing` comes from a file.
    struct DeliveryRecord {
        var name: DeliveryName
        var state: DeliveryState
        var file: String?
        var sha256: String?
        var bytes: Int?
        var encoding: String?
        var tally: LineTally?
        /// Records where there is no file to count (a stale row repeats the last dataset's).
        var records: Int?
        var warnings = 0
        var startedAt: String?
        var message: String?

        static let columns = "batch_date, komnr, kind, status, file, sha256, bytes, encoding, lines, records, rejected, warnings, blank_lines, started_at, finished_at, message"

        static func loaded(_ name: DeliveryName, file: String, _ o: LoadOutcome, startedAt: String) -> DeliveryRecord {
            DeliveryRecord(name: name, state: .loaded, file: file, sha256: o.sha256, bytes: o.bytes,
                           encoding: o.summary.encoding?.rawValue ?? "", tally: o.summary.tally, warnings: o.summary.warnings,
                           startedAt: startedAt, message: "\(o.inserted) new versions, \(o.unchanged) unchanged, \(o.removed) removed")
        }

        /// The row's values in `columns` order.
        var values: [SQLValue] {
            func int(_ n: Int?) -> SQLValue { n.map { .int(Int64($0)) } ?? .null }
            func text(_ t: String?) -> SQLValue { t.map { .text($0) } ?? .null }
            return [.int(Int64(name.batchDate.ordinal)), .int(Int64(name.komnr)), .text(name.kind.rawValue),
                    .text(state.rawValue), text(file), text(sha256), int(bytes), text(encoding),
                    int(tally?.lines), int(tally?.records ?? records), int(tally?.quarantined), .int(Int64(warnings)),
                    int(tally?.blankLines), text(startedAt), state.isAbsent ? .null : .text(Timestamp.now()),
                    text(message.map(CPR.scrub))]
        }
    }

    /// The one INSERT of a delivery row, for every state.
    func record(_ r: DeliveryRecord) throws {
        let s = try db.prepare("INSERT OR REPLACE INTO delivery (\(DeliveryRecord.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try s.bind(r.values)
        try s.run()
    }

    /// A loaded delivery, in its load's transaction.
    func recordLoaded(_ name: DeliveryName, file: String, _ o: LoadOutcome, startedAt: String) throws {
        try record(.loaded(name, file: file, o, startedAt: startedAt))
    }

    /// A held delivery: last Friday's dataset stays; the file is archived for `amfora accept`.
    func recordHeld(_ name: DeliveryName, file: String, _ o: LoadOutcome, message: String, startedAt: String) throws {
        try record(DeliveryRecord(name: name, state: .held, file: file, sha256: o.sha256, bytes: o.bytes,
                                  encoding: o.summary.encoding?.rawValue ?? "", tally: o.summary.tally, warnings: o.summary.warnings,
                                  startedAt: startedAt, message: message))
    }

    /// A delivery that could not be loaded: its file-level findings replace any earlier rejects.
    /// Its SHA-256 is kept, so that a later pass knows the same file again.
    func recordFailure(_ name: DeliveryName, file: String, sha256: String?, bytes: Int?, message: String, summary: FileSummary?,
                       startedAt: String) throws {
        try db.transaction {
            let scope: [SQLValue] = [.int(b), .int(Int64(name.komnr)), .text(name.kind.rawValue)]
            let del = try db.prepare("DELETE FROM reject WHERE batch_date = ? AND komnr = ? AND kind = ?")
            try del.bind(scope)
            try del.run()
            let ins = try db.prepare("""
                INSERT INTO reject (batch_date, komnr, kind, file, line_no, severity, rule, field, value, message)
                VALUES (?, ?, ?, ?, ?, 'error', ?, NULL, NULL, ?)
                """)
            for f in summary?.fileFindings ?? [] where f.severity == .error {
                try ins.bind(scope + [.text(file), f.line.map { .int(Int64($0)) } ?? .null, .text(f.rule), .text(f.message)])
                try ins.run()
            }
            try record(DeliveryRecord(name: name, state: .failed, file: file, sha256: sha256, bytes: bytes, tally: summary?.tally,
                                      warnings: summary?.warnings ?? 0, startedAt: startedAt, message: message))
        }
    }

    /// A delivery an earlier pass of this batch already handled — loaded, held or failed — from a
    /// file with this SHA-256: a later pass leaves it as it is. What the later stages still owe a
    /// loaded one is pending in the warehouse (`PendingWork`).
    func alreadyHandled(_ name: DeliveryName, path: String) throws -> DeliveryStatus? {
        let s = try db.prepare("""
            SELECT sha256, bytes, records, rejected, warnings, status, message FROM delivery
            WHERE batch_date = ? AND komnr = ? AND kind = ? AND status IN ('loaded', 'held', 'failed')
            """)
        try s.bind([.int(b), .int(Int64(name.komnr)), .text(name.kind.rawValue)])
        guard try s.step(), let sha = s.text(0), let state = s.text(5).flatMap(DeliveryState.init(rawValue:)) else { return nil }
        guard Inbox.size(of: path) == Int(s.int(1)), try FileDigest.of(path: path) == sha else { return nil }
        return DeliveryStatus(komnr: name.komnr, kind: name.kind, state: state, loadedBefore: true,
                              file: (path as NSString).lastPathComponent, records: Int(s.int(2)), rejected: Int(s.int(3)),
                              warnings: Int(s.int(4)), inserted: 0, removed: 0, message: s.text(6))
    }

    /// The municipality's held deliveries of this batch: kind and SHA-256 of the archived file.
    func held(_ komnr: Int) throws -> [(kind: RecordKind, sha256: String)] {
        let s = try db.prepare("SELECT kind, sha256 FROM delivery WHERE batch_date = ? AND komnr = ? AND status = 'held'")
        try s.bind([.int(b), .int(Int64(komnr))])
        var out: [(RecordKind, String)] = []
        while try s.step() {
            guard let kind = s.text(0).flatMap(RecordKind.init(rawValue:)), let sha = s.text(1) else { continue }
            out.append((kind, sha))
        }
        return out
    }

    /// The expected municipalities' kinds with no delivery this batch keep the dataset they had:
    /// `stale` when there is one, `missing` when they never delivered. A delivery already in the
    /// batch (loaded, held, failed) is left as it is.
    func markAbsent(_ municipalities: [Int], delivered: Set<String>) throws -> [DeliveryStatus] {
        let exists = try db.prepare("SELECT status FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ?")
        var out: [DeliveryStatus] = []
        try db.transaction {
            for k in municipalities {
                for kind in RecordKind.allCases where !delivered.contains("\(k)_\(kind.rawValue)") {
                    try exists.bind([.int(b), .int(Int64(k)), .text(kind.rawValue)])
                    let existing = try exists.step() ? exists.text(0).flatMap(DeliveryState.init(rawValue:)) : nil
                    exists.reset()
                    if let existing, !existing.isAbsent { continue }
                    let name = DeliveryName(kind: kind, komnr: k, batchDate: batch)
                    let last = try LastLoad.of(db, name: name, before: Int(b))
                    let isStale = last != nil
                    let file = last?.file
                    let records = last?.records ?? 0
                    let state: DeliveryState = isStale ? .stale : .missing
                    if existing == nil {
                        try record(DeliveryRecord(
                            name: name, state: state, file: file,
                            records: records,
                            message: isStale ? "no delivery this batch; the dataset of \(file ?? "the last delivery") stays in force"
                                : "no delivery ever received"))
                    }
                    out.append(DeliveryStatus(komnr: k, kind: kind, state: state, file: file, records: records,
                                              rejected: 0, warnings: 0, inserted: 0, removed: 0, message: nil))
                }
            }
        }
        return out
    }
}

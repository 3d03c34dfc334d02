public import AmforaCore
import Foundation

/// The run's bookkeeping in the warehouse, in one place: the batch's `run` row (started,
/// finished, the deadline's judgement), its stages (`run_stage`) and a `delivery` row per
/// municipality and kind with its `DeliveryState`. What the later stages still owe a load is
/// `PendingWork`, written in the load's own transaction.
public struct RunLedger {
    let db: any WarehouseSQL
    public let batch: Day
    var b: Int64 { Int64(batch.ordinal) }

    public init(_ db: any WarehouseSQL, batch: Day) {
        self.db = db
        self.batch = batch
    }

    // MARK: The batch

    /// Starts a pass; true when it is the batch's first.
    func startPass() throws -> Bool {
        let existed = try db.integer("SELECT count(*) FROM run WHERE batch_date = ?", [.int(b)]) ?? 0 > 0
        try db.run("""
            INSERT INTO run (batch_date, deadline, started_at, status) VALUES (?, ?, ?, 'running')
            ON CONFLICT (batch_date) DO UPDATE SET status = 'running', finished_at = NULL
            """, [.int(b), .text(Timestamp.string(Deadline.due(for: batch))), .text(Timestamp.now())])
        return !existed
    }

    /// The deadline's judgement as stored (nil: never judged, or judged before judgements were kept).
    func storedJudgement() throws -> DeadlineJudgement? {
        guard let r = try db.firstRow("SELECT judgement, margin_seconds FROM run WHERE batch_date = ?", [.int(b)]) else { return nil }
        return DeadlineJudgement(kind: r[0].text, seconds: r[1].double)
    }

    /// Judges the deadline after a pass (`DeadlineJudgement.judge`) and keeps the judgement;
    /// returns it and whether this pass made it final.
    func judgeDeadline(passStarted: Date, expected: [Int], kinds: Set<RecordKind>, now: Date = RunClock.now()) throws
        -> (judgement: DeadlineJudgement, judgedNow: Bool) {
        let stored = try storedJudgement()
        let j = DeadlineJudgement.judge(stored: stored, due: Deadline.due(for: batch), passStarted: passStarted, now: now,
                                        complete: try isComplete(expected: expected, kinds: kinds))
        let (kind, seconds) = j.stored
        try db.run("UPDATE run SET judgement = ?, margin_seconds = ? WHERE batch_date = ?",
                   [.text(kind), seconds.map { .double($0) } ?? .null, .int(b)])
        return (j, j.isFinal && !(stored?.isFinal ?? false))
    }

    /// Every expected municipality's delivery of each of `kinds` is in: loaded, or held for a person.
    func isComplete(expected: [Int], kinds: Set<RecordKind>) throws -> Bool {
        var arrived: Set<String> = []
        try db.forEachRow("SELECT komnr, kind FROM delivery WHERE batch_date = ? AND status IN ('loaded', 'held')", [.int(b)]) { r in
            arrived.insert("\(r[0].int ?? 0)_\(r[1].text ?? "")")
        }
        return expected.allSatisfy { k in kinds.allSatisfy { arrived.contains("\(k)_\($0.rawValue)") } }
    }

    func finishPass(needsPerson: Bool) throws {
        try db.run("UPDATE run SET finished_at = ?, status = ? WHERE batch_date = ?",
                   [.text(Timestamp.now()), .text(needsPerson ? "needs attention" : "done"), .int(b)])
    }

    func recordStage(_ name: String, startedAt: String, seconds: Double, detail: String) throws {
        try db.run("INSERT INTO run_stage (batch_date, stage, started_at, seconds, detail) VALUES (?, ?, ?, ?, ?)",
                   [.int(b), .text(name), .text(startedAt), .double(seconds), .text(detail)])
    }

    /// The last batch run in the warehouse: what `rerun`, `resume`, `accept`, `report` and
    /// `status` speak of unless told otherwise.
    public static func lastBatch(_ db: any WarehouseSQL) throws -> Day? {
        try db.integer("SELECT max(batch_date) FROM run").map { Day(ordinal: Int32($0)) }
    }

    /// The last batch whose pass did not finish (killed, or still running), or that left work pending.
    public static func interruptedBatch(_ db: any WarehouseSQL) throws -> Day? {
        try db.integer("""
            SELECT max(b) FROM (SELECT batch_date AS b FROM run WHERE status = 'running'
                                UNION SELECT batch_date FROM pending_reconcile) AS batches
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
        try db.run("""
            INSERT INTO delivery (\(DeliveryRecord.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (batch_date, komnr, kind) DO UPDATE SET \(PendingWork.upsert(DeliveryRecord.columns, keys: 3))
            """, r.values)
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
            try db.run("DELETE FROM reject WHERE batch_date = ? AND komnr = ? AND kind = ?", scope)
            for f in summary?.fileFindings ?? [] where f.severity == .error {
                try db.run("""
                    INSERT INTO reject (batch_date, komnr, kind, file, line_no, severity, rule, field, value, message)
                    VALUES (?, ?, ?, ?, ?, 'error', ?, NULL, NULL, ?)
                    """, scope + [.text(file), f.line.map { .int(Int64($0)) } ?? .null, .text(f.rule), .text(f.message)])
            }
            try record(DeliveryRecord(name: name, state: .failed, file: file, sha256: sha256, bytes: bytes, tally: summary?.tally,
                                      warnings: summary?.warnings ?? 0, startedAt: startedAt, message: message))
        }
    }

    /// A delivery an earlier pass of this batch already handled — loaded, held or failed — from a
    /// file with this SHA-256: a later pass leaves it as it is. What the later stages still owe a
    /// loaded one is pending in the warehouse (`PendingWork`).
    func alreadyHandled(_ name: DeliveryName, path: String) throws -> DeliveryStatus? {
        guard let r = try db.firstRow("""
            SELECT sha256, bytes, records, rejected, warnings, status, message FROM delivery
            WHERE batch_date = ? AND komnr = ? AND kind = ? AND status IN ('loaded', 'held', 'failed')
            """, [.int(b), .int(Int64(name.komnr)), .text(name.kind.rawValue)]),
            let sha = r[0].text, let state = r[5].text.flatMap(DeliveryState.init(rawValue:)) else { return nil }
        func int(_ c: Int) -> Int { Int(r[c].int ?? 0) }
        guard Inbox.size(of: path) == int(1), try FileDigest.of(path: path) == sha else { return nil }
        return DeliveryStatus(komnr: name.komnr, kind: name.kind, state: state, loadedBefore: true,
                              file: (path as NSString).lastPathComponent, records: int(2), rejected: int(3),
                              warnings: int(4), inserted: 0, removed: 0, message: r[6].text)
    }

    /// The municipality's held deliveries of this batch: kind and SHA-256 of the archived file.
    func held(_ komnr: Int) throws -> [(kind: RecordKind, sha256: String)] {
        try db.rows("SELECT kind, sha256 FROM delivery WHERE batch_date = ? AND komnr = ? AND status = 'held'", [.int(b), .int(Int64(komnr))])
            .compactMap { r in
                guard let kind = r[0].text.flatMap(RecordKind.init(rawValue:)), let sha = r[1].text else { return nil }
                return (kind, sha)
            }
    }

    /// The expected municipalities' kinds with no delivery this batch keep the dataset they had:
    /// `stale` when there is one, `missing` when they never delivered. A delivery already in the
    /// batch (loaded, held, failed) is left as it is.
    func markAbsent(_ municipalities: [Int], delivered: Set<String>) throws -> [DeliveryStatus] {
        var out: [DeliveryStatus] = []
        try db.transaction {
            for k in municipalities {
                for kind in RecordKind.allCases where !delivered.contains("\(k)_\(kind.rawValue)") {
                    let existing = try db.firstRow("SELECT status FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ?",
                                                   [.int(b), .int(Int64(k)), .text(kind.rawValue)])?[0].text.flatMap(DeliveryState.init(rawValue:))
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

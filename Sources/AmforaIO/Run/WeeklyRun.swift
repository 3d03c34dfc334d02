public import AmforaCore
import Foundation

/// What to run: one batch, from a local inbox, into a warehouse.
public struct RunRequest: Sendable {
    public var batch: Day
    public var inbox: String
    public var warehouse: String
    public var reports: String
    public var config: RunConfig
    /// A rerun: only this municipality, reloaded even if its file is unchanged.
    public var municipality: Int?
    /// A rerun from this file instead of the inbox's.
    public var file: String?
    /// `amfora accept`: load the municipality's held deliveries (from the archive) whatever their size.
    public var acceptHeld = false

    public init(batch: Day, inbox: String, warehouse: String, reports: String, config: RunConfig = RunConfig(),
                municipality: Int? = nil, file: String? = nil) {
        self.batch = batch
        self.inbox = inbox
        self.warehouse = warehouse
        self.reports = reports
        self.config = config
        self.municipality = municipality
        self.file = file
    }
}

/// One pass of the weekly job after fetching, its stages in order: collect → parse → normalise →
/// validate → load (one transaction per delivery) → stale and missing → write-down → reconcile →
/// the deadline's judgement → report. The bookkeeping is `RunLedger`'s; what a load leaves for
/// the write-down and the reconciliation is `PendingWork`, so a pass after a killed one does
/// exactly what was left, and a delivery handled before (same SHA-256) is not handled again.
public final class WeeklyRun {
    let request: RunRequest
    let progress: @Sendable (String) -> Void
    let clock = ContinuousClock()
    private var timings: [StageTiming] = []

    public init(_ request: RunRequest, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.request = request
        self.progress = progress
    }

    public func run() throws -> RunResult {
        let (warehouse, lock) = try RunWarehouse.open(request.warehouse, config: request.config, purpose: "batch \(request.batch.iso)")
        defer { withExtendedLifetime(lock) {} }
        let db = warehouse.sql
        try Self.refuseOlderThanLast(request.batch, db)
        let ledger = RunLedger(db, batch: request.batch)
        let passStarted = RunClock.now()
        var result = RunResult(batch: request.batch)
        result.firstPass = try ledger.startPass()

        let entries = try stage("collect", ledger) { () -> (String, [Inbox.Entry]) in
            let (entries, ignored) = try collect(ledger)
            result.ignoredFiles = ignored
            return ("\(entries.count) deliveries, \(ignored.count) other files", entries)
        }

        // What the later stages do is what the loads left pending (`PendingWork`), this run's or a
        // killed one's; the added versions this process parsed spare the reconciliation a read each.
        var parsed: [String: [(version: Reconciler.Version, activityID: Int64)]] = [:]
        let emptyAtStart = try warehouse.isEmpty
        // SQLite builds its indexes once after a first load, in one sorted pass each.
        let indexAfterLoad: Warehouse? = if emptyAtStart, case .sqlite(let w) = warehouse { w } else { nil }
        try indexAfterLoad?.dropIndexesForFirstLoad()
        // PostgreSQL builds the week views' indexes after the write-down, whose stretches one indexes.
        let indexAfterWriteDown: PostgresWarehouse? = if case .postgres(let p) = warehouse { p } else { nil }
        if emptyAtStart { try indexAfterWriteDown?.dropWeekIndexesForFirstLoad() }
        try stage("parse → validate → load", ledger) { () -> (String, Void) in
            let n = try loadAll(entries, warehouse, ledger, &parsed, &result)
            return ("\(n.loaded) loaded, \(n.before) handled by an earlier pass, \(n.held) held, \(n.failed) failed", ())
        }

        if let indexAfterLoad {
            try stage("index", ledger) { () -> (String, Void) in
                try indexAfterLoad.ensureIndexes()
                return ("indexes built after the first load", ())
            }
        }

        try stage("stale and missing", ledger) { () -> (String, Void) in
            let delivered = Set(entries.map { "\($0.name.komnr)_\($0.name.kind.rawValue)" })
            let absent = try ledger.markAbsent(request.municipality.map { [$0] } ?? request.config.expectedMunicipalities,
                                               delivered: delivered)
            result.deliveries += absent
            let stale = absent.filter { $0.state == .stale }.count
            return ("\(stale) stale, \(absent.count - stale) missing", ())
        }

        try stage("write-down", ledger) { () -> (String, Void) in
            guard let w = try warehouse.writeDown(everyone: emptyAtStart) else { return ("nothing changed", ()) }
            result.writeDown = w
            return (String(format: "%d persons, %d records written down, %.1f hours a week removed; ",
                           w.writtenDownPersons, w.writtenDownRecords, w.hoursRemoved) + w.weekTables, ())
        }

        if let p = indexAfterWriteDown, case let missing = try p.missingWeekIndexes(), !missing.isEmpty {
            try stage("index", ledger) { () -> (String, Void) in
                try p.build(missing)
                return ("the week views' indexes built: " + missing.map(\.name).joined(separator: ", "), ())
            }
        }

        try stage("reconcile", ledger) { () -> (String, Void) in
            var changed = 0, new = 0, removed = 0, history = 0
            for p in try PendingWork.reconciliations(db) {
                let r = try warehouse.reconcile(p, inMemory: parsed[Self.key(p.delivery)])
                changed += r.count(.changed)
                new += r.count(.new) + r.count(.reappeared)
                removed += r.count(.removed)
                history += r.historyChanges
            }
            return ("\(changed) changed, \(new) new, \(removed) removed, \(history) history changes", ())
        }

        let policy = request.config.attentionPolicy
        result.judgedNow = try ledger.judgeDeadline(passStarted: passStarted, expected: request.config.expectedMunicipalities,
                                                    kinds: policy.alarmWhenAbsent).judgedNow

        try stage("report", ledger) { () -> (String, Void) in
            result.stages = timings
            result.peakResidentBytes = RunStats.peakResidentBytes()
            let report = try BatchReportBuilder.build(db, batch: request.batch, stages: timings, policy: policy)
            result.report = report
            result.reportPath = BatchReportWriter.index(of: request.batch, in: request.reports)
            try BatchReportWriter.write(report, run: result, warehouse: db, to: request.reports)
            return ("written to \(BatchReportWriter.directory(of: request.batch, in: request.reports))", ())
        }

        result.stages = timings
        try ledger.finishPass(needsPerson: result.needsPerson)
        return result
    }

    /// Loads every delivery, one transaction each, and returns what this pass did with them.
    private func loadAll(_ entries: [Inbox.Entry], _ warehouse: RunWarehouse, _ ledger: RunLedger,
                         _ parsed: inout [String: [(version: Reconciler.Version, activityID: Int64)]],
                         _ result: inout RunResult) throws -> (loaded: Int, before: Int, held: Int, failed: Int) {
        let archive = try DeliveryArchive(directory: RunWarehouse.archiveDirectory(request.warehouse, config: request.config))
        var statuses: [String: DeliveryStatus] = [:]
        var loaded = 0, before = 0, held = 0, failed = 0
        func load(_ e: Inbox.Entry, _ body: (LoadPolicy, String) throws -> LoadOutcome) throws {
            let (status, outcome) = try loadOne(e, ledger, body)
            statuses[e.path] = status
            if let outcome { parsed[Self.key(e.name)] = outcome.addedForReconciliation }
            switch (status.state, status.loadedBefore) {
            case (_, true): before += 1
            case (.loaded, false): loaded += 1
            case (.held, false): held += 1
            default: failed += 1
            }
        }
        switch warehouse {
        case .sqlite(let w):
            try loadAll(entries, into: w, archive: archive, load)
        case .postgres(let p):
            try loadAll(entries, into: p, archive: archive, load)
        }
        // Reports list deliveries in the inbox's order, whatever order they were loaded in.
        result.deliveries += entries.compactMap { statuses[$0.path] }
        return (loaded, before, held, failed)
    }

    /// Into SQLite, deliveries matched against last Friday's dataset are read, checked and
    /// matched on worker threads (`PreparationPool`), largest first, while this thread writes
    /// what changed; the rest (first datasets, reloads) stream here. A delivery prepared before
    /// the warehouse moved on, or whose preparing failed, streams too (the failure then is
    /// reported in the file's own words).
    private func loadAll(_ entries: [Inbox.Entry], into warehouse: Warehouse, archive: DeliveryArchive,
                         _ load: (Inbox.Entry, (LoadPolicy, String) throws -> LoadOutcome) throws -> Void) throws {
        let db = warehouse.db
        let loader = DeliveryLoader(warehouse: warehouse, archive: archive)
        let (streamed, jobs) = try preparable(entries, db)
        let pool = PreparationPool(jobs: jobs, reader: PreparationPool.sqliteReader(request.warehouse), workers: workers, window: 4)
        defer { pool.stop() }
        try db.automaticCheckpoints(every: 0)
        let checkpointer = Checkpointer(path: request.warehouse)
        defer {
            checkpointer.stop()
            try? db.automaticCheckpoints(every: 1000)
        }
        func stream(_ e: Inbox.Entry, _ policy: LoadPolicy, _ startedAt: String) throws -> LoadOutcome {
            try loader.load(path: e.path, name: e.name, options: options(for: e), policy: policy, startedAt: startedAt)
        }
        for e in streamed {
            checkpointer.keepLogSmall(db)
            try load(e) { try stream(e, $0, $1) }
        }
        for _ in jobs.indices {
            let (job, prepared) = pool.next()
            checkpointer.keepLogSmall(db)
            try load(job.entry) { policy, startedAt in
                if case .success(let p?) = prepared, let applied = try applyIfCurrent(p, loader, policy: policy, startedAt: startedAt) {
                    return applied
                }
                return try stream(job.entry, policy, startedAt)
            }
        }
    }

    /// Into PostgreSQL as into SQLite: deliveries matched against last Friday's dataset are
    /// prepared on worker threads, each reading through a connection of its own, while this
    /// thread writes what changed; the rest stream here. Streamed one by one on this thread, a
    /// national Friday's load took twice SQLite's time.
    private func loadAll(_ entries: [Inbox.Entry], into p: PostgresWarehouse, archive: DeliveryArchive,
                         _ load: (Inbox.Entry, (LoadPolicy, String) throws -> LoadOutcome) throws -> Void) throws {
        let c = p.connection
        let (streamed, jobs) = try preparable(entries, c)
        let pool = PreparationPool(jobs: jobs, reader: PreparationPool.postgresReader(c.location, key: p.personKey), workers: workers, window: 4)
        defer { pool.stop() }
        let store = PostgresDeliveryStore(connection: c, personKey: p.personKey)
        func stream(_ e: Inbox.Entry, _ policy: LoadPolicy, _ startedAt: String) throws -> LoadOutcome {
            try p.load(path: e.path, name: e.name, archive: archive, options: options(for: e), policy: policy, startedAt: startedAt)
        }
        for e in streamed {
            try load(e) { try stream(e, $0, $1) }
        }
        for _ in jobs.indices {
            let (job, prepared) = pool.next()
            try load(job.entry) { policy, startedAt in
                if case .success(let d?) = prepared {
                    do {
                        return try DeliveryLoader.apply(d, into: store, bookkeeping: c, archive: archive, policy: policy, startedAt: startedAt)
                    } catch is PreparedDelivery.Outdated {}
                }
                return try stream(job.entry, policy, startedAt)
            }
        }
    }

    /// The entries to stream, and those to prepare on worker threads (`PreparationPool.schedule`d).
    private func preparable(_ entries: [Inbox.Entry], _ sql: any WarehouseSQL) throws -> (streamed: [Inbox.Entry], jobs: [PreparationPool.Job]) {
        var streamed: [Inbox.Entry] = [], jobs: [PreparationPool.Job] = []
        for e in entries {
            if try PreparedDelivery.isPreparable(sql, name: e.name) {
                jobs.append(PreparationPool.Job(entry: e, options: options(for: e), bytes: Inbox.size(of: e.path)))
            } else {
                streamed.append(e)
            }
        }
        return (streamed, PreparationPool.schedule(jobs))
    }

    private var workers: Int { request.config.workers > 0 ? request.config.workers : PreparationPool.defaultWorkers }

    /// A load compares a delivery with the dataset in force, which after a later Friday is that
    /// Friday's: loading an older batch then would close and reopen versions the later Fridays'
    /// history rests on. So only the last batch (or a new one) is loaded; the next full delivery
    /// corrects an older Friday's mistake from then on.
    static func refuseOlderThanLast(_ batch: Day, _ db: any WarehouseSQL) throws {
        guard let last = try RunLedger.lastBatch(db), last > batch else { return }
        throw RunError.olderThanLast(batch: batch, last: last)
    }

    private static func key(_ n: DeliveryName) -> String { "\(n.batchDate.ordinal)_\(n.komnr)_\(n.kind.rawValue)" }

    /// Runs a stage, records its timing in `run_stage`, prints a progress line, and warns when
    /// the stage leaves less than the configured margin to the deadline.
    private func stage<T>(_ name: String, _ ledger: RunLedger,
                          _ body: () throws -> (String, T)) throws -> T {
        let start = clock.now, cpuAtStart = RunStats.cpuSeconds()
        let startedAt = Timestamp.now()
        FaultPoints.enter(stage: name)
        FaultPoints.pass("stage start")
        progress("\(name) …")
        let (detail, value) = try body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        timings.append(StageTiming(stage: name, seconds: seconds, detail: detail,
                                   cpuSeconds: RunStats.cpuSeconds() - cpuAtStart))
        try ledger.recordStage(name, startedAt: startedAt, seconds: seconds, detail: detail)
        let margin = Deadline.margin(for: request.batch, at: RunClock.now())
        var line = String(format: "%@: %@ (%.1f s)", name, detail, seconds)
        if -margin > DeadlineJudgement.replayAfter {
            // a replay of an old batch: no deadline to speak of
        } else if margin < 0 {
            line += String(format: " — the 06:00 deadline passed %.0f minutes ago", -margin / 60)
        } else if margin < Double(request.config.deadlineWarningMinutes * 60) {
            line += String(format: " — WARNING: only %.0f minutes left to the 06:00 deadline", margin / 60)
        }
        progress(line)
        return value
    }

    private func collect(_ ledger: RunLedger) throws -> ([Inbox.Entry], [String]) {
        if request.acceptHeld, let k = request.municipality {
            return (try heldDeliveries(k, ledger), [])
        }
        if let file = request.file {
            guard let k = request.municipality else { return ([], []) }
            let base = (file as NSString).lastPathComponent
            guard case .success(let n) = DeliveryName.parse(base, municipalities: CodeListCatalog.standard.municipalities) else {
                throw RunError.badFile("\(base) is not named like a delivery (AMFORA_<komnr>_<yyyymmdd>.txt)")
            }
            guard n.komnr == k else { throw RunError.badFile("\(base) is municipality \(n.komnr)'s, not \(k)'s") }
            guard n.batchDate == request.batch else { throw RunError.badFile("\(base) is for batch \(n.batchDate.iso), not \(request.batch.iso)") }
            return ([Inbox.Entry(name: n, path: file)], [])
        }
        let inbox = try Inbox(directory: request.inbox, batch: request.batch)
        var entries = inbox.deliveries
        if let k = request.municipality { entries = entries.filter { $0.name.komnr == k } }
        let ignored = (inbox.ignored + inbox.ambiguous).map { "\($0.file): \($0.reason)" }
        return (entries, ignored)
    }

    private func options(for e: Inbox.Entry) -> ValidationOptions {
        var options = ValidationOptions()
        options.encoding = request.config.encodingFor[e.name.komnr]
        options.ruleSeverity = request.config.ruleSeverity
        return options
    }

    private func loadPolicy(for name: DeliveryName, dryRun: Bool = false) -> LoadPolicy {
        let c = request.config
        return LoadPolicy(shrinkThreshold: c.shrinkThreshold(name.komnr, name.kind), shrinkMinimum: c.shrinkMinimum(name.komnr, name.kind),
                          acceptShrink: request.acceptHeld, rejectThreshold: c.rejectThreshold, dryRun: dryRun)
    }

    /// Loads one delivery by `body` (given the policy and the start), and records what came of
    /// it: loaded, held, or failed (the municipality's previous data then stays).
    private func loadOne(_ e: Inbox.Entry, _ ledger: RunLedger,
                         _ body: (LoadPolicy, String) throws -> LoadOutcome) throws -> (DeliveryStatus, LoadOutcome?) {
        let file = (e.path as NSString).lastPathComponent
        let started = Timestamp.now()
        // Handled by an earlier pass from a file with the same SHA-256: nothing to do. What the
        // later stages owe it is pending in the warehouse (`PendingWork`). A rerun reloads.
        if request.municipality == nil, let done = try ledger.alreadyHandled(e.name, path: e.path) {
            return (done, nil)
        }
        let policy = loadPolicy(for: e.name)
        func status(_ state: DeliveryState, _ o: LoadOutcome?, summary: FileSummary? = nil, message: String?) -> DeliveryStatus {
            let s = o?.summary ?? summary
            return DeliveryStatus(komnr: e.name.komnr, kind: e.name.kind, state: state, file: file, records: s?.tally.records ?? 0,
                                  rejected: s?.tally.quarantined ?? 0, warnings: s?.warnings ?? 0,
                                  inserted: state == .loaded ? o?.inserted ?? 0 : 0, removed: state == .loaded ? o?.removed ?? 0 : 0,
                                  message: message)
        }
        do {
            let o = try body(policy, started)
            return (status(.loaded, o, message: nil), o)
        } catch LoadError.held(let o, let threshold, let minimum) {
            let message = LoadError.held(o, threshold: threshold, minimum: minimum).description
            try ledger.recordHeld(e.name, file: file, o, message: message, startedAt: started)
            return (status(.held, o, message: message), nil)
        } catch where RunWarehouse.isWarehouseFailure(error) {
            throw error  // the warehouse's failure (a full disk, say) is not the delivery's: the batch stops
        } catch {
            // One file's failure never stops the batch; the municipality's previous data stays.
            var summary: FileSummary?
            if case LoadError.fileRejected(let s) = error { summary = s }
            let message = CPR.scrub("\(error)")
            let sha = try? FileDigest.of(path: e.path)
            try ledger.recordFailure(e.name, file: file, sha256: sha, bytes: sha == nil ? nil : Inbox.size(of: e.path),
                                     message: message, summary: summary, startedAt: started)
            return (status(.failed, nil, summary: summary, message: message), nil)
        }
    }

    /// Applies a prepared delivery; nil when the warehouse moved on since it was prepared.
    private func applyIfCurrent(_ p: PreparedDelivery, _ loader: DeliveryLoader, policy: LoadPolicy,
                                startedAt: String) throws -> LoadOutcome? {
        do {
            return try loader.apply(p, policy: policy, startedAt: startedAt)
        } catch is PreparedDelivery.Outdated {
            return nil
        }
    }

    /// `amfora accept --dry-run`: each held delivery of the municipality is loaded as accepting
    /// would load it, described, and rolled back. Nothing is written, not even the run's row.
    public func dryRun() throws -> [String] {
        guard let k = request.municipality else { return [] }
        let (warehouse, lock) = try RunWarehouse.open(request.warehouse, config: request.config, purpose: "accept --dry-run for \(k)")
        defer { withExtendedLifetime(lock) {} }
        try Self.refuseOlderThanLast(request.batch, warehouse.sql)
        var out: [String] = []
        for e in try heldDeliveries(k, RunLedger(warehouse.sql, batch: request.batch)) {
            do {
                _ = try warehouse.stream(e, archive: nil, options: options(for: e), policy: loadPolicy(for: e.name, dryRun: true),
                                         startedAt: Timestamp.now())
            } catch LoadError.dryRun(let o, let sample) {
                out.append("\(e.name.kind.rawValue) \(ValidationOutput.pad3(k)): " + LoadError.dryRun(o, removedSample: sample).description)
                if !sample.isEmpty { out.append("  measures it would remove, for example:") }
                out += sample.map { "    " + $0 }
            }
        }
        return out
    }

    /// The municipality's held deliveries of this batch, read back from the archive.
    private func heldDeliveries(_ komnr: Int, _ ledger: RunLedger) throws -> [Inbox.Entry] {
        let archive = try DeliveryArchive(directory: RunWarehouse.archiveDirectory(request.warehouse, config: request.config))
        let out = try ledger.held(komnr).map { kind, sha in
            Inbox.Entry(name: DeliveryName(kind: kind, komnr: komnr, batchDate: request.batch), path: archive.path(for: sha))
        }
        guard !out.isEmpty else {
            throw RunError.badFile("municipality \(komnr) has no held delivery for batch \(request.batch.iso); `amfora status --municipality \(komnr)` shows its deliveries")
        }
        return out
    }
}

public enum RunError: Error, CustomStringConvertible {
    case badFile(String)
    case olderThanLast(batch: Day, last: Day)
    case noPersonKey
    public var description: String {
        switch self {
        case .badFile(let s): s
        case .noPersonKey:
            "a PostgreSQL warehouse needs its person key: set person_key_file in the config (the file `amfora init-roles` made); nothing was changed"
        case .olderThanLast(let batch, let last):
            "batch \(batch.iso) lies before the last batch run, \(last.iso): its datasets were replaced by later Fridays', " +
                "and loading it again would rewrite their history; nothing was changed. A wrong delivery of an " +
                "older Friday is corrected by the municipality's next full delivery (or `amfora rerun` of \(last.iso))"
        }
    }
}

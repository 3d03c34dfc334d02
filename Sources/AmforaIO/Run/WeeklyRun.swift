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

/// The weekly job after fetching: parse → normalise → validate → load (streamed per file, one
/// transaction per delivery) → write-down → report. Records itself in the warehouse (the
/// `run` and `run_stage` tables), skips deliveries already loaded with the same SHA-256, and
/// marks municipalities without a delivery stale (last Friday's data stays in force).
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
        let lock = try RunLock(warehouse: request.warehouse, purpose: "batch \(request.batch.iso)")
        defer { withExtendedLifetime(lock) {} }
        let warehouse = try Warehouse(path: request.warehouse)
        let db = warehouse.db
        var result = RunResult(batch: request.batch)
        let batch = Int64(request.batch.ordinal)
        try startRun(db, batch)

        let entries = try stage("collect", db) { () -> (String, [Inbox.Entry]) in
            let (entries, ignored) = try collect()
            result.ignoredFiles = ignored
            return ("\(entries.count) deliveries, \(ignored.count) other files", entries)
        }

        // What the later stages do is what the loads left pending (`PendingWork`), this run's or a
        // killed one's; the added versions this process parsed spare the reconciliation a read each.
        var parsed: [String: [(version: Reconciler.Version, activityID: Int64)]] = [:]
        let emptyAtStart = try db.scalar("SELECT count(*) FROM activity") == 0
        if emptyAtStart { try warehouse.dropIndexesForFirstLoad() }
        try stage("parse → validate → load", db) { () -> (String, Void) in
            let (loaded, skipped, failed) = try loadAll(entries, warehouse, &parsed, &result)
            return ("\(loaded) loaded, \(skipped) already loaded, \(failed) failed", ())
        }

        if emptyAtStart {
            try stage("index", db) { () -> (String, Void) in
                try warehouse.ensureIndexes()
                return ("indexes built after the first load", ())
            }
        }

        try stage("stale and missing", db) { () -> (String, Void) in
            let marked = try markAbsent(db, delivered: Set(entries.map { "\($0.name.komnr)_\($0.name.kind.rawValue)" }), &result)
            return ("\(marked.stale) stale, \(marked.missing) missing", ())
        }

        try stage("write-down", db) { () -> (String, Void) in
            guard let w = try WriteDownStage.applyPending(db, everyone: emptyAtStart) else { return ("nothing changed", ()) }
            result.writeDown = w
            return (String(format: "%d persons, %d records written down, %.1f hours a week removed",
                           w.writtenDownPersons, w.writtenDownRecords, w.hoursRemoved), ())
        }

        try stage("reconcile", db) { () -> (String, Void) in
            var changed = 0, new = 0, removed = 0, history = 0
            for p in try PendingWork.reconciliations(db) {
                let r = try ReconcileStage.apply(db, p, inMemory: parsed[Self.key(p.delivery)])
                changed += r.count(.changed)
                new += r.count(.new) + r.count(.reappeared)
                removed += r.count(.removed)
                history += r.historyChanges
            }
            return ("\(changed) changed, \(new) new, \(removed) removed, \(history) history changes", ())
        }

        try stage("report", db) { () -> (String, Void) in
            result.stages = timings
            result.marginSeconds = Deadline.margin(for: request.batch)
            result.peakResidentBytes = RunStats.peakResidentBytes()
            let path = try BatchReportWriter.write(result, warehouse: db, batch: request.batch, to: request.reports)
            return ("written to \(path)", ())
        }

        result.stages = timings
        result.marginSeconds = Deadline.margin(for: request.batch)
        try finishRun(db, batch, result)
        return result
    }

    /// Loads every delivery, one transaction each. Deliveries matched against last Friday's
    /// dataset are read, checked and matched on worker threads (`PreparationPool`), largest
    /// first, while this thread writes what changed; the rest (first datasets, reloads) stream
    /// here. Returns the counts of loaded, already loaded and failed deliveries.
    private func loadAll(_ entries: [Inbox.Entry], _ warehouse: Warehouse,
                         _ parsed: inout [String: [(version: Reconciler.Version, activityID: Int64)]],
                         _ result: inout RunResult) throws -> (Int, Int, Int) {
        let db = warehouse.db
        let loader = DeliveryLoader(warehouse: warehouse, archive: try DeliveryArchive(forWarehouse: request.warehouse))
        var streamed: [Inbox.Entry] = [], jobs: [PreparationPool.Job] = []
        for e in entries {
            if try PreparedDelivery.isPreparable(db, name: e.name) {
                jobs.append(PreparationPool.Job(entry: e, options: options(for: e), bytes: Inbox.size(of: e.path)))
            } else {
                streamed.append(e)
            }
        }
        jobs = PreparationPool.schedule(jobs)
        let pool = PreparationPool(jobs: jobs, warehouse: request.warehouse,
                                   workers: request.config.workers > 0 ? request.config.workers : PreparationPool.defaultWorkers,
                                   window: 4)
        defer { pool.stop() }
        try db.automaticCheckpoints(every: 0)
        let checkpointer = Checkpointer(path: request.warehouse)
        defer {
            checkpointer.stop()
            try? db.automaticCheckpoints(every: 1000)
        }
        var statuses: [String: DeliveryStatus] = [:]
        var loaded = 0, skipped = 0, failed = 0
        func load(_ e: Inbox.Entry, _ prepared: Result<PreparedDelivery?, any Error>) throws {
            checkpointer.keepLogSmall()
            let (status, outcome) = try loadOne(e, loader, db, prepared: prepared)
            statuses[e.path] = status
            if let outcome { parsed[Self.key(e.name)] = outcome.addedForReconciliation }
            switch status.status {
            case "loaded": loaded += 1
            case "unchanged": skipped += 1
            default: failed += 1
            }
        }
        for e in streamed { try load(e, .success(nil)) }
        for _ in jobs.indices {
            let (job, prepared) = pool.next()
            try load(job.entry, prepared)
        }
        // Reports list deliveries in the inbox's order, whatever order they were loaded in.
        result.deliveries += entries.compactMap { statuses[$0.path] }
        return (loaded, skipped, failed)
    }

    private static func key(_ n: DeliveryName) -> String { "\(n.batchDate.ordinal)_\(n.komnr)_\(n.kind.rawValue)" }

    private func startRun(_ db: Database, _ batch: Int64) throws {
        let s = try db.prepare("""
            INSERT INTO run (batch_date, deadline, started_at, status) VALUES (?, ?, ?, 'running')
            ON CONFLICT (batch_date) DO UPDATE SET status = 'running', finished_at = NULL
            """)
        try s.bind([.int(batch), .text(Timestamp.string(Deadline.due(for: request.batch))), .text(Timestamp.now())])
        try s.run()
    }

    private func finishRun(_ db: Database, _ batch: Int64, _ result: RunResult) throws {
        let s = try db.prepare("UPDATE run SET finished_at = ?, margin_seconds = ?, status = ? WHERE batch_date = ?")
        try s.bind([.text(Timestamp.now()), .int(Int64(result.marginSeconds)),
                    .text(result.needsPerson ? "needs attention" : "done"), .int(batch)])
        try s.run()
    }

    /// Runs a stage, records its timing in `run_stage`, prints a progress line, and warns when
    /// the stage leaves less than the configured margin to the deadline.
    private func stage<T>(_ name: String, _ db: Database,
                          _ body: () throws -> (String, T)) throws -> T {
        let start = clock.now
        let startedAt = Timestamp.now()
        FaultPoints.enter(stage: name)
        FaultPoints.pass("stage start")
        progress("\(name) …")
        let (detail, value) = try body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        timings.append(StageTiming(stage: name, seconds: seconds, detail: detail))
        let s = try db.prepare("INSERT INTO run_stage (batch_date, stage, started_at, seconds, detail) VALUES (?, ?, ?, ?, ?)")
        try s.bind([.int(Int64(request.batch.ordinal)), .text(name), .text(startedAt), .double(seconds), .text(detail)])
        try s.run()
        let margin = Deadline.margin(for: request.batch)
        var line = String(format: "%@: %@ (%.1f s)", name, detail, seconds)
        if margin < 0 {
            line += String(format: " — the 06:00 deadline passed %.0f minutes ago", -margin / 60)
        } else if margin < Double(request.config.deadlineWarningMinutes * 60) {
            line += String(format: " — WARNING: only %.0f minutes left to the 06:00 deadline", margin / 60)
        }
        progress(line)
        return value
    }

    private func collect() throws -> ([Inbox.Entry], [String]) {
        if request.acceptHeld, let k = request.municipality {
            return (try heldDeliveries(k), [])
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
        return options
    }

    /// Loads one delivery: the version a worker prepared if there is one, else by streaming it
    /// (also when preparing it failed: streaming reports the failure with the file's own words).
    private func loadOne(_ e: Inbox.Entry, _ loader: DeliveryLoader, _ db: Database,
                         prepared: Result<PreparedDelivery?, any Error>) throws -> (DeliveryStatus, LoadOutcome?) {
        let file = (e.path as NSString).lastPathComponent
        let started = Timestamp.now()
        // Restart: a delivery already loaded from a file with the same SHA-256 is done. A rerun reloads.
        if request.municipality == nil, let done = try alreadyLoaded(e, db) {
            return (done, nil)
        }
        let policy = LoadPolicy(shrinkThreshold: request.config.shrinkThresholdFor[e.name.komnr] ?? request.config.shrinkThreshold,
                                acceptShrink: request.acceptHeld, rejectThreshold: request.config.rejectThreshold)
        do {
            let o: LoadOutcome
            if case .success(let p?) = prepared, let applied = try applyIfCurrent(p, loader, policy: policy, startedAt: started) {
                o = applied
            } else {
                o = try loader.load(path: e.path, name: e.name, options: options(for: e), policy: policy, startedAt: started)
            }
            return (DeliveryStatus(komnr: e.name.komnr, kind: e.name.kind, status: "loaded", file: file,
                                   records: o.summary.tally.records, rejected: o.rejected, warnings: o.summary.warnings,
                                   inserted: o.inserted, removed: o.removed, message: nil), o)
        } catch LoadError.held(let o, let threshold) {
            let message = LoadError.held(o, threshold: threshold).description
            try recordHeld(e, db, o, message: message, startedAt: started)
            return (DeliveryStatus(komnr: e.name.komnr, kind: e.name.kind, status: "held", file: file, records: o.summary.tally.records,
                                   rejected: o.rejected, warnings: o.summary.warnings, inserted: 0, removed: 0, message: message), nil)
        } catch let e as SQLiteError {
            throw e  // the warehouse's failure (a full disk, say) is not the delivery's: the batch stops
        } catch {
            // One file's failure never stops the batch; the municipality's previous data stays.
            var summary: FileSummary?
            if case LoadError.fileRejected(let s) = error { summary = s }
            try? recordFailure(e, db, message: "\(error)", summary: summary, startedAt: started)
            return (DeliveryStatus(komnr: e.name.komnr, kind: e.name.kind, status: "failed", file: file,
                                   records: summary?.tally.records ?? 0, rejected: summary?.tally.quarantined ?? 0,
                                   warnings: summary?.warnings ?? 0, inserted: 0, removed: 0, message: "\(error)"), nil)
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

    /// The municipality's held deliveries of this batch, read back from the archive.
    private func heldDeliveries(_ komnr: Int) throws -> [Inbox.Entry] {
        let db = try Database(path: request.warehouse, readOnly: true)
        let s = try db.prepare("SELECT kind, sha256 FROM delivery WHERE batch_date = ? AND komnr = ? AND status = 'held'")
        try s.bind([.int(Int64(request.batch.ordinal)), .int(Int64(komnr))])
        let archive = try DeliveryArchive(forWarehouse: request.warehouse)
        var out: [Inbox.Entry] = []
        while try s.step() {
            guard let kind = s.text(0).flatMap(RecordKind.init(rawValue:)), let sha = s.text(1) else { continue }
            out.append(Inbox.Entry(name: DeliveryName(kind: kind, komnr: komnr, batchDate: request.batch), path: archive.path(for: sha)))
        }
        guard !out.isEmpty else { throw RunError.badFile("municipality \(komnr) has no held delivery for batch \(request.batch.iso)") }
        return out
    }

    /// A held delivery: last Friday's dataset stays; the file is archived for `amfora accept`.
    private func recordHeld(_ e: Inbox.Entry, _ db: Database, _ o: LoadOutcome, message: String, startedAt: String) throws {
        let s = try db.prepare("""
            INSERT OR REPLACE INTO delivery (batch_date, komnr, kind, status, file, sha256, bytes, encoding, lines, records,
                rejected, warnings, blank_lines, started_at, finished_at, message)
            VALUES (?, ?, ?, 'held', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let t = o.summary.tally
        try s.bind([.int(Int64(request.batch.ordinal)), .int(Int64(e.name.komnr)), .text(e.name.kind.rawValue),
                    .text((e.path as NSString).lastPathComponent), .text(o.sha256), .int(Int64(o.bytes)),
                    .text(o.summary.encoding?.rawValue ?? ""), .int(Int64(t.lines)), .int(Int64(t.records)),
                    .int(Int64(t.quarantined)), .int(Int64(o.summary.warnings)), .int(Int64(t.blankLines)),
                    .text(startedAt), .text(Timestamp.now()), .text(message)])
        try s.run()
    }

    private func alreadyLoaded(_ e: Inbox.Entry, _ db: Database) throws -> DeliveryStatus? {
        let s = try db.prepare("""
            SELECT sha256, bytes, records, rejected, warnings FROM delivery
            WHERE batch_date = ? AND komnr = ? AND kind = ? AND status = 'loaded'
            """)
        try s.bind([.int(Int64(request.batch.ordinal)), .int(Int64(e.name.komnr)), .text(e.name.kind.rawValue)])
        guard try s.step(), let sha = s.text(0) else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: e.path)[.size] as? NSNumber)?.intValue ?? -1
        guard size == Int(s.int(1)) else { return nil }
        guard try FileDigest.of(path: e.path) == sha else { return nil }
        return DeliveryStatus(komnr: e.name.komnr, kind: e.name.kind, status: "unchanged",
                              file: (e.path as NSString).lastPathComponent, records: Int(s.int(2)), rejected: Int(s.int(3)),
                              warnings: Int(s.int(4)), inserted: 0, removed: 0, message: "already loaded (same SHA-256)")
    }

    private func recordFailure(_ e: Inbox.Entry, _ db: Database, message: String, summary: FileSummary?, startedAt: String) throws {
        try db.transaction {
            let k = Int64(e.name.komnr), b = Int64(request.batch.ordinal)
            let del = try db.prepare("DELETE FROM reject WHERE batch_date = ? AND komnr = ? AND kind = ?")
            try del.bind([.int(b), .int(k), .text(e.name.kind.rawValue)])
            try del.run()
            let ins = try db.prepare("""
                INSERT INTO reject (batch_date, komnr, kind, file, line_no, severity, rule, field, value, message)
                VALUES (?, ?, ?, ?, ?, 'error', ?, NULL, NULL, ?)
                """)
            for f in summary?.fileFindings ?? [] where f.severity == .error {
                try ins.bind([.int(b), .int(k), .text(e.name.kind.rawValue), .text((e.path as NSString).lastPathComponent),
                              f.line.map { .int(Int64($0)) } ?? .null, .text(f.rule), .text(f.message)])
                try ins.run()
            }
            let s = try db.prepare("""
                INSERT OR REPLACE INTO delivery (batch_date, komnr, kind, status, file, records, rejected, warnings,
                    started_at, finished_at, message) VALUES (?, ?, ?, 'failed', ?, ?, ?, ?, ?, ?, ?)
                """)
            try s.bind([.int(b), .int(k), .text(e.name.kind.rawValue), .text((e.path as NSString).lastPathComponent),
                        .int(Int64(summary?.tally.records ?? 0)), .int(Int64(summary?.tally.quarantined ?? 0)),
                        .int(Int64(summary?.warnings ?? 0)), .text(startedAt), .text(Timestamp.now()), .text(CPR.scrub(message))])
            try s.run()
        }
    }

    /// Municipalities (and kinds) with no delivery this batch keep last Friday's dataset: `stale`
    /// when they have one, `missing` when they never delivered.
    private func markAbsent(_ db: Database, delivered: Set<String>, _ result: inout RunResult) throws -> (stale: Int, missing: Int) {
        var stale = 0, missing = 0
        let b = Int64(request.batch.ordinal)
        let municipalities = request.municipality.map { [$0] } ?? CodeListCatalog.standard.municipalities.keys.sorted()
        let exists = try db.prepare("SELECT status FROM delivery WHERE batch_date = ? AND komnr = ? AND kind = ?")
        let previous = try db.prepare("""
            SELECT file, records FROM delivery WHERE komnr = ? AND kind = ? AND status = 'loaded' AND batch_date < ?
            ORDER BY batch_date DESC LIMIT 1
            """)
        let insert = try db.prepare("""
            INSERT INTO delivery (batch_date, komnr, kind, status, file, records, message) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try db.transaction {
            for k in municipalities {
                for kind in RecordKind.allCases where !delivered.contains("\(k)_\(kind.rawValue)") {
                    try exists.bind([.int(b), .int(Int64(k)), .text(kind.rawValue)])
                    let has = try exists.step()
                    let existing = has ? exists.text(0) : nil
                    exists.reset()
                    if has, existing != "stale", existing != "missing" { continue }  // loaded earlier in this batch
                    try previous.bind([.int(Int64(k)), .text(kind.rawValue), .int(b)])
                    let isStale = try previous.step()
                    let file = isStale ? previous.text(0) : nil
                    let records = isStale ? previous.int(1) : 0
                    previous.reset()
                    let status = isStale ? "stale" : "missing"
                    if isStale { stale += 1 } else { missing += 1 }
                    if !has {
                        try insert.bind([.int(b), .int(Int64(k)), .text(kind.rawValue), .text(status), file.map { .text($0) } ?? .null,
                                         .int(records), .text(isStale ? "no delivery this batch; last loaded dataset (\(file ?? "")) stays in force" : "no delivery ever received")])
                        try insert.run()
                    }
                    result.deliveries.append(DeliveryStatus(komnr: k, kind: kind, status: status, file: file, records: Int(records),
                                                            rejected: 0, warnings: 0, inserted: 0, removed: 0, message: nil))
                }
            }
        }
        return (stale, missing)
    }
}

public enum RunError: Error, CustomStringConvertible {
    case badFile(String)
    public var description: String {
        switch self { case .badFile(let s): s }
    }
}

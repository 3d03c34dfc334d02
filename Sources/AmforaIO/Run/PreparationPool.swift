import AmforaCore
import Foundation

/// Worker threads that prepare deliveries (`PreparedDelivery.prepare`) ahead of the writer, at
/// most `window` deliveries ahead of it so that memory stays bounded. Each worker
/// reads the warehouse through a connection of its own (SQLite's WAL and PostgreSQL's snapshots
/// let readers run beside the writer). The writer takes the results as they come with `next()`.
final class PreparationPool: @unchecked Sendable {
    struct Job: Sendable {
        let entry: Inbox.Entry
        let options: ValidationOptions
        /// The file's size, for `schedule`.
        let bytes: Int
    }

    /// What a worker reads a delivery's basis and dataset in force with (`PreparedDelivery.snapshot`).
    typealias Reader = (DeliveryName) throws -> PreparedDelivery.Snapshot?

    private let jobs: [Job]
    /// Opens a worker's reader, on the worker's own thread: a connection belongs to the thread
    /// that opened it (SQLite's NOMUTEX; a libpq connection is one conversation).
    private let openReader: @Sendable () throws -> Reader
    private let window: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    /// Jobs started from the largest end (`front`) and from the smallest (`back`, exclusive).
    private var front = 0
    private var back: Int
    private var taken = 0
    private var stopped = false
    private var results: [Int: Result<PreparedDelivery?, any Error>] = [:]

    init(jobs: [Job], reader openReader: @escaping @Sendable () throws -> Reader, workers: Int, window: Int) {
        self.jobs = jobs
        self.openReader = openReader
        self.window = max(window, workers)
        back = jobs.count
        for w in 0..<min(workers, jobs.count) {
            let thread = Thread { [self] in work(largestFirst: w == 0) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Readers of an SQLite warehouse: a read-only connection each.
    static func sqliteReader(_ path: String) -> @Sendable () throws -> Reader {
        {
            let db = try Database(path: path, readOnly: true)
            return { name in try PreparedDelivery.snapshot(db, name) { try CurrentVersions.read(db, name) } }
        }
    }

    /// Readers of a PostgreSQL warehouse: a connection each, acting as the loader.
    static func postgresReader(_ location: PostgresLocation, key: PersonKey) -> @Sendable () throws -> Reader {
        {
            let c = try PostgresWarehouse.reader(location)
            let store = PostgresDeliveryStore(connection: c, personKey: key)
            return { name in try PreparedDelivery.snapshot(c, name) { try store.currentVersions(name) } }
        }
    }

    /// Jobs largest first. The first worker starts at the largest end, the others at the
    /// smallest: the large ones start early, so none is left running alone at the end, and the
    /// small ones give the writer work from the first moment instead of waiting for a large one.
    static func schedule(_ jobs: [Job]) -> [Job] {
        jobs.sorted { $0.bytes > $1.bytes }
    }

    /// Worker threads for this machine: every core; they yield to the writer when it has work.
    static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// A finished job (whichever finishes first: a large delivery does not hold up the small
    /// ones behind it) with its result; waits for one. The result is nil when it is better streamed.
    func next() -> (job: Job, result: Result<PreparedDelivery?, any Error>) {
        condition.lock()
        defer { condition.unlock() }
        precondition(taken < jobs.count, "more results taken than jobs given")
        while results.isEmpty { condition.wait() }
        let (k, result) = results.first!
        results[k] = nil
        taken += 1
        condition.broadcast()
        return (jobs[k], result)
    }

    /// No more jobs are started (the writer gave up); jobs under way finish and are dropped.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Workers run at a lower priority than the writer: its single thread is the load's
    /// critical path, and when the cores are busy it should not wait for a worker that is
    /// merely working ahead. (Linux keeps a nice value per thread; elsewhere this is a no-op.)
    private static func yieldToTheWriter() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    private func work(largestFirst: Bool) {
        Self.yieldToTheWriter()
        let reader = Result { try openReader() }
        while let k = claim(largestFirst: largestFirst) {
            let job = jobs[k]
            let result = Result {
                try PreparedDelivery.prepare(path: job.entry.path, name: job.entry.name, options: job.options,
                                             against: try reader.get()(job.entry.name))
            }
            condition.lock()
            results[k] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next job to start, once the writer is close enough behind; nil when all are started.
    private func claim(largestFirst: Bool) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped, front < back, started >= taken + window { condition.wait() }
        guard !stopped, front < back else { return nil }
        if largestFirst {
            front += 1
            return front - 1
        }
        back -= 1
        return back
    }

    private var started: Int { front + jobs.count - back }
}

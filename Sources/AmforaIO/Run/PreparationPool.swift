import AmforaCore
import Foundation

/// Worker threads that prepare deliveries (`PreparedDelivery.prepare`) ahead of the writer, at
/// most `window` deliveries ahead of it so that memory stays bounded. Each worker
/// reads the warehouse through its own read-only connection (WAL lets readers run beside the
/// writer). The writer takes the results as they come with `next()`.
final class PreparationPool: @unchecked Sendable {
    struct Job: Sendable {
        let entry: Inbox.Entry
        let options: ValidationOptions
        /// The file's size, for `schedule`.
        let bytes: Int
    }

    private let jobs: [Job]
    private let warehouse: String
    private let window: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var started = 0
    private var taken = 0
    private var stopped = false
    private var results: [Int: Result<PreparedDelivery?, any Error>] = [:]

    init(jobs: [Job], warehouse: String, workers: Int, window: Int) {
        self.jobs = jobs
        self.warehouse = warehouse
        self.window = max(window, workers)
        for _ in 0..<min(workers, jobs.count) {
            let thread = Thread { [self] in work() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The order to start jobs in: largest, smallest, second largest, second smallest, … The
    /// large ones start early, so none is left running alone at the end; the small ones in
    /// between give the writer work from the first moment instead of waiting for a large one.
    static func schedule(_ jobs: [Job]) -> [Job] {
        let bySize = jobs.sorted { $0.bytes > $1.bytes }
        var out: [Job] = []
        out.reserveCapacity(jobs.count)
        var (i, j) = (0, bySize.count - 1)
        while i <= j {
            out.append(bySize[i])
            if i < j { out.append(bySize[j]) }
            (i, j) = (i + 1, j - 1)
        }
        return out
    }

    /// Worker threads for this machine: every core, since the writer mostly waits for them.
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

    private func work() {
        // A connection belongs to the thread that opened it (SQLite's NOMUTEX).
        let reader = Result { try Database(path: warehouse, readOnly: true) }
        while let k = claim() {
            let job = jobs[k]
            let result = Result {
                try PreparedDelivery.prepare(path: job.entry.path, name: job.entry.name, options: job.options,
                                             reader: try reader.get())
            }
            condition.lock()
            results[k] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next job to start, once the writer is close enough behind; nil when all are started.
    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped, started < jobs.count, started >= taken + window { condition.wait() }
        guard !stopped, started < jobs.count else { return nil }
        started += 1
        return started - 1
    }
}

public import Foundation

/// Test hooks for the crash-point suite (`scripts/crash_points.py`), read once from the
/// environment; without them every call here is one branch on a constant.
///
/// - `AMFORA_FAULT_TRACE=FILE` appends `<n>\t<stage>\t<point>` for every fault point passed, so
///   the suite knows how many there are and where they stand.
/// - `AMFORA_FAULT_KILL_AT=N` makes the process `SIGKILL` itself at the N-th point: a real
///   `kill -9` at a known moment, never a race with a timer.
/// - `AMFORA_FAULT_MAX_PAGES=N` limits the warehouse to N pages (`PRAGMA max_page_count`), so that
///   a write past it fails as a full disk does (`SQLITE_FULL`).
///
/// Points stand before and after every commit, and before each report file is put in place.
public enum FaultPoints {
    private static let state = State()

    /// The stage the points passed now belong to (for the trace).
    public static func enter(stage: String) { state.enter(stage) }

    /// A fault point.
    public static func pass(_ point: String) { state.pass(point) }

    static var maxPages: Int? { state.maxPages }

    private final class State: @unchecked Sendable {
        let trace: String?
        let killAt: Int?
        let maxPages: Int?
        let enabled: Bool
        private let lock = NSLock()
        private var count = 0
        private var stage = "start"

        init() {
            let env = ProcessInfo.processInfo.environment
            trace = env["AMFORA_FAULT_TRACE"].flatMap { $0.isEmpty ? nil : $0 }
            killAt = env["AMFORA_FAULT_KILL_AT"].flatMap { Int($0) }
            maxPages = env["AMFORA_FAULT_MAX_PAGES"].flatMap { Int($0) }
            enabled = trace != nil || killAt != nil
        }

        func enter(_ name: String) {
            guard enabled else { return }
            lock.withLock { stage = name }
        }

        func pass(_ point: String) {
            guard enabled else { return }
            lock.lock()
            defer { lock.unlock() }
            count += 1
            if let trace {
                let fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
                if fd >= 0 {
                    let line = "\(count)\t\(stage)\t\(point)\n"
                    _ = line.withCString { write(fd, $0, strlen($0)) }
                    close(fd)
                }
            }
            if count == killAt { kill(getpid(), SIGKILL) }
        }
    }
}

/// The time the run goes by. `AMFORA_TEST_NOW=2024-11-08T03:30:00+01:00` sets it for a test (a
/// batch judged on time, or late, without waiting for a Friday); otherwise it is the system clock.
public enum RunClock {
    private static let fixed: Date? = ProcessInfo.processInfo.environment["AMFORA_TEST_NOW"]
        .flatMap { ISO8601DateFormatter().date(from: $0) }

    public static func now() -> Date { fixed ?? Date() }
}

import Foundation

/// A long read on a thread and a read-only connection of its own, beside the caller's work on
/// its connection, so that the two share the two cores. The read sees the last commit, never
/// the caller's uncommitted changes. Used by the write-down (`EarlierStretches`) and the §54
/// extracts (`PassBeside`).
final class ReadBeside<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let body: (Database) throws -> T
    /// Set by the thread before it signals `done`; read only after `done`.
    private var result: Result<T, any Error>?
    private var waited = false

    init(_ path: String, _ body: @escaping (Database) throws -> T) {
        self.body = body
        let thread = Thread { [self] in
            result = Result { try self.body(Database(path: path, readOnly: true)) }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the thread (once); what the read returned, or the error it met.
    func finish() throws -> T {
        if !waited {
            done.wait()
            waited = true
        }
        return try result!.get()
    }
}

import CSQLite
import Foundation

/// Copies the write-ahead log back into the database on a thread of its own while a load
/// writes. Left to the writer, every thousand pages it would stop to copy them and to wait for
/// two fsyncs; here that overlaps the writing. A passive checkpoint never blocks the writer.
///
/// SQLite starts the log from the beginning again only when a write transaction begins with
/// everything copied, which a writer that never pauses never sees: so the writer calls
/// `keepLogSmall(db)` between transactions, which waits for the copying once its log has grown
/// past `limit` frames. Without that the log grows by every page written all load long. The
/// writer's own count of the frames in its log decides (`Database.logFrames`, from SQLite's WAL
/// hook at each commit), never what this thread saw last: so the log never holds more than
/// `limit` frames and one transaction, however busy the machine.
final class Checkpointer: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var stopped = false
    private var finished = false
    /// Frames in the log, and of those copied, as of the last checkpoint.
    private var logFrames: Int32 = 0
    private var copiedFrames: Int32 = 0
    private var round = 0
    /// The writer waits for the copying: no pause between rounds.
    private var waiting = false
    private let limit: Int32

    /// The writer's connection should have automatic checkpoints off meanwhile (`Database.automaticCheckpoints`).
    init(path: String, limit: Int32 = 32_768, interval: Double = 0.02) {
        self.limit = limit
        let thread = Thread { [self] in
            let db = try? Database(path: path)
            // A connection learns the database is in WAL mode on its first read.
            try? db?.execute("PRAGMA journal_mode = WAL")
            while !waitOrStop(interval) { record(db?.checkpointPassively()) }
            record(db?.checkpointPassively())
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Between transactions: once the writer's log is past the limit, waits until it is all
    /// copied, so that the next transaction starts the log from the beginning.
    func keepLogSmall(_ writer: Database) {
        let frames = writer.logFrames
        guard frames > limit else { return }
        condition.lock()
        defer { condition.unlock() }
        // Two rounds: the first may have started before the writer's last commit.
        let target = round + 2
        while !finished, round < target || copiedFrames < max(logFrames, frames) {
            waiting = true
            condition.broadcast()
            condition.wait()
        }
        waiting = false
    }

    /// Stops after one last checkpoint, and waits for it.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func record(_ frames: (log: Int32, copied: Int32)?) {
        condition.lock()
        if let frames { (logFrames, copiedFrames) = frames }
        round += 1
        condition.broadcast()
        condition.unlock()
    }

    /// True once stopped.
    private func waitOrStop(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !stopped, !waiting { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return stopped
    }
}

extension Database {
    /// Copies what it can of the log into the database without waiting for anyone; returns the
    /// frames in the log and how many of them are copied (nil if it could not run).
    @discardableResult
    func checkpointPassively() -> (log: Int32, copied: Int32)? {
        var log: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        return rc == SQLITE_OK && log >= 0 ? (log, copied) : nil
    }

    /// SQLite's own checkpoint after every `pages` pages the log grows (0: never, and the log's
    /// frames are counted at each commit instead: `logFrames`).
    func automaticCheckpoints(every pages: Int) throws {
        try execute("PRAGMA wal_autocheckpoint = \(pages)")
        guard pages == 0 else { return }
        // The hook replaces SQLite's automatic checkpoint, which is off here anyway.
        sqlite3_wal_hook(handle, { context, _, _, frames in
            Unmanaged<LogFrames>.fromOpaque(context!).takeUnretainedValue().count = frames
            return SQLITE_OK
        }, Unmanaged.passUnretained(walFrames).toOpaque())
    }

    /// Frames in this connection's write-ahead log after its last commit (with automatic checkpoints off).
    var logFrames: Int32 { walFrames.count }
}

/// The frame count SQLite's WAL hook reports, kept by the connection it belongs to.
final class LogFrames: @unchecked Sendable {
    var count: Int32 = 0
}

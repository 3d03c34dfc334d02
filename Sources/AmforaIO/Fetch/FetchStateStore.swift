public import AmforaCore
import Foundation

/// The fetch ledger, kept beside the deliveries it describes as a hidden JSON file written
/// whole (temp + fsync + rename): after a crash it is the old state or the new one.
public struct FetchStateStore: Sendable {
    public static let fileName = ".amfora-fetch-state.json"

    public let inbox: String
    public var path: String { inbox + "/" + Self.fileName }

    public init(inbox: String) { self.inbox = inbox }

    /// An absent file is a first run. A damaged one stops the run: guessing would break
    /// exactly-once in one direction or the other.
    public func load() throws(SourceError) -> FetchLedger {
        guard let bytes = try FileSystem.readAll(path) else { return FetchLedger() }
        let ledger: FetchLedger
        do {
            ledger = try JSONDecoder().decode(FetchLedger.self, from: Data(bytes))
        } catch {
            throw SourceError(.local, "the fetch state \(path) is damaged (\(error)); restore it from a backup, or move it away to fetch every delivery of the batch again")
        }
        guard ledger.version == FetchLedger.currentVersion else {
            throw SourceError(.local, "the fetch state \(path) has version \(ledger.version), this amfora knows \(FetchLedger.currentVersion)")
        }
        return ledger
    }

    public func save(_ ledger: FetchLedger) throws(SourceError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(ledger) } catch {
            throw SourceError(.local, "cannot encode the fetch state: \(error)")
        }
        try FileSystem.writeAtomically([UInt8](data), to: path)
    }
}

/// One fetch per inbox at a time (cron and an operator's rerun must not interleave): an
/// exclusive flock on the inbox directory itself, released when the process ends.
final class InboxLock {
    private let fd: Int32

    init(inbox: String) throws(SourceError) {
        fd = open(inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError(.local, "cannot open the inbox \(inbox): \(FileSystem.errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SourceError(.local, "another amfora fetch is working on the inbox \(inbox); try again when it is done")
        }
    }

    /// Unlocked before the close: a child process this one is spawning shares the lock's open
    /// file description from its fork to its exec, and a close alone would leave the lock held
    /// by that copy for that instant (a test once saw its own next fetch refused so).
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

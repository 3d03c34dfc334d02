import Foundation
import Testing
@testable import AmforaCore
@testable import AmforaIO

/// A local directory as --source behaves as the server does; and the run-level rules that do
/// not need a server (time budget, state file, inbox = source).
@Suite struct LocalSourceTests {
    func fetch(_ f: FetchFixture, _ options: FetchOptions = FetchFixture.options()) throws -> FetchSummary {
        let source = try Fetcher.openSource(f.root, connection: ConnectionOptions())
        return try Fetcher.fetch(source: source, inbox: f.inbox, batchDate: FetchFixture.batch, options: options)
    }

    @Test func sameRulesAsTheServer() throws {
        let f = FetchFixture()
        let bytes = f.put("AMFORA_101_20241108.txt")
        f.put("AMFORA_147_20241108.txt", age: 1)
        f.put("notes.txt")
        let s = try fetch(f, FetchFixture.options(minAge: 60))
        #expect(f.outcomes(s)["AMFORA_101_20241108.txt"] == .fetched(bytes: 3_000, sha256: sha256(bytes)))
        guard case .incomplete(.tooYoung) = f.outcomes(s)["AMFORA_147_20241108.txt"] else {
            Issue.record("young file fetched")
            return
        }
        #expect(try fetch(f).items.count == 2)  // now 147 too, and 101 unchanged
    }

    @Test func aSpentTimeBudgetStartsNothing() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        var options = FetchFixture.options()
        options.timeBudget = 0
        let s = try fetch(f, options)
        #expect(f.outcomes(s)["AMFORA_101_20241108.txt"] == .notStarted)
        #expect(s.exitCode == 1)
        #expect(f.inboxFile("AMFORA_101_20241108.txt") == nil)
    }

    @Test func theDefaultBudgetRunsToTheFridayDeadlineButNeverBelowTenMinutes() {
        var o = FetchOptions()
        o.timeBudget = nil
        #expect(Fetcher.budget(o, batch: Day(iso: "2000-01-07")!) == 600)
        #expect(Fetcher.budget(o, batch: Deadline.defaultBatch() + 7) > 6 * 86_400)
    }

    @Test func aDamagedStateFileStopsTheRun() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        try FileManager.default.createDirectory(atPath: f.inbox, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: f.inbox + "/" + FetchStateStore.fileName, contents: Data("{oops".utf8))
        #expect(throws: SourceError.self) { _ = try fetch(f) }
    }

    @Test func leftoversOfAnInterruptedRunAreCleared() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        try FileManager.default.createDirectory(atPath: f.inbox, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: f.inbox + "/.AMFORA_101_20241108.txt" + PartialFile.suffix, contents: Data([9]))
        _ = try fetch(f)
        #expect(f.inboxNames == [FetchStateStore.fileName, "AMFORA_101_20241108.txt"])
    }

    @Test func sourceAndInboxMustDiffer() throws {
        let f = FetchFixture()
        let source = try Fetcher.openSource(f.root, connection: ConnectionOptions())
        #expect(throws: SourceError.self) {
            _ = try Fetcher.fetch(source: source, inbox: f.root, batchDate: FetchFixture.batch, options: FetchFixture.options())
        }
    }

    @Test func aMissingSourceDirectory() {
        #expect(throws: SourceError.self) { _ = try Fetcher.openSource("/no/such/dir", connection: ConnectionOptions()) }
    }

    /// The digest written to the ledger is SHA-256 of the bytes in the inbox, whatever the chunking.
    @Test func theRecordedHashIsTheFilesSHA256() throws {
        let f = FetchFixture()
        let bytes = f.put("AMFORA_101_20241108.txt", size: 3_000_001)
        _ = try fetch(f)
        #expect(try FetchStateStore(inbox: f.inbox).load().files["AMFORA_101_20241108.txt"]?.sha256 == sha256(bytes))
    }
}

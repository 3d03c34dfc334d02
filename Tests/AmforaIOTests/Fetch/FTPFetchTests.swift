import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore
@testable import AmforaIO

/// The fetch stage against a real FTP server with explicit TLS (AUTH TLS, PROT P) on 127.0.0.1.
@Suite struct FTPFetchTests {
    let deliveries = ["AMFORA_101_20241108.txt", "HJAELP1_101_20241108.txt", "HJAELP2_101_20241108.txt",
                      "AMFORA_147_20241108.txt", "HJAELP2_147_20241108.dat", "amfora_851_20241108.txt"]

    @Test func fetchesTheBatchThenASecondRunIsANoOp() throws {
        let f = FetchFixture()
        var contents: [String: [UInt8]] = [:]
        for name in deliveries { contents[name] = f.put(name, size: Int.random(in: 1_000...50_000)) }
        f.put("AMFORA_101_20241101.txt")  // last week's, still on the server
        f.put("README.txt")
        let server = try FTPTestServer(root: f.root, extra: ["--connections", f.dir + "/connections"])

        let first = try f.fetch(server)
        #expect(first.items.count == deliveries.count)
        #expect(first.items.allSatisfy { if case .fetched = $0.outcome { true } else { false } })
        #expect(first.exitCode == 0)
        #expect(!first.plaintext)
        for (name, bytes) in contents {
            #expect(f.inboxFile(name) == bytes, "\(name)")
            #expect(f.outcomes(first)[name] == .fetched(bytes: Int64(bytes.count), sha256: sha256(bytes)))
        }
        // The inbox receives deliveries and nothing else (plus the hidden state).
        #expect(f.inboxNames == ([FetchStateStore.fileName] + deliveries).sorted())
        #expect(first.ignored.map(\.name).sorted() == ["AMFORA_101_20241101.txt", "README.txt"])
        // One control connection for the listing and all six files.
        let connections = try String(contentsOfFile: f.dir + "/connections", encoding: .utf8)
        #expect(connections.split(separator: "\n").count == 1)

        let second = try f.fetch(server)
        #expect(second.items.allSatisfy { $0.outcome == .unchanged })
        #expect(second.exitCode == 0)
        let ledger = try FetchStateStore(inbox: f.inbox).load()
        #expect(ledger.files["HJAELP2_147_20241108.dat"]?.sha256 == sha256(contents["HJAELP2_147_20241108.dat"]!))
    }

    @Test func aReuploadedFileIsFetchedAgainAsARedelivery() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        f.put("AMFORA_147_20241108.txt")
        let server = try FTPTestServer(root: f.root)
        _ = try f.fetch(server)

        let corrected = f.put("AMFORA_101_20241108.txt", size: 4_000, age: 600)
        let again = try f.fetch(server)
        #expect(f.outcomes(again)["AMFORA_101_20241108.txt"]
                == .redelivered(bytes: 4_000, sha256: sha256(corrected), sameBytes: false))
        #expect(f.outcomes(again)["AMFORA_147_20241108.txt"] == .unchanged)
        #expect(f.inboxFile("AMFORA_101_20241108.txt") == corrected)
        #expect(again.exitCode == 0)
        #expect(FetchReport.lines(again, municipalities: [:]).joined().contains("redelivered with new content"))
    }

    @Test func aFileStillGrowingIsSkippedAndPickedUpLater() throws {
        let f = FetchFixture()
        let name = "AMFORA_101_20241108.txt"
        f.put(name)
        f.put("AMFORA_147_20241108.txt")
        // The server appends to the file before each of the next two listings: a slow upload.
        let server = try FTPTestServer(root: f.root, extra: ["--grow", "\(name):2"])

        let first = try f.fetch(server, options: FetchFixture.options(interval: 0.2))
        #expect(f.outcomes(first)[name] == .incomplete(.changedBetweenListings(sizeBefore: 4_000, sizeAfter: 5_000)))
        #expect(f.outcomes(first)["AMFORA_147_20241108.txt"] == .fetched(bytes: 3_000, sha256: sha256(f.inboxFile("AMFORA_147_20241108.txt")!)))
        #expect(first.exitCode == 1)
        #expect(f.inboxFile(name) == nil)

        let later = try f.fetch(server, options: FetchFixture.options(interval: 0.2))
        let final = [UInt8](FileManager.default.contents(atPath: f.root + "/" + name)!)
        #expect(final.count == 5_000)
        #expect(f.outcomes(later)[name] == .fetched(bytes: 5_000, sha256: sha256(final)))
        #expect(f.inboxFile(name) == final)
        #expect(later.exitCode == 0)
    }

    @Test func aYoungFileOrOneWithoutItsDoneMarkerWaits() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt", age: 5)
        f.put("AMFORA_101_20241108.txt.done", bytes: [])
        f.put("AMFORA_147_20241108.txt")
        let server = try FTPTestServer(root: f.root)
        var options = FetchFixture.options(minAge: 60)
        options.completeness.requireDoneMarker = true
        let first = try f.fetch(server, options: options)
        #expect(f.outcomes(first)["AMFORA_147_20241108.txt"] == .incomplete(.noDoneMarker))
        guard case .incomplete(.tooYoung) = f.outcomes(first)["AMFORA_101_20241108.txt"] else {
            Issue.record("a 5 s old file was not held back")
            return
        }
        #expect(first.exitCode == 1)

        f.setAge("AMFORA_101_20241108.txt", 600)
        f.put("amfora_147_20241108.TXT.done", bytes: [])
        let second = try f.fetch(server, options: options)
        #expect(second.items.count == 2)
        #expect(second.items.allSatisfy { if case .fetched = $0.outcome { true } else { false } })
        #expect(second.ignored.isEmpty)  // markers are not "not a delivery"
        #expect(!f.inboxNames.contains { $0.lowercased().hasSuffix(".done") })
    }

    @Test func aDroppedConnectionIsResumedAndTheFileIsWhole() throws {
        let f = FetchFixture()
        let name = "AMFORA_101_20241108.txt"
        let bytes = f.put(name, size: 2_000_000)
        let server = try FTPTestServer(root: f.root, extra: ["--drop", "\(name):700000:2"])
        let s = try f.fetch(server)
        #expect(f.outcomes(s)[name] == .fetched(bytes: 2_000_000, sha256: sha256(bytes)))
        #expect(f.inboxFile(name) == bytes)
        #expect(f.inboxNames == [FetchStateStore.fileName, name])  // no temporary left behind
    }

    @Test func aStalledTransferIsBrokenOffAndResumed() throws {
        let f = FetchFixture()
        let name = "AMFORA_101_20241108.txt"
        let bytes = f.put(name, size: 1_000_000)
        let server = try FTPTestServer(root: f.root, extra: ["--stall", "\(name):500:3", "--connections", f.dir + "/connections"])
        let source = try Fetcher.openSource(server.url(), connection: {
            var c = FetchFixture.connection(ca: server.caFile)
            c.lowSpeedLimit = 1_000  // below 1 kB/s for 1 s: broken off, long before the stall ends
            c.lowSpeedTime = 1
            return c
        }(), environment: server.environment, home: f.dir)
        let started = Date()
        let s = try Fetcher.fetch(source: source, inbox: f.inbox, batchDate: FetchFixture.batch, options: FetchFixture.options())
        #expect(f.outcomes(s)[name] == .fetched(bytes: 1_000_000, sha256: sha256(bytes)))
        #expect(Date().timeIntervalSince(started) < 10)
        // curl gave up on the stalled connection and came back on a new one.
        let connections = try String(contentsOfFile: f.dir + "/connections", encoding: .utf8)
        #expect(connections.split(separator: "\n").count >= 2)
    }

    @Test func aFileReplacedBetweenAttemptsIsNotStitchedTogether() throws {
        let f = FetchFixture()
        let name = "AMFORA_101_20241108.txt"
        f.put(name, size: 1_000_000)
        let server = try FTPTestServer(root: f.root, extra: ["--drop", "\(name):300000", "--replace-on-drop"])
        let s = try f.fetch(server)
        guard case .failed(let why) = f.outcomes(s)[name] else {
            Issue.record("a resumed download across two uploads was accepted")
            return
        }
        #expect(why.contains("changed on the server"))
        #expect(f.inboxFile(name) == nil)
        let replaced = [UInt8](FileManager.default.contents(atPath: f.root + "/" + name)!)
        let again = try f.fetch(server)
        #expect(f.outcomes(again)[name] == .fetched(bytes: 1_000_000, sha256: sha256(replaced)))
    }

    @Test func withoutRESTTheTransferStartsAgainFromTheBeginning() throws {
        let f = FetchFixture()
        let name = "HJAELP1_851_20241108.txt"
        let bytes = f.put(name, size: 1_000_000)
        let server = try FTPTestServer(root: f.root, extra: ["--drop", "\(name):300000", "--no-rest"])
        let s = try f.fetch(server)
        #expect(f.outcomes(s)[name] == .fetched(bytes: 1_000_000, sha256: sha256(bytes)))
        #expect(f.inboxFile(name) == bytes)
    }

    @Test func aDropOnEveryAttemptFailsThatFileOnly() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt", size: 500_000)
        let good = f.put("AMFORA_147_20241108.txt")
        let server = try FTPTestServer(root: f.root, extra: ["--drop", "AMFORA_101_20241108.txt:1000:99", "--no-rest"])
        let s = try f.fetch(server, options: FetchFixture.options(retries: 1))
        guard case .failed(let why) = f.outcomes(s)["AMFORA_101_20241108.txt"] else {
            Issue.record("expected a failure")
            return
        }
        #expect(why.contains("tried 2 times"))
        #expect(f.inboxFile("AMFORA_147_20241108.txt") == good)
        #expect(f.inboxFile("AMFORA_101_20241108.txt") == nil)
        #expect(s.exitCode == 1)
        // Not remembered: the next run tries again.
        #expect(try FetchStateStore(inbox: f.inbox).load().files.keys.sorted() == ["AMFORA_147_20241108.txt"])
    }

    @Test func aServerWithoutMLSDIsListedWithNLSTSizeAndMDTM() throws {
        let f = FetchFixture()
        let bytes = f.put("AMFORA_101_20241108.txt")
        f.put("README.txt")
        let server = try FTPTestServer(root: f.root, extra: ["--no-mlsd"])
        let first = try f.fetch(server, options: FetchFixture.options(interval: 0.1))
        #expect(f.outcomes(first)["AMFORA_101_20241108.txt"] == .fetched(bytes: 3_000, sha256: sha256(bytes)))
        let record = try FetchStateStore(inbox: f.inbox).load().files["AMFORA_101_20241108.txt"]
        #expect(record?.modified != nil)  // MDTM gave the time
        let second = try f.fetch(server)
        #expect(f.outcomes(second)["AMFORA_101_20241108.txt"] == .unchanged)
    }

    /// Servers differ: an empty listing, or 450/550 "No files found" to MLSD or NLST.
    @Test(arguments: [[], ["--empty-reply", "450"], ["--empty-reply", "550"], ["--empty-reply", "550", "--no-mlsd"]])
    func anEmptyDirectoryIsEmptyNotAnError(_ hooks: [String]) throws {
        let f = FetchFixture()
        let server = try FTPTestServer(root: f.root, extra: hooks)
        let s = try f.fetch(server)
        #expect(s.items.isEmpty)
        #expect(s.exitCode == 0)
        #expect(FetchReport.lines(s, municipalities: [:])[0].contains("no deliveries for this batch"))
    }

    @Test func aSubdirectoryURLIsHonoured() throws {
        let f = FetchFixture()
        try FileManager.default.createDirectory(atPath: f.root + "/out/week 45", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: f.root + "/out/week 45/AMFORA_101_20241108.txt", contents: Data([1, 2, 3]))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)],
                                              ofItemAtPath: f.root + "/out/week 45/AMFORA_101_20241108.txt")
        let server = try FTPTestServer(root: f.root)
        let s = try f.fetch(server, path: "out/week%2045")
        #expect(f.inboxFile("AMFORA_101_20241108.txt") == [1, 2, 3])
        #expect(s.source == "ftp://127.0.0.1:\(server.port)/out/week%2045")
    }
}

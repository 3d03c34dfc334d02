@testable import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation

/// A scratch directory with the server's `root` and our `inbox` side by side, removed at the end;
/// and the small waits and retries that keep each test to a few seconds.
final class FetchFixture {
    let dir: String
    var root: String { dir + "/root" }
    var inbox: String { dir + "/inbox" }
    static let batch = Day(iso: "2024-11-08")!

    init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("amfora-fetch-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir + "/root", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes a file in the server's directory with an mtime in the past (old enough to fetch).
    @discardableResult
    func put(_ name: String, bytes: [UInt8]? = nil, size: Int = 3_000, age: TimeInterval = 3_600) -> [UInt8] {
        let content = bytes ?? (0..<size).map { _ in UInt8.random(in: 0...255) }
        let path = root + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(content))
        setAge(name, age)
        return content
    }

    func setAge(_ name: String, _ age: TimeInterval) {
        try! FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: root + "/" + name)
    }

    func inboxFile(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: inbox + "/" + name).map { [UInt8]($0) }
    }

    /// What the inbox holds, hidden files included.
    var inboxNames: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []).sorted() }

    static func options(interval: Double = 0, minAge: Int64 = 0, retries: Int = 2) -> FetchOptions {
        var o = FetchOptions()
        o.listingInterval = interval
        o.completeness = CompletenessPolicy(minAge: minAge)
        o.retry = RetryPolicy(retries: retries, initialDelay: 0.05, maxDelay: 0.2)
        o.timeBudget = 60
        return o
    }

    static func connection(ca: String?, plaintext: Bool = false) -> ConnectionOptions {
        var c = ConnectionOptions()
        c.caFile = ca
        c.allowPlaintext = plaintext
        c.connectTimeout = 3
        c.responseTimeout = 5
        c.lowSpeedTime = 5
        return c
    }

    func fetch(_ server: FTPTestServer, options: FetchOptions = FetchFixture.options(), scheme: String = "ftp",
               path: String = "", plaintext: Bool = false, ca: String?? = nil) throws -> FetchSummary {
        let source = try Fetcher.openSource(server.url(path, scheme: scheme),
                                            connection: Self.connection(ca: ca ?? server.caFile, plaintext: plaintext),
                                            environment: server.environment, home: dir)
        return try Fetcher.fetch(source: source, inbox: inbox, batchDate: Self.batch, options: options)
    }

    func outcomes(_ s: FetchSummary) -> [String: FetchSummary.Outcome] {
        Dictionary(uniqueKeysWithValues: s.items.map { ($0.name, $0.outcome) })
    }
}

func sha256(_ bytes: [UInt8]) -> String {
    let h = FileDigest()
    h.update(bytes)
    return h.finish()
}

import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore
@testable import AmforaIO

/// What cannot work says so: exit 2 for the CLI, a SourceError naming host, port and what failed.
@Suite struct FTPFailureTests {
    func failure(_ body: () throws -> FetchSummary) -> SourceError? {
        do {
            _ = try body()
            return nil
        } catch let e as SourceError {
            return e
        } catch {
            return nil
        }
    }

    @Test func aWrongPassword() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        let server = try FTPTestServer(root: f.root)
        let wrong = "wrong-\(UUID().uuidString)"
        let e = failure {
            let source = try Fetcher.openSource(server.url(), connection: FetchFixture.connection(ca: server.caFile),
                                                environment: ["AMFORA_FTP_USER": FTPTestServer.user, "AMFORA_FTP_PASSWORD": wrong],
                                                home: f.dir)
            return try Fetcher.fetch(source: source, inbox: f.inbox, batchDate: FetchFixture.batch, options: FetchFixture.options())
        }
        #expect(e?.kind == .loginRefused)
        #expect(e?.message.contains("127.0.0.1 port \(server.port)") == true)
        #expect(e?.message.contains("AMFORA_FTP_USER/AMFORA_FTP_PASSWORD") == true)
        #expect(e?.message.contains(wrong) == false)
        #expect(e?.message.contains(FTPTestServer.user) == false)
    }

    @Test func aMissingDirectory() throws {
        let f = FetchFixture()
        let server = try FTPTestServer(root: f.root)
        let e = failure { try f.fetch(server, path: "no/such/dir") }
        #expect(e?.kind == .missingDirectory)
        #expect(e?.message.contains("/no/such/dir") == true)
        #expect(e?.message.contains("127.0.0.1 port \(server.port)") == true)
    }

    @Test func anUnreachablePortIsTriedAndNamed() throws {
        let f = FetchFixture()
        var connection = FetchFixture.connection(ca: nil)
        connection.connectTimeout = 1
        let e = failure {
            let source = try Fetcher.openSource("ftp://127.0.0.1:1/out", connection: connection,
                                                environment: ["AMFORA_FTP_USER": "u", "AMFORA_FTP_PASSWORD": "p"], home: f.dir)
            return try Fetcher.fetch(source: source, inbox: f.inbox, batchDate: FetchFixture.batch, options: FetchFixture.options(retries: 2))
        }
        #expect(e?.kind == .unreachable)
        #expect(e?.message.contains("no connection to 127.0.0.1 port 1") == true)
        #expect(e?.message.contains("tried 3 times") == true)
    }

    @Test func noCredentialsAtAll() {
        let f = FetchFixture()
        #expect(throws: SourceError.self) {
            _ = try Fetcher.openSource("ftp://127.0.0.1:1/", connection: ConnectionOptions(), environment: [:], home: f.dir)
        }
    }
}

import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore
@testable import AmforaIO

/// TLS, credentials and hostile names, against a real server on 127.0.0.1.
@Suite struct FTPSecurityTests {
    @Test func explicitTLSWorksWithTheCAAndFailsWithoutIt() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        let server = try FTPTestServer(root: f.root, tls: "explicit")
        #expect(throws: SourceError.self) { _ = try f.fetch(server, ca: .some(nil)) }
        do {
            _ = try f.fetch(server, ca: .some(nil))
        } catch let e as SourceError {
            #expect(e.kind == .certificate)
            #expect(e.message.contains("127.0.0.1 port \(server.port)"))
            #expect(e.message.contains("--ca-file"))
        }
        #expect(f.inboxFile("AMFORA_101_20241108.txt") == nil)
        let s = try f.fetch(server)
        #expect(f.outcomes(s)["AMFORA_101_20241108.txt"] != nil)
        #expect(f.inboxFile("AMFORA_101_20241108.txt") != nil)
    }

    @Test func implicitTLS() throws {
        let f = FetchFixture()
        let bytes = f.put("HJAELP2_101_20241108.txt")
        let server = try FTPTestServer(root: f.root, tls: "implicit")
        let s = try f.fetch(server, scheme: "ftps")
        #expect(f.outcomes(s)["HJAELP2_101_20241108.txt"] == .fetched(bytes: 3_000, sha256: sha256(bytes)))
        #expect(s.source.hasPrefix("ftps://"))
    }

    @Test func plaintextIsRefusedUnlessAllowed() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        let server = try FTPTestServer(root: f.root, tls: "none")
        do {
            _ = try f.fetch(server)
            Issue.record("a server without TLS was accepted")
        } catch let e as SourceError {
            #expect(e.kind == .tlsUnavailable)
            #expect(e.message.contains("--allow-plaintext"))
            #expect(!e.message.contains(server.password))
        }
        let s = try f.fetch(server, plaintext: true)
        #expect(s.plaintext)
        #expect(FetchReport.lines(s, municipalities: [:]).contains { $0.contains("PLAINTEXT") })
        #expect(f.inboxFile("AMFORA_101_20241108.txt") != nil)
    }

    @Test func hostileNamesWriteNothingOutsideTheInbox() throws {
        let f = FetchFixture()
        let good = f.put("AMFORA_101_20241108.txt")
        // What a Linux server can hold ('/' it cannot): backslashes, control characters, a line
        // feed that forges a second MLSD line, dot tricks. curl turns a CR in a listing into a
        // line end, so "…txt\r" arrives as a plain delivery name whose download finds nothing.
        let hostile = ["..\\AMFORA_147_20241108.txt", "AMFORA_147_20241108.txt\u{7}", "x\u{1B}[2J.txt",
                       "AMFORA_851_20241108.txt\r", ".AMFORA_851_20241108.txt", "..AMFORA_851_20241108.txt",
                       "evil\ntype=file;size=3; ..\\..\\escaped.txt", String(repeating: "A", count: 251) + ".txt"]
        for name in hostile { f.put(name, size: 3) }
        let server = try FTPTestServer(root: f.root)
        let before = try FileManager.default.contentsOfDirectory(atPath: f.dir)
        let s = try f.fetch(server)
        #expect(f.outcomes(s)["AMFORA_101_20241108.txt"] == .fetched(bytes: 3_000, sha256: sha256(good)))
        #expect(s.items.filter { if case .fetched = $0.outcome { true } else { false } }.count == 1)
        #expect(f.inboxNames == [FetchStateStore.fileName, "AMFORA_101_20241108.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir).sorted() == (before + ["inbox"]).sorted())
        let refused = s.ignored.filter { if case .refused = $0.reason { true } else { false } }.map(\.name)
        #expect(Set(refused).isSuperset(of: ["..\\AMFORA_147_20241108.txt", "AMFORA_147_20241108.txt\u{7}",
                                             "x\u{1B}[2J.txt", "..\\..\\escaped.txt", "..AMFORA_851_20241108.txt"]))
        #expect(s.exitCode == 1)
        let report = FetchReport.lines(s, municipalities: [:]).joined(separator: "\n")
        #expect(!report.contains("\u{1B}") && !report.contains("\u{7}") && !report.contains("\r"))
    }

    @Test func aGroupReadableNetrcIsRefusedAPrivateOneIsUsed() throws {
        let f = FetchFixture()
        f.put("AMFORA_101_20241108.txt")
        let server = try FTPTestServer(root: f.root)
        let netrc = f.dir + "/netrc"
        _ = FileManager.default.createFile(atPath: netrc, contents: Data("machine 127.0.0.1 login \(FTPTestServer.user) password \(server.password)\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: netrc)
        var connection = FetchFixture.connection(ca: server.caFile)
        connection.netrcFile = netrc
        do {
            _ = try Fetcher.openSource(server.url(), connection: connection, environment: [:], home: f.dir)
            Issue.record("a group-readable netrc was used")
        } catch {
            #expect(error.message.contains("chmod 600"))
            #expect(!error.message.contains(server.password))
        }
        // ~/.netrc is held to the same rule.
        try FileManager.default.copyItem(atPath: netrc, toPath: f.dir + "/.netrc")
        #expect(throws: SourceError.self) {
            _ = try Fetcher.openSource(server.url(), connection: FetchFixture.connection(ca: server.caFile), environment: [:], home: f.dir)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: netrc)
        let source = try Fetcher.openSource(server.url(), connection: connection, environment: [:], home: f.dir)
        let s = try Fetcher.fetch(source: source, inbox: f.inbox, batchDate: FetchFixture.batch, options: FetchFixture.options())
        #expect(s.items.count == 1)
    }

    @Test func credentialsNeverShowInDescriptions() {
        let c = FTPCredentials(user: "u", password: "hunter2-secret", origin: "AMFORA_FTP_USER/AMFORA_FTP_PASSWORD")
        #expect(!"\(c)".contains("hunter2"))
        #expect(!String(reflecting: c).contains("hunter2"))
        var dumped = ""
        dump(c, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(c.redact("530 login hunter2-secret refused", orElse: "fixed") == "530 login *** refused")
        let short = FTPCredentials(user: "u", password: "p", origin: "test")
        #expect(short.redact("Failed to connect to 127.0.0.1 port 1", orElse: "Couldn't connect to server")
                == "Couldn't connect to server")
    }

    @Test func credentialsInTheURLAreRefused() {
        #expect(throws: SourceError.self) { _ = try SourceLocation.parse("ftp://user:pw@127.0.0.1/out") }
        do {
            _ = try SourceLocation.parse("ftp://user:pw@127.0.0.1/out")
        } catch {
            #expect(!error.message.contains("pw"))
        }
    }
}

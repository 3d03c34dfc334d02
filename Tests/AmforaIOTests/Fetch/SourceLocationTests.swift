import Testing
@testable import AmforaIO

@Suite struct SourceLocationTests {
    @Test func ftpURLs() throws {
        let explicit = try FTPLocation("ftp://ftp.example.dk/out/amfora/")
        #expect(explicit.security == .explicitTLS)
        #expect(explicit.port == 21)
        #expect(explicit.directory == "out/amfora")
        #expect(explicit.display == "ftp://ftp.example.dk:21/out/amfora")
        #expect(explicit.directoryURL == "ftp://ftp.example.dk:21/out/amfora/")
        let implicit = try FTPLocation("FTPS://127.0.0.1")
        #expect(implicit.security == .implicitTLS)
        #expect(implicit.port == 990)
        #expect(implicit.directoryURL == "ftps://127.0.0.1:990/")
        #expect(try FTPLocation("ftp://[::1]:2121/x").directoryURL == "ftp://[::1]:2121/x/")
    }

    @Test func namesAreBytesNotURLSyntax() throws {
        let l = try FTPLocation("ftp://h/out")
        #expect(l.fileURL("AMFORA_101_20241108.txt") == "ftp://h:21/out/AMFORA_101_20241108.txt")
        #expect(l.fileURL("a b;type=a#?%.txt") == "ftp://h:21/out/a%20b%3Btype%3Da%23%3F%25.txt")
        #expect(l.fileURL("Ærø") == "ftp://h:21/out/%C3%86r%C3%B8")
    }

    @Test func refusedSources() throws {
        for bad in ["sftp://h/out", "http://h/", "ftp://user@h/out", "ftp://u:p@h/out", "ftp://h/out?x=1", "ftp:///out", ""] {
            #expect(throws: SourceError.self, "\(bad)") { _ = try SourceLocation.parse(bad) }
        }
        #expect(try SourceLocation.parse("/srv/amfora/in") == .directory("/srv/amfora/in"))
    }
}

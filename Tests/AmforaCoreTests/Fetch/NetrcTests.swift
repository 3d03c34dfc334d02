import Testing
@testable import AmforaCore

@Suite struct NetrcTests {
    @Test func machinesDefaultAndQuoting() {
        let n = Netrc("""
        # amfora
        machine ftp.example.dk login kommune password "s3cr#t pass"
        macdef init
        cd /out
        bin

        machine 127.0.0.1
            login amfora
            password "with \\"quote\\""
        default login anonymous password guest
        """)
        #expect(n.entry(for: "FTP.example.dk") == .init(machine: "ftp.example.dk", login: "kommune", password: "s3cr#t pass"))
        #expect(n.entry(for: "127.0.0.1")?.password == "with \"quote\"")
        #expect(n.entry(for: "elsewhere")?.login == "anonymous")
    }

    @Test func noEntry() {
        #expect(Netrc("machine a login b password c").entry(for: "d") == nil)
        #expect(Netrc("").entry(for: "d") == nil)
    }
}

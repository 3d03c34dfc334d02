import Testing
@testable import AmforaCore

@Suite struct RemoteNameTests {
    @Test(arguments: ["AMFORA_101_20241108.txt", "hjaelp2_492_20241108.DAT", "README.txt", "a b;type=a%20.txt", "Ærø.txt"])
    func safeNames(_ name: String) {
        #expect(RemoteName.problem(name) == nil)
    }

    @Test func unsafeNames() {
        #expect(RemoteName.problem("") == .empty)
        #expect(RemoteName.problem("../etc/passwd") == .slash)
        #expect(RemoteName.problem("sub/AMFORA_101_20241108.txt") == .slash)
        #expect(RemoteName.problem("..\\x") == .backslash)
        #expect(RemoteName.problem("C:\\temp\\AMFORA_101_20241108.txt") == .backslash)
        #expect(RemoteName.problem("..") == .dotDot)
        #expect(RemoteName.problem("AMFORA..txt") == .dotDot)
        #expect(RemoteName.problem(".amfora-fetch-state.json") == .hidden)
        #expect(RemoteName.problem(".AMFORA_101_20241108.txt.amfora-part") == .hidden)
        #expect(RemoteName.problem("AMFORA_101_20241108.txt\r") == .controlCharacter)
        #expect(RemoteName.problem("a\u{1B}[2Jb") == .controlCharacter)
        #expect(RemoteName.problem("a\u{7F}") == .controlCharacter)
        #expect(RemoteName.problem("a\u{85}") == .controlCharacter)  // C1 NEL
        #expect(RemoteName.problem("a\0b") == .controlCharacter)
        #expect(RemoteName.problem(String(repeating: "a", count: 255)) == nil)
        #expect(RemoteName.problem(String(repeating: "a", count: 256)) == .tooLong(bytes: 256))
        #expect(RemoteName.problem(String(repeating: "æ", count: 128)) == .tooLong(bytes: 256))  // bytes, not characters
    }

    @Test func onlyHiddenNamesAreHarmless() {
        #expect(!RemoteName.Problem.hidden.isHostile)
        #expect(RemoteName.Problem.backslash.isHostile)
        #expect(RemoteName.Problem.controlCharacter.isHostile)
    }

    @Test func printableEscapesWhatCouldFoolATerminal() {
        #expect(RemoteName.printable("README.txt") == "\"README.txt\"")
        #expect(RemoteName.printable("a\u{1B}[31mb") == "\"a\\u{1b}[31mb\"")
        #expect(RemoteName.printable("..\\x") == "\"..\\\\x\"")
        #expect(RemoteName.printable("txt.\u{202E}exe") == "\"txt.\\u{202e}exe\"")
        #expect(RemoteName.printable("line\nbreak") == "\"line\\u{a}break\"")
    }
}

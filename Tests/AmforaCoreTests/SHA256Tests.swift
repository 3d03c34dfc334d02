import Testing
@testable import AmforaCore

@Suite struct SHA256Tests {
    func digest(_ s: String, chunk: Int = 1000) -> String {
        var h = SHA256()
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            h.update(Array(bytes[i..<min(bytes.count, i + chunk)]))
            i += chunk
        }
        return h.finish()
    }

    /// FIPS 180-4 / NIST test vectors.
    @Test func knownVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func chunkingDoesNotMatter() {
        let text = String(repeating: "Ærø 0123456789 ", count: 300)
        let reference = digest(text, chunk: 1 << 20)
        for chunk in [1, 3, 63, 64, 65, 127] { #expect(digest(text, chunk: chunk) == reference) }
    }
}

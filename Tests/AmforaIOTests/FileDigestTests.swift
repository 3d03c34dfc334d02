import AmforaIO
import Testing

@Suite struct FileDigestTests {
    func digest(_ s: String, chunk: Int = 1000) -> String {
        let d = FileDigest()
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            d.update(Array(bytes[i..<min(bytes.count, i + chunk)]))
            i += chunk
        }
        return d.finish()
    }

    /// FIPS 180-4 / NIST test vectors, fed in pieces.
    @Test func knownVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc", chunk: 1) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", chunk: 7)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(String(repeating: "a", count: 1_000_000), chunk: 4096) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

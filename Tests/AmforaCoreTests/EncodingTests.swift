import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct EncodingTests {
    func detect(_ bytes: [UInt8], chunk: Int = 3) -> EncodingDetector {
        var d = EncodingDetector()
        var i = 0
        bytes.withUnsafeBufferPointer { all in
            while i < all.count {
                let n = min(chunk, all.count - i)
                d.feed(UnsafeBufferPointer(rebasing: all[i..<(i + n)]))
                i += n
            }
        }
        return d
    }

    @Test func validUTF8IsUTF8EvenWhenSplitAcrossChunks() {
        for chunk in 1...5 {
            let d = detect(Bytes.utf8("Ærø Kommune, Søndergade"), chunk: chunk)
            #expect(d.encoding == .utf8)
            #expect(!d.isASCII)
            #expect(!d.hasBOM)
        }
    }

    @Test func bomIsNoticed() {
        let d = detect([0xEF, 0xBB, 0xBF] + Bytes.utf8("abc"))
        #expect(d.encoding == .utf8)
        #expect(d.hasBOM)
    }

    @Test func latin1BytesMeanWindows1252() {
        #expect(detect(Bytes.cp1252("Ærø")).encoding == .windows1252)
        // A UTF-8 lead byte at the very end with nothing after it is not UTF-8.
        #expect(detect(Bytes.utf8("abc") + [0xC3]).encoding == .windows1252)
        #expect(detect(Bytes.utf8("abc")).isASCII)
    }

    @Test func windows1252DecodesItsOwnHighHalf() {
        #expect(TextEncoding.windows1252.decode([0x80, 0xC6, 0xD8, 0xC5, 0xE6, 0xF8, 0xE5, 0x96]) == "€ÆØÅæøå–")
    }

    @Test func undefinedWindows1252BytesAndNULAreFaults() {
        for b: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            let line: [UInt8] = Bytes.cp1252("ab") + [b] + Bytes.cp1252("c")
            let fault = line.withUnsafeBufferPointer { ByteScan.firstFault($0.baseAddress!, $0.count, encoding: .windows1252) }
            #expect(fault?.byteOffset == 2)
        }
        let nul: [UInt8] = [0x41, 0x00, 0x42]
        #expect(nul.withUnsafeBufferPointer { ByteScan.firstFault($0.baseAddress!, 3, encoding: .windows1252) }?.byteOffset == 1)
        #expect(nul.withUnsafeBufferPointer { ByteScan.firstFault($0.baseAddress!, 3, encoding: .utf8) }?.byteOffset == 1)
    }

    @Test func malformedUTF8IsAFault() {
        let cases: [[UInt8]] = [[0x41, 0xC3], [0x41, 0xE6, 0x41], [0x41, 0xC0, 0x80], [0x41, 0xED, 0xA0, 0x80], [0x41, 0xF5, 0x80, 0x80, 0x80]]
        for bytes in cases {
            let fault = bytes.withUnsafeBufferPointer { ByteScan.firstFault($0.baseAddress!, $0.count, encoding: .utf8) }
            #expect(fault?.byteOffset == 1, "\(bytes)")
        }
    }
}

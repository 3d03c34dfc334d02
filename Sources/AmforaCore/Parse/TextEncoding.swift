/// The character encodings deliveries arrive in (flat-files.md "Lines, characters, encodings").
public enum TextEncoding: String, Sendable, Codable {
    case utf8 = "UTF-8"
    case windows1252 = "Windows-1252"

    /// 0x80…0x9F in Windows-1252; the rest of the high half is ISO-8859-1, i.e. the code point itself.
    static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Decodes bytes already checked to be valid in this encoding.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            var scalars = String.UnicodeScalarView()
            for b in bytes {
                let v: UInt32 = (b >= 0x80 && b <= 0x9F) ? TextEncoding.cp1252High[Int(b - 0x80)] : UInt32(b)
                scalars.append(Unicode.Scalar(v)!)
            }
            return String(scalars)
        }
    }

    public func decode(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { decode($0) } }
}

/// What is wrong with a byte at a position of a line.
public struct EncodingFault: Sendable, Equatable {
    public let byteOffset: Int
    public let byte: UInt8
    public let reason: String
}

enum ByteScan {
    /// True when the eight bytes are ASCII and none is NUL.
    @inline(__always)
    static func isPlainASCII(_ w: UInt64) -> Bool {
        let zeroByte = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
        return (w & 0x8080_8080_8080_8080) | zeroByte == 0
    }

    /// Index of the first byte that is NUL or not ASCII, or `n` when there is none: then the
    /// line is one byte a character and valid in either encoding.
    @inline(__always)
    static func firstSpecial(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n, isPlainASCII(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
        while i < n, p[i] != 0, p[i] < 0x80 { i += 1 }
        return i
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or nil (overlongs, surrogates, > U+10FFFF rejected).
    @inline(__always)
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        let b0 = p[i]
        if b0 < 0x80 { return 1 }
        func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1) && p[i + 1] >= 0xA0 && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1) && p[i + 1] < 0xA0 && cont(2) ? 3 : nil
        case 0xF0: return cont(1) && p[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1) && p[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// Bytes Windows-1252 leaves undefined: never silently replaced, always a finding.
    @inline(__always)
    static func isUndefinedIn1252(_ b: UInt8) -> Bool { b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D }

    /// The first byte of a line that is not valid in `encoding` (NUL is never valid).
    static func firstFault(_ p: UnsafePointer<UInt8>, _ n: Int, encoding: TextEncoding) -> EncodingFault? {
        var columns = LineColumns(maxLineBytes: n + 1)
        defer { columns.deallocate() }
        return columns.scan(p, n, from: 0, encoding: encoding)
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}

/// Decides a file's encoding from all of its bytes, fed in chunks: valid UTF-8 (with or without
/// a BOM) is UTF-8, anything else Windows-1252. A sequence split across two chunks is carried over.
public struct EncodingDetector: Sendable {
    private var carry: [UInt8] = []
    private var validUTF8 = true
    private var sawNonASCII = false
    private var atStart = true
    public private(set) var hasBOM = false

    public init() {}

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard validUTF8, let base = chunk.baseAddress, chunk.count > 0 else { return }
        var bytes = chunk
        var owned: [UInt8] = []
        if !carry.isEmpty {
            owned = carry + Array(chunk)
            carry = []
        }
        if !owned.isEmpty {
            owned.withUnsafeBufferPointer { scan($0) }
        } else {
            bytes = UnsafeBufferPointer(start: base, count: chunk.count)
            scan(bytes)
        }
    }

    private mutating func scan(_ buf: UnsafeBufferPointer<UInt8>) {
        guard let p = buf.baseAddress else { return }
        let n = buf.count
        var i = 0
        if atStart {
            atStart = false
            if n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { hasBOM = true; i = 3 }
        }
        while i < n {
            // Fast path: 32 ASCII bytes at a time, then eight.
            let raw = UnsafeRawPointer(p)
            if i + 32 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 32
                    continue
                }
            }
            if i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            if p[i] < 0x80 { i += 1; continue }
            sawNonASCII = true
            if let len = ByteScan.utf8SequenceLength(p, i, n) {
                i += len
            } else if n - i < 4, couldBePrefix(p, i, n) {
                carry = Array(UnsafeBufferPointer(start: p + i, count: n - i))
                return
            } else {
                validUTF8 = false
                return
            }
        }
    }

    private func couldBePrefix(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        let b0 = p[i]
        guard b0 >= 0xC2, b0 <= 0xF4 else { return false }
        for k in (i + 1)..<n where p[k] & 0xC0 != 0x80 { return false }
        return true
    }

    /// The verdict once every chunk has been fed.
    public var encoding: TextEncoding { validUTF8 && carry.isEmpty ? .utf8 : .windows1252 }
    /// True when nothing but ASCII was seen (then the two encodings agree).
    public var isASCII: Bool { !sawNonASCII && carry.isEmpty }
}

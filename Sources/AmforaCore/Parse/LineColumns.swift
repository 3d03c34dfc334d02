/// Character columns of a line: fixed-width layouts count characters, and in UTF-8 `Ærø` is six
/// bytes but three characters. Danish lines have a handful of multi-byte characters among
/// hundreds of ASCII ones, so one pass validates the line and records only its multi-byte
/// characters; a column's byte offset is then its character offset plus the extra bytes of the
/// characters before it.
struct LineColumns {
    /// Byte position and extra length (1…3) of each multi-byte character, in line order.
    private let leads: UnsafeMutablePointer<(pos: Int32, extra: Int32)>
    private var leadCount = 0
    /// Characters in the line last scanned.
    private(set) var characters = 0

    init(maxLineBytes: Int) {
        leads = .allocate(capacity: maxLineBytes)
    }

    func deallocate() { leads.deallocate() }

    /// Checks the line's bytes against `encoding` (NUL is never valid) and counts its characters.
    /// `from` is the first byte that is not plain ASCII; everything before it is one byte a character.
    mutating func scan(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int, encoding: TextEncoding) -> EncodingFault? {
        leadCount = 0
        characters = n
        let raw = UnsafeRawPointer(p)
        var i = from, extra = 0
        while i < n {
            if i + 8 <= n, ByteScan.isPlainASCII(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = p[i]
            if b == 0 { return EncodingFault(byteOffset: i, byte: b, reason: "NUL byte") }
            if b < 0x80 { i += 1; continue }
            switch encoding {
            case .windows1252:
                if ByteScan.isUndefinedIn1252(b) {
                    return EncodingFault(byteOffset: i, byte: b, reason: "byte 0x\(ByteScan.hex(b)) is undefined in Windows-1252")
                }
                i += 1
            case .utf8:
                guard let len = ByteScan.utf8SequenceLength(p, i, n) else {
                    return EncodingFault(byteOffset: i, byte: b, reason: "byte 0x\(ByteScan.hex(b)) is not valid UTF-8")
                }
                leads[leadCount] = (Int32(i), Int32(len - 1))
                leadCount += 1
                extra += len - 1
                i += len
            }
        }
        characters = n - extra
        return nil
    }

    /// Byte offsets of the ascending character positions `columns` in the line last scanned.
    /// Positions past the end of the line map to `n` (it reads as if blank-padded).
    func locate(_ columns: [Int], lineBytes n: Int, into out: UnsafeMutablePointer<Int>) {
        var li = 0, extra = 0
        for j in 0..<columns.count {
            let target = columns[j]
            // A multi-byte character at byte pos is character (pos - extra so far).
            while li < leadCount, Int(leads[li].pos) - extra < target {
                extra += Int(leads[li].extra)
                li += 1
            }
            out[j] = min(target + extra, n)
        }
    }
}

import Foundation  // memchr

/// One input line after parsing: a record (loaded or quarantined), a blank line, or a line
/// whose bytes could not be read as characters. Only valid inside the callback.
public struct ParsedLine {
    public let number: Int
    /// The line's bytes without its line ending (capped for absurdly long lines).
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Nil for blank lines and for lines that could not be sliced into fields.
    public let record: RecordView?
    public let findings: [RecordFinding]
    public let isBlank: Bool

    /// Quarantined: at least one error. The record is kept with its raw line and every reason.
    public var isQuarantined: Bool { findings.contains { $0.severity == .error } }
}

/// Counts that prove nothing was dropped: lines = records + blank lines (+ a truncated tail).
public struct LineTally: Sendable, Codable, Equatable {
    public var lines = 0
    public var blankLines = 0
    public var records = 0
    public var quarantined = 0
    public var warned = 0
    public var errors = 0
    public var warnings = 0

    public init() {}

    mutating func count(_ line: ParsedLine) {
        lines += 1
        if line.isBlank { blankLines += 1; return }
        records += 1
        var e = 0, w = 0
        for f in line.findings { if f.severity == .error { e += 1 } else { w += 1 } }
        errors += e
        warnings += w
        if e > 0 { quarantined += 1 } else if w > 0 { warned += 1 }
    }
}

/// The generic fixed-width reader: fed a delivery's bytes in chunks of any size, it splits
/// lines (LF or CRLF), checks each line's bytes against the file's encoding, slices fields by
/// characters using the layout, normalises them and applies the layout's rules. Memory is
/// bounded by the chunk size and one capped line, whatever the file size.
public final class DeliveryReader {
    public let layout: Layout
    public let encoding: TextEncoding
    public let context: FileContext
    private let normaliser: FieldNormaliser
    private let rules: [any RecordRule]
    private let offsets: [Int]      // field start, in characters
    private let ends: [Int]         // field end, in characters
    /// A line longer than this many bytes cannot be a record; the rest is only scanned.
    private let lineCap: Int

    private var pending: [UInt8] = []
    private var pendingOverflowNonBlank = false
    private var lineNumber = 0
    private var charStarts: [Int] = []
    private var values: [FieldValue]
    private var ranges: [(Int32, Int32)]
    public private(set) var tally = LineTally()

    public init(layout: Layout, encoding: TextEncoding, context: FileContext, catalog: CodeListCatalog) {
        self.layout = layout
        self.encoding = encoding
        self.context = context
        normaliser = FieldNormaliser(layout: layout, catalog: catalog)
        rules = RuleBook.rules(for: layout, catalog: catalog)
        offsets = layout.fields.map(\.offset)
        ends = layout.fields.map { $0.offset + $0.length }
        lineCap = layout.width * 4 + 64
        values = Array(repeating: .missing, count: layout.fields.count)
        ranges = Array(repeating: (0, 0), count: layout.fields.count)
        charStarts.reserveCapacity(layout.width + 2)
    }

    /// Feeds the next chunk; `body` receives every line completed by it.
    public func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (ParsedLine) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let n = chunk.count
        var i = 0
        if !pending.isEmpty {
            guard let nl = newline(base, from: 0, to: n) else {
                appendCapped(base, 0, n)
                return
            }
            appendCapped(base, 0, nl)
            let overflow = pendingOverflowNonBlank
            pending.withUnsafeBufferPointer { process($0.baseAddress!, $0.count, overflowNonBlank: overflow, body) }
            pending.removeAll(keepingCapacity: true)
            pendingOverflowNonBlank = false
            i = nl + 1
        }
        while i < n {
            guard let nl = newline(base, from: i, to: n) else {
                appendCapped(base, i, n)
                return
            }
            let len = nl - i
            if len <= lineCap {
                process(base + i, len, overflowNonBlank: false, body)
            } else {
                process(base + i, lineCap, overflowNonBlank: !allBlank(base, i + lineCap, nl), body)
            }
            i = nl + 1
        }
    }

    /// Ends the file. A last line without a line ending is accepted when it is a complete record;
    /// otherwise the transfer was cut short and the whole file is reported truncated.
    public func finish(_ body: (ParsedLine) -> Void) -> [RecordFinding] {
        guard !pending.isEmpty else { return [] }
        defer { pending.removeAll(); pendingOverflowNonBlank = false }
        let chars = pending.withUnsafeBufferPointer { characterCount($0.baseAddress!, $0.count) }
        let blank = pending.withUnsafeBufferPointer { allBlank($0.baseAddress!, 0, $0.count) }
        if chars >= layout.width || blank {
            let overflow = pendingOverflowNonBlank
            pending.withUnsafeBufferPointer { process($0.baseAddress!, $0.count, overflowNonBlank: overflow, body) }
            return []
        }
        return [RecordFinding(
            field: nil, rule: "file.truncated", severity: .error, value: nil,
            message: "line \(lineNumber + 1) ends without a line ending after \(chars) of \(layout.width) characters: the file was cut short in transfer; ask for it again")]
    }

    // MARK: - Lines

    @inline(__always)
    private func newline(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let hit = memchr(p + from, 0x0A, to - from) else { return nil }
        return p.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    private func appendCapped(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) {
        let room = max(0, lineCap - pending.count)
        let keep = min(room, to - from)
        if keep > 0 { pending.append(contentsOf: UnsafeBufferPointer(start: p + from, count: keep)) }
        if from + keep < to, !allBlank(p, from + keep, to) { pendingOverflowNonBlank = true }
    }

    @inline(__always)
    private func allBlank(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            let b = p[i]
            if b != 0x20, b != 0x09, b != 0x0D { return false }
            i += 1
        }
        return true
    }

    private func characterCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        guard encoding == .utf8 else { return n }
        var c = 0
        for i in 0..<n where p[i] & 0xC0 != 0x80 { c += 1 }
        return c
    }

    private func process(_ p0: UnsafePointer<UInt8>, _ n0: Int, overflowNonBlank: Bool, _ body: (ParsedLine) -> Void) {
        lineNumber += 1
        var p = p0, n = n0
        if n > 0, p[n - 1] == 0x0D { n -= 1 }
        if lineNumber == 1, encoding == .utf8, n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3; n -= 3 }
        let bytes = UnsafeBufferPointer(start: p, count: n)

        if !overflowNonBlank, allBlank(p, 0, n) {
            emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: [], isBlank: true), body)
            return
        }
        let ascii = memchr(p, 0, n) == nil && ByteScan.isASCII(p, n)
        if !ascii, let fault = ByteScan.firstFault(p, n, encoding: encoding) {
            let f = RecordFinding(field: nil, rule: "line.encoding", severity: .error, value: nil,
                                  message: "\(fault.reason) at byte \(fault.byteOffset + 1) of the line (file read as \(encoding.rawValue)); the line is not loaded",
                                  byteOffset: fault.byteOffset)
            emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: [f], isBlank: false), body)
            return
        }

        // Character → byte positions. Windows-1252 and ASCII lines have one byte per character.
        let multiByte = !ascii && encoding == .utf8
        var chars = n
        if multiByte {
            charStarts.removeAll(keepingCapacity: true)
            for i in 0..<n where p[i] & 0xC0 != 0x80 { charStarts.append(i) }
            chars = charStarts.count
        }
        @inline(__always) func byteAt(_ c: Int) -> Int {
            if c >= chars { return n }
            return multiByte ? charStarts[c] : c
        }

        var findings: [RecordFinding] = []
        if chars > layout.width, !allBlank(p, byteAt(layout.width), n) || overflowNonBlank {
            findings.append(RecordFinding(
                field: nil, rule: "line.long", severity: .error, value: nil,
                message: "the line has \(overflowNonBlank ? "more than \(lineCap)" : String(chars)) characters, the \(layout.id) layout \(layout.width); text beyond column \(layout.width) means the columns are misaligned"))
            emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: findings, isBlank: false), body)
            return
        }
        if chars < layout.width {
            findings.append(RecordFinding(
                field: nil, rule: "line.short", severity: .warning, value: nil,
                message: "the line has \(chars) characters, the \(layout.id) layout \(layout.width); read as if padded with blanks"))
        }

        let enc = encoding
        for i in 0..<offsets.count {
            let (s, e) = trimBlanks(p, byteAt(offsets[i]), byteAt(ends[i]))
            ranges[i] = (Int32(s), Int32(e))
            values[i] = normaliser.normalise(i, p, s, e, raw: {
                let text = enc.decode(UnsafeBufferPointer(start: p + s, count: e - s))
                return self.layout.fields[i].kind.holdsCPR ? CPR.mask(text) : text
            }, findings: &findings)
        }
        let view = RecordView(layout: layout, values: values, ranges: ranges, line: bytes, encoding: encoding)
        for rule in rules { rule.check(view, in: context, into: &findings) }
        emit(ParsedLine(number: lineNumber, bytes: bytes, record: view, findings: findings, isBlank: false), body)
    }

    @inline(__always)
    private func emit(_ line: ParsedLine, _ body: (ParsedLine) -> Void) {
        tally.count(line)
        body(line)
    }
}

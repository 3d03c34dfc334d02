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
    /// The caller recognised the line as one it already knows to be clean (`feed`'s `recognise`):
    /// it was not parsed, and has no record and no findings.
    public var isRepeat = false

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
    /// Field boundaries in characters: field i spans bounds[i]..<bounds[i+1] (layouts tile).
    private let bounds: [Int]
    /// A line longer than this many bytes cannot be a record; the rest is only scanned.
    private let lineCap: Int

    private var pending: [UInt8] = []
    private var pendingOverflowNonBlank = false
    private var lineNumber = 0
    // Per-line scratch space, allocated once. Held through `let` pointers so the hot loop pays
    // for neither copy-on-write checks nor dynamic exclusivity checks on class properties.
    private let boundBytes: UnsafeMutablePointer<Int>
    private var columns: LineColumns
    private let values: UnsafeMutableBufferPointer<FieldValue>
    private let ranges: UnsafeMutableBufferPointer<(Int32, Int32)>
    public private(set) var tally = LineTally()
    private let severities: [String: Severity]

    public init(layout: Layout, encoding: TextEncoding, context: FileContext, catalog: CodeListCatalog,
                severities: [String: Severity] = [:]) {
        self.severities = severities
        self.layout = layout
        self.encoding = encoding
        self.context = context
        normaliser = FieldNormaliser(layout: layout, catalog: catalog)
        rules = RuleBook.rules(for: layout, catalog: catalog)
        bounds = layout.fields.map(\.offset) + [layout.width]
        lineCap = layout.width * 4 + 64
        boundBytes = .allocate(capacity: layout.fields.count + 1)
        columns = LineColumns(maxLineBytes: lineCap + 1)
        values = .allocate(capacity: layout.fields.count)
        values.initialize(repeating: .missing)
        ranges = .allocate(capacity: layout.fields.count)
        ranges.initialize(repeating: (0, 0))
    }

    deinit {
        boundBytes.deallocate()
        columns.deallocate()
        values.deallocate()
        ranges.deallocate()
    }

    /// Never recognises a line: every line is parsed.
    public static func parseEveryLine(_ line: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding) -> Bool { false }

    /// Feeds the next chunk; `body` receives every line completed by it. A non-blank line for
    /// which `recognise` (given its bytes without line ending, and the file's encoding) returns
    /// true is passed on unparsed, as a repeat (`ParsedLine.isRepeat`).
    public func feed(_ chunk: UnsafeBufferPointer<UInt8>,
                     recognise: (UnsafeBufferPointer<UInt8>, TextEncoding) -> Bool = parseEveryLine,
                     _ body: (ParsedLine) -> Void) {
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
            pending.withUnsafeBufferPointer { process($0.baseAddress!, $0.count, overflowNonBlank: overflow, recognise, body) }
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
                process(base + i, len, overflowNonBlank: false, recognise, body)
            } else {
                process(base + i, lineCap, overflowNonBlank: !allBlank(base, i + lineCap, nl), recognise, body)
            }
            i = nl + 1
        }
    }

    /// Ends the file. A last line without a line ending is accepted when it is a complete record
    /// (or blank); a proper prefix of a record means the transfer was cut short, and the whole
    /// file is reported truncated. An empty file, or one holding only a BOM, is a dataset of no records.
    public func finish(recognise: (UnsafeBufferPointer<UInt8>, TextEncoding) -> Bool = parseEveryLine,
                       _ body: (ParsedLine) -> Void) -> [RecordFinding] {
        defer { pending.removeAll(); pendingOverflowNonBlank = false }
        // A file holding only a byte order mark is an empty dataset, not a cut-off line.
        if lineNumber == 0, encoding == .utf8, pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
        guard !pending.isEmpty else { return [] }
        let chars = pending.withUnsafeBufferPointer { characterCount($0.baseAddress!, $0.count) }
        let blank = pending.withUnsafeBufferPointer { allBlank($0.baseAddress!, 0, $0.count) }
        if chars >= layout.width || blank {
            let overflow = pendingOverflowNonBlank
            pending.withUnsafeBufferPointer { process($0.baseAddress!, $0.count, overflowNonBlank: overflow, recognise, body) }
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

    private func process(_ p0: UnsafePointer<UInt8>, _ n0: Int, overflowNonBlank: Bool,
                         _ recognise: (UnsafeBufferPointer<UInt8>, TextEncoding) -> Bool, _ body: (ParsedLine) -> Void) {
        lineNumber += 1
        var p = p0, n = n0
        if n > 0, p[n - 1] == 0x0D { n -= 1 }
        if lineNumber == 1, encoding == .utf8, n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3; n -= 3 }
        let bytes = UnsafeBufferPointer(start: p, count: n)

        if !overflowNonBlank, allBlank(p, 0, n) {
            emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: [], isBlank: true), body)
            return
        }
        if !overflowNonBlank, recognise(bytes, encoding) {
            emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: [], isBlank: false, isRepeat: true), body)
            return
        }
        // Character → byte positions of the field boundaries. Plain ASCII lines (the most) have one
        // byte a character in either encoding; others are checked and scanned in one pass.
        let special = ByteScan.firstSpecial(p, n)
        var chars = n
        let boundBytes = self.boundBytes
        if special < n {
            if let fault = columns.scan(p, n, from: special, encoding: encoding) {
                let f = RecordFinding(field: nil, rule: "line.encoding", severity: .error, value: nil,
                                      message: "\(fault.reason) at byte \(fault.byteOffset + 1) of the line (file read as \(encoding.rawValue)); the line is not loaded",
                                      byteOffset: fault.byteOffset)
                emit(ParsedLine(number: lineNumber, bytes: bytes, record: nil, findings: [f], isBlank: false), body)
                return
            }
            chars = columns.characters
            columns.locate(bounds, lineBytes: n, into: boundBytes)
        } else {
            for j in 0..<bounds.count { boundBytes[j] = min(bounds[j], n) }
        }
        let widthByte = boundBytes[bounds.count - 1]

        var findings: [RecordFinding] = []
        if chars > layout.width, !allBlank(p, widthByte, n) || overflowNonBlank {
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
        let values = self.values, ranges = self.ranges
        for i in 0..<(bounds.count - 1) {
            let (s, e) = trimBlanks(p, boundBytes[i], boundBytes[i + 1])
            ranges[i] = (Int32(s), Int32(e))
            var problem: FieldNormaliser.Problem?
            values[i] = normaliser.normalise(i, p, s, e, problem: &problem)
            if let problem {
                let text = enc.decode(UnsafeBufferPointer(start: p + s, count: e - s))
                let raw = layout.fields[i].kind.holdsCPR ? CPR.mask(text) : text
                findings.append(normaliser.finding(problem, field: i, raw: raw))
            }
        }
        let view = RecordView(layout: layout, values: UnsafeBufferPointer(values), ranges: UnsafeBufferPointer(ranges),
                              line: bytes, encoding: encoding)
        // Borrowed from the buffer: iterating the array would retain and release every rule per record.
        rules.withUnsafeBufferPointer { rules in
            for k in 0..<rules.count { rules[k].check(view, in: context, into: &findings) }
        }
        if !severities.isEmpty {
            for k in findings.indices { if let s = severities[findings[k].rule] { findings[k].severity = s } }
        }
        emit(ParsedLine(number: lineNumber, bytes: bytes, record: view, findings: findings, isBlank: false), body)
    }

    @inline(__always)
    private func emit(_ line: ParsedLine, _ body: (ParsedLine) -> Void) {
        tally.count(line)
        body(line)
    }
}

/// Parsed records copied out of the reader's buffer so that another thread can write them
/// later: their normalised values, field ranges and raw line, in three flat arrays (one
/// allocation per array, not per record). The views it hands back are as good as the reader's.
public struct RecordStore: Sendable {
    public let layout: Layout
    /// The records' encoding: the first record's (one file has one).
    public private(set) var encoding = TextEncoding.utf8
    private var values: [FieldValue] = []
    private var ranges: [Int32] = []
    private var bytes: [UInt8] = []
    /// Per record: line number, content hash, line hash (`LineHasher`, for a line without a
    /// finding), and where its line starts in `bytes`.
    private var lines: [(number: Int, hash: Int64, lineHash: Int64?, start: Int)] = []

    public init(layout: Layout) {
        self.layout = layout
    }

    public var count: Int { lines.count }
    public var isEmpty: Bool { lines.isEmpty }
    /// Bytes held, roughly: what a caller bounds to keep memory from growing with the file.
    public var footprint: Int {
        values.count * MemoryLayout<FieldValue>.stride + ranges.count * 4 + bytes.count + lines.count * 40
    }

    public mutating func append(_ r: RecordView, line: Int, hash: Int64, lineHash: Int64? = nil) {
        if lines.isEmpty { encoding = r.encoding }
        precondition(r.layout === layout && r.encoding == encoding, "one store holds one layout and encoding")
        lines.append((line, hash, lineHash, bytes.count))
        values.append(contentsOf: r.values)
        for (s, e) in r.ranges {
            ranges.append(s)
            ranges.append(e)
        }
        bytes.append(contentsOf: r.line)
    }

    /// Calls `body` with each record's view, line number, content hash and line hash, in the order appended.
    public func forEach(_ body: (RecordView, _ line: Int, _ hash: Int64, _ lineHash: Int64?) throws -> Void) rethrows {
        guard !lines.isEmpty else { return }
        let width = layout.fields.count
        try values.withUnsafeBufferPointer { values in
            try ranges.withUnsafeBufferPointer { ranges in
                try bytes.withUnsafeBufferPointer { bytes in
                    let pairs = UnsafeRawPointer(ranges.baseAddress!).assumingMemoryBound(to: (Int32, Int32).self)
                    for k in lines.indices {
                        let (number, hash, lineHash, start) = lines[k]
                        let end = k + 1 < lines.count ? lines[k + 1].start : bytes.count
                        let view = RecordView(layout: layout,
                                              values: UnsafeBufferPointer(rebasing: values[(k * width)..<((k + 1) * width)]),
                                              ranges: UnsafeBufferPointer(start: pairs + k * width, count: width),
                                              line: UnsafeBufferPointer(rebasing: bytes[start..<end]), encoding: encoding)
                        try body(view, number, hash, lineHash)
                    }
                }
            }
        }
    }
}

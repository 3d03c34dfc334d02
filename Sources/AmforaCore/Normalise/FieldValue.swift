/// A field after normalisation. Text stays a byte range into the current line so that
/// validating a record allocates nothing; `RecordView.string(_:)` decodes it when needed.
public enum FieldValue: Equatable, Sendable {
    /// All blank.
    case missing
    /// Present but malformed; a finding says why.
    case invalid
    case number(Int)
    case day(Day)
    case flag(Bool)
    /// Trimmed byte range within the line.
    case text(start: Int32, end: Int32)

    public var number: Int? { if case .number(let n) = self { n } else { nil } }
    public var day: Day? { if case .day(let d) = self { d } else { nil } }
    public var flag: Bool? { if case .flag(let b) = self { b } else { nil } }
    public var isMissing: Bool { self == .missing }
    /// Present and well-formed.
    public var isPresent: Bool { self != .missing && self != .invalid }
}

/// One parsed record: its layout, its normalised values and the raw line they came from.
/// Only valid inside the callback that receives it (it points into the reader's buffer).
public struct RecordView {
    /// Unowned: the reader that made this view keeps the layout alive for as long as the view is valid.
    public unowned(unsafe) let layout: Layout
    public let values: UnsafeBufferPointer<FieldValue>
    /// Trimmed byte ranges of each field within `line`.
    let ranges: UnsafeBufferPointer<(Int32, Int32)>
    public let line: UnsafeBufferPointer<UInt8>
    public let encoding: TextEncoding

    public subscript(i: Int) -> FieldValue { values[i] }

    /// The field's raw text as delivered, trimmed and decoded. CPR-bearing fields are masked.
    public func raw(_ i: Int) -> String {
        let s = unmaskedRaw(i)
        return layout.fields[i].kind.holdsCPR ? CPR.mask(s) : s
    }

    /// The raw text without masking: for loading into the warehouse only, never for output.
    public func unmaskedRaw(_ i: Int) -> String {
        let (s, e) = ranges[i]
        guard e > s else { return "" }
        return encoding.decode(UnsafeBufferPointer(rebasing: line[Int(s)..<Int(e)]))
    }

    /// Text fields decoded; nil when missing.
    public func string(_ i: Int) -> String? {
        values[i].isMissing ? nil : unmaskedRaw(i)
    }
}

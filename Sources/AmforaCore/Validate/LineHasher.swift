/// Recognises a line delivered again byte for byte. A line's findings follow from its bytes, the
/// file's encoding, layout, municipality and kind, the code lists and the rules — nothing else
/// (no rule looks at the date of the run). So a line that was loaded without a single finding,
/// delivered again unchanged under all of those, would earn no finding again and is the same
/// version: it need not be parsed, normalised and checked a second time. Most of a Friday's
/// ten million lines are such repeats.
///
/// The hash is seeded with everything the verdict depends on besides the bytes. The rules are
/// code, and only the program knows its own code: the caller passes a fingerprint of the build,
/// so that a line checked by one build is never taken on trust by another.
public struct LineHasher: Sendable, Equatable {
    private let seed: UInt64

    public init(build: UInt64, options: ValidationOptions, layout: Layout, encoding: TextEncoding,
                komnr: Int, kind: RecordKind) {
        var h = FNV()
        h.word(build)
        h.word(options.catalog.fingerprint)
        h.word(options.layouts.fingerprint)
        h.text(layout.id)
        h.text(encoding.rawValue)
        h.int(komnr)
        h.text(kind.rawValue)
        seed = h.value
    }

    /// The line's bytes as the reader hands them over: without line ending (and BOM). Never 0,
    /// so that 0 can stand for "no hash".
    @inline(__always)
    public func hash(_ line: UnsafeBufferPointer<UInt8>) -> Int64 {
        var h = FNV(seed: seed)
        if line.isEmpty { h.word(0) } else { h.bytes(line) }
        return h.value == 0 ? 1 : Int64(bitPattern: h.value)
    }
}

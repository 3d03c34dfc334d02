import AmforaCore
import Foundation

/// A delivery's line hashers (`LineHasher`), one for either encoding the file may turn out to
/// be in, seeded with this build's fingerprint.
struct LineHashers {
    private let utf8: LineHasher
    private let windows1252: LineHasher

    init(options: ValidationOptions, layout: Layout, name: DeliveryName) {
        func hasher(_ e: TextEncoding) -> LineHasher {
            LineHasher(build: BuildFingerprint.current, options: options, layout: layout, encoding: e,
                       komnr: name.komnr, kind: name.kind)
        }
        utf8 = hasher(.utf8)
        windows1252 = hasher(.windows1252)
    }

    @inline(__always)
    subscript(_ encoding: TextEncoding) -> LineHasher {
        encoding == .utf8 ? utf8 : windows1252
    }

    /// The hash a version's line is stored with: only for a line without a single finding.
    func storedHash(_ line: ParsedLine, _ record: RecordView) -> Int64? {
        line.findings.isEmpty ? self[record.encoding].hash(line.bytes) : nil
    }
}

/// What this build of amfora is: the SHA-256 of its executable, which holds its rules and the
/// code behind its checks. A different build never takes a line on trust that this one checked.
enum BuildFingerprint {
    static let current: UInt64 = {
        for path in ["/proc/self/exe", Bundle.main.executablePath].compactMap({ $0 }) {
            if let hex = try? FileDigest.of(path: path), let value = UInt64(hex.prefix(16), radix: 16) {
                return value
            }
        }
        // Unknown: then not even another process of the same build recognises this one's lines.
        return UInt64.random(in: .min ... .max)
    }()
}

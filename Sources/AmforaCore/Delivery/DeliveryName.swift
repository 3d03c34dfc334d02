/// What a file name says about a delivery: `AMFORA_<komnr>_<yyyymmdd>.txt`,
/// `HJAELP1_…`, `HJAELP2_…` (case-insensitive; `.dat` as well as `.txt`) — flat-files.md.
public struct DeliveryName: Sendable, Hashable {
    public let kind: RecordKind
    public let komnr: Int
    /// The Friday the delivery is for.
    public let batchDate: Day

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// Not shaped like a delivery at all: reported, never guessed at.
        case notADelivery(String)
        /// Shaped like one, but the municipality code is not one of the 98.
        case unknownMunicipality(Int)
        /// Shaped like one, but the date is not a real date.
        case badDate(String)

        public var description: String {
            switch self {
            case .notADelivery(let why): "not a delivery: \(why)"
            case .unknownMunicipality(let k): "municipality \(k) in the file name is not one of the 98 municipality codes"
            case .badDate(let d): "batch date \(d) in the file name is not a real date"
            }
        }
    }

    public init(kind: RecordKind, komnr: Int, batchDate: Day) {
        self.kind = kind
        self.komnr = komnr
        self.batchDate = batchDate
    }

    /// Parses the last path component only.
    public static func parse(_ fileName: String, municipalities: [Int: String]) -> Result<DeliveryName, Problem> {
        let upper = fileName.uppercased()
        let ext: String
        if upper.hasSuffix(".TXT") { ext = ".TXT" } else if upper.hasSuffix(".DAT") { ext = ".DAT" } else {
            return .failure(.notADelivery("the name must end in .txt or .dat"))
        }
        let stem = upper.dropLast(ext.count)
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(.notADelivery("expected KIND_komnr_yyyymmdd, e.g. AMFORA_101_20241108.txt"))
        }
        guard let kind = RecordKind(rawValue: String(parts[0])) else {
            return .failure(.notADelivery("kind \(parts[0]) is not AMFORA, HJAELP1 or HJAELP2"))
        }
        guard parts[1].count == 3, parts[1].allSatisfy(\.isASCIIDigitChar), let komnr = Int(parts[1]) else {
            return .failure(.notADelivery("municipality \(parts[1]) is not a 3-digit code"))
        }
        let d = parts[2]
        guard d.count == 8, d.allSatisfy(\.isASCIIDigitChar) else {
            return .failure(.notADelivery("date \(d) is not yyyymmdd"))
        }
        let chars = Array(d)
        guard let y = Int(String(chars[0..<4])), let m = Int(String(chars[4..<6])), let dd = Int(String(chars[6..<8])),
              let day = Day(year: y, month: m, day: dd) else {
            return .failure(.badDate(String(d)))
        }
        guard municipalities[komnr] != nil else { return .failure(.unknownMunicipality(komnr)) }
        return .success(DeliveryName(kind: kind, komnr: komnr, batchDate: day))
    }

    /// The canonical name of this delivery.
    public var fileName: String {
        let k = String(komnr)
        let (y, m, d) = batchDate.components
        func p(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(kind.rawValue)_\(p(Int(k)!, 3))_\(p(y, 4))\(p(m, 2))\(p(d, 2)).txt"
    }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

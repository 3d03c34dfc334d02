/// How a field is normalised and which format checks apply to it. Named in `layouts.tsv`.
public enum FieldKind: Hashable, Sendable {
    case cpr            // ddmmyyxxxx, century rule
    case identnr        // §57.2: CPR number, or another identifier for persons without one
    case komnr          // one of the 98 municipality codes
    case code(String)   // a code list of codelists.tsv, by name
    case date           // DDMMYY10.-compatible or ISO, normalised to a Day
    case hours          // average weekly hours
    case bool           // 1/J/Y true, 0/N/blank false
    case guid           // 8-4-4-4-12 hex digits
    case disco          // DISCO-88 / DISCO-AMS / DISCOweb code: digits only
    case cvr            // eight digits, modulus 11
    case pnr            // ten digits, no checksum
    case postnr         // four digits, kept as text
    case text           // free text, trimmed

    init?(name: String) {
        if name.hasPrefix("code:") {
            self = .code(String(name.dropFirst(5)))
            return
        }
        switch name {
        case "cpr": self = .cpr
        case "identnr": self = .identnr
        case "komnr": self = .komnr
        case "date": self = .date
        case "hours": self = .hours
        case "bool": self = .bool
        case "guid": self = .guid
        case "disco": self = .disco
        case "cvr": self = .cvr
        case "pnr": self = .pnr
        case "postnr": self = .postnr
        case "text": self = .text
        default: return nil
        }
    }

    /// Fields whose raw value is (or may be) a CPR number and is therefore always masked.
    public var holdsCPR: Bool { self == .cpr || self == .identnr }
}

public enum Severity: String, Sendable, Codable, Comparable {
    case warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One column range of a fixed-width layout. Positions count characters, not bytes.
public struct FieldSpec: Sendable, Hashable {
    public let name: String
    /// 0-based character offset.
    public let offset: Int
    public let length: Int
    /// The declared type as the spec prints it: char, num, date, bool.
    public let type: String
    public let kind: FieldKind
    /// What a malformed value in this field costs the record.
    public let severity: Severity
    /// A blank value is an error whatever else the record says.
    public let required: Bool
    public let guidelineItem: Int
    /// The field's name and maximum width as the guideline prints them (nil where it gives none).
    public let guidelineName: String?
    public let guidelineWidth: Int?
}

/// A versioned fixed-width layout (`52.2-v1`, `57.2-v1`), read from `layouts.tsv`.
/// A class, so that every record view shares it for the price of one reference.
public final class Layout: Sendable {
    public let id: String
    public let fields: [FieldSpec]
    /// Characters in a complete record.
    public let width: Int
    private let indexByName: [String: Int]

    init(id: String, fields: [FieldSpec]) {
        self.id = id
        self.fields = fields
        width = fields.map { $0.offset + $0.length }.max() ?? 0
        var map: [String: Int] = [:]
        for (i, f) in fields.enumerated() { map[f.name] = i }
        indexByName = map
    }

    public func index(of name: String) -> Int? { indexByName[name] }
}

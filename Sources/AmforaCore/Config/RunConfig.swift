/// The settings cron needs, from a small `key = value` file (a TOML subset: `#` comments,
/// strings in double quotes or bare, numbers, true/false). Command-line options override it.
/// Secrets never live here: FTP credentials come from ~/.netrc or the environment.
public struct RunConfig: Sendable, Equatable {
    public var source: String?
    public var warehouse: String?
    public var reports: String?
    /// Where an FTP source's deliveries are fetched to (default: inbox/ beside the warehouse).
    public var inbox: String?
    public var allowPlaintext = false
    public var caFile: String?
    public var netrcFile: String?
    /// Seconds a remote file must have been still before it is fetched.
    public var minAge: Int?
    /// A delivery shrinking by more than this fraction against last Friday is held (issue 4).
    public var shrinkThreshold = 0.10
    /// Per-municipality overrides of the shrink threshold.
    public var shrinkThresholdFor: [Int: Double] = [:]
    /// A loaded delivery with more than this fraction of its records quarantined is flagged.
    public var rejectThreshold = 0.05
    /// Per-municipality encodings, where detection is not wanted.
    public var encodingFor: [Int: TextEncoding] = [:]
    /// Warn when a stage ends with less than this many minutes to the deadline.
    public var deadlineWarningMinutes = 30
    /// Threads that read and check deliveries beside the one that writes (0: one per core).
    public var workers = 0

    public init() {}

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let reason: String
        public var description: String { "config line \(line): \(reason)" }
    }

    static let secretKeys: Set<String> = ["password", "user", "username", "pass", "credentials"]

    public init(text: String) throws {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: " \t\r")
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else { throw ParseError(line: n + 1, reason: "expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: " \t")
            var value = line[line.index(after: eq)...].trimmingCharacters(in: " \t")
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            try set(key, value, line: n + 1)
        }
    }

    /// The allowed values of each numeric key: anything outside (1e300, nan, -1) is refused by
    /// name, never clamped and never left to crash a conversion.
    static let ranges: [String: (range: ClosedRange<Double>, whole: Bool)] = [
        "min_age": (0...86_400, true),
        "shrink_threshold": (0...1, false),
        "reject_threshold": (0...1, false),
        "deadline_warning_minutes": (0...1_440, true),
        "workers": (0...64, true),
    ]

    mutating func set(_ key: String, _ value: String, line: Int) throws {
        func number() throws -> Double {
            let base = key.split(separator: ".").first.map(String.init) ?? key
            let (range, whole) = Self.ranges[base] ?? (0...1, false)
            let allowed = whole ? "a whole number from \(Int(range.lowerBound)) to \(Int(range.upperBound))"
                : "a number from \(range.lowerBound) to \(range.upperBound)"
            guard let d = Double(value), range.contains(d), !whole || d == d.rounded() else {
                throw ParseError(line: line, reason: "\(key) must be \(allowed), not \(value)")
            }
            return d
        }
        func komnr(_ suffix: Substring) throws -> Int {
            guard let k = Int(suffix), CodeListCatalog.standard.municipalities[k] != nil else {
                throw ParseError(line: line, reason: "\(key): expected one of the 98 municipality codes after the dot")
            }
            return k
        }
        if Self.secretKeys.contains(key.lowercased()) {
            throw ParseError(line: line, reason: "\(key) does not belong in the config file: credentials come from ~/.netrc or AMFORA_FTP_USER/AMFORA_FTP_PASSWORD")
        }
        switch key {
        case "source": source = value
        case "warehouse": warehouse = value
        case "reports": reports = value
        case "inbox": inbox = value
        case "allow_plaintext":
            guard value == "true" || value == "false" else { throw ParseError(line: line, reason: "allow_plaintext must be true or false") }
            allowPlaintext = value == "true"
        case "ca_file": caFile = value
        case "netrc_file": netrcFile = value
        case "min_age": minAge = Int(try number())
        case "shrink_threshold": shrinkThreshold = try number()
        case "deadline_warning_minutes": deadlineWarningMinutes = Int(try number())
        case "reject_threshold": rejectThreshold = try number()
        case "workers": workers = Int(try number())
        default:
            if key.hasPrefix("shrink_threshold.") {
                shrinkThresholdFor[try komnr(key.dropFirst("shrink_threshold.".count))] = try number()
            } else if key.hasPrefix("encoding.") {
                guard let e = TextEncoding(rawValue: value) else {
                    throw ParseError(line: line, reason: "\(key) must be UTF-8 or Windows-1252")
                }
                encodingFor[try komnr(key.dropFirst("encoding.".count))] = e
            } else {
                throw ParseError(line: line, reason: "unknown key \(key)")
            }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

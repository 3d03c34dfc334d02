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

    mutating func set(_ key: String, _ value: String, line: Int) throws {
        func number() throws -> Double {
            guard let d = Double(value) else { throw ParseError(line: line, reason: "\(key) must be a number") }
            return d
        }
        func komnr(_ suffix: Substring) throws -> Int {
            guard let k = Int(suffix) else { throw ParseError(line: line, reason: "\(key): expected a municipality code after the dot") }
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
        case "allow_plaintext": allowPlaintext = value == "true"
        case "ca_file": caFile = value
        case "netrc_file": netrcFile = value
        case "min_age": minAge = Int(try number())
        case "shrink_threshold": shrinkThreshold = try number()
        case "deadline_warning_minutes": deadlineWarningMinutes = Int(try number())
        case "reject_threshold": rejectThreshold = try number()
        case "workers":
            let n = try number()
            guard n >= 0, n == n.rounded() else { throw ParseError(line: line, reason: "workers must be a whole number, 0 for one per core") }
            workers = Int(n)
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

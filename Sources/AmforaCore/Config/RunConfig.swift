/// The settings cron needs, from a small `key = value` file (a TOML subset: `#` comments,
/// strings in double quotes or bare, numbers, true/false). Command-line options override it.
/// Secrets never live here: FTP credentials come from ~/.netrc or the environment.
public struct RunConfig: Sendable, Equatable {
    public var source: String?
    public var warehouse: String?
    /// A PostgreSQL warehouse's person key (`PersonKey`): a file readable by the loader only.
    public var personKeyFile: String?
    /// Where delivered files are kept byte for byte (`DeliveryArchive`): beside an SQLite
    /// warehouse by default; a PostgreSQL warehouse has no file to be beside (`archive`).
    public var archiveDirectory: String?
    public var reports: String?
    /// Where an FTP source's deliveries are fetched to (default: inbox/ beside the warehouse).
    public var inbox: String?
    public var allowPlaintext = false
    public var caFile: String?
    public var netrcFile: String?
    /// Seconds a remote file must have been still before it is fetched.
    public var minAge: Int?
    /// A delivery shrinking by more than this fraction against last Friday …
    public var shrinkThreshold = 0.10
    /// … and by more than this many records is held (`shrink_minimum`).
    public var shrinkMinimum = RunConfig.defaultShrinkMinimum
    /// A drop of at most this many records is a small file's ordinary churn, not a truncated
    /// export: the smallest municipalities' aid files hold a handful of grants and their activation
    /// files a few dozen measures, which change by a few a week (5 → 4, 3 → 2 were held every
    /// Friday by the fraction alone); an export cut short loses far more than ten records.
    public static let defaultShrinkMinimum = 10
    /// Overrides of the shrink threshold by municipality (`101`), kind (`HJAELP1`) or both (`101.HJAELP1`).
    public var shrinkThresholdFor: [String: Double] = [:]
    public var shrinkMinimumFor: [String: Int] = [:]
    /// The municipalities whose deliveries a batch expects (all 98 unless configured): those
    /// reported stale or missing when they deliver nothing, and those the deadline waits for.
    public var expectedMunicipalities: [Int] = CodeListCatalog.standard.municipalities.keys.sorted()
    /// A Friday without an aid file (HJAELP1/2) needs a person only when this is set: aid is
    /// reported "løbende" (guideline 58.1), and the last dataset stays in force.
    public var alarmMissingAid = false
    /// Severities set for the rules that allow it (`RuleBook.configurableSeverity`).
    public var ruleSeverity: [String: Severity] = [:]
    /// A loaded delivery with more than this fraction of its records quarantined is flagged.
    public var rejectThreshold = 0.05
    /// Per-municipality encodings, where detection is not wanted.
    public var encodingFor: [Int: TextEncoding] = [:]
    /// Warn when a stage ends with less than this many minutes to the deadline.
    public var deadlineWarningMinutes = 30
    /// Threads that read and check deliveries beside the one that writes (0: one per core).
    public var workers = 0
    /// The Foranstalt codes that count as wage subsidy and as personal assistance for §54
    /// (`disclose.wage_subsidy`, `disclose.personal_assistance`).
    public var disclosureCodes = DisclosureCodes()
    /// Recipients disclosed to after each successful run (`disclose.after_run`; none by default),
    /// into `disclose.out`.
    public var discloseAfterRun: [Recipient] = []
    public var disclosureDirectory: String?
    /// Where each recipient's extract is uploaded (`disclose.to.<recipient>`, an `ftp://` or
    /// `ftps://` directory); a recipient without one is written only.
    public var disclosureTargets: [Recipient: String] = [:]
    /// Where `amfora backup` writes (`backup.to`: a directory, or a new file).
    public var backupDirectory: String?
    /// A backup into `backup.to` after each run that needs no person (`backup.after_run`).
    public var backupAfterRun = false
    /// Weeks of raw deliveries the archive keeps beyond what accept still needs (`archive.keep_weeks`).
    public var archiveKeepWeeks = 13  // ArchiveRetention.defaultWeeks (AmforaIO) says why
    /// `amfora maintain` after each run that needs no person (`maintain.after_run`).
    public var maintainAfterRun = false

    public init() {}

    /// The most specific override for a municipality and kind, else the default.
    static func specific<T>(_ table: [String: T], _ komnr: Int, _ kind: RecordKind, _ fallback: T) -> T {
        table["\(komnr).\(kind.rawValue)"] ?? table[String(komnr)] ?? table[kind.rawValue] ?? fallback
    }

    public func shrinkThreshold(_ komnr: Int, _ kind: RecordKind) -> Double {
        Self.specific(shrinkThresholdFor, komnr, kind, shrinkThreshold)
    }

    public func shrinkMinimum(_ komnr: Int, _ kind: RecordKind) -> Int {
        Self.specific(shrinkMinimumFor, komnr, kind, shrinkMinimum)
    }

    /// The one "needs a person" policy, as configured.
    public var attentionPolicy: AttentionPolicy {
        AttentionPolicy(alarmWhenAbsent: alarmMissingAid ? Set(RecordKind.allCases) : [.amfora], rejectThreshold: rejectThreshold)
    }

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
        "shrink_minimum": (0...10_000_000, true),
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
        /// `101`, `HJAELP1` or `101.HJAELP1` after the key's dot.
        func scope(_ suffix: Substring) throws -> String {
            let parts = suffix.split(separator: ".", omittingEmptySubsequences: false)
            switch parts.count {
            case 1 where RecordKind(rawValue: String(parts[0])) != nil: return String(parts[0])
            case 1: return String(try komnr(parts[0]))
            case 2 where RecordKind(rawValue: String(parts[1])) != nil: return "\(try komnr(parts[0])).\(parts[1])"
            default:
                throw ParseError(line: line, reason: "\(key): expected a municipality code, a kind (AMFORA, HJAELP1, HJAELP2) or both after the dot")
            }
        }
        /// Foranstalt codes of the guideline's code list, separated by commas.
        func foranstaltCodes() throws -> Set<Int> {
            let known = CodeListCatalog.standard.lists["foranstalt"].map { Set($0.entries.map(\.code)) } ?? []
            let codes = value.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }
            guard !codes.isEmpty, codes.allSatisfy({ Int($0).map(known.contains) ?? false }) else {
                throw ParseError(line: line, reason: "\(key) must list Foranstalt codes of the guideline separated by commas, e.g. 139")
            }
            return Set(codes.compactMap { Int($0) })
        }
        if Self.secretKeys.contains(key.lowercased()) {
            throw ParseError(line: line, reason: "\(key) does not belong in the config file: credentials come from ~/.netrc or AMFORA_FTP_USER/AMFORA_FTP_PASSWORD")
        }
        switch key {
        case "source": source = value
        case "warehouse": warehouse = value
        case "person_key_file": personKeyFile = value
        case "archive": archiveDirectory = value
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
        case "shrink_minimum": shrinkMinimum = Int(try number())
        case "alarm_missing_aid":
            guard value == "true" || value == "false" else { throw ParseError(line: line, reason: "alarm_missing_aid must be true or false") }
            alarmMissingAid = value == "true"
        case "municipalities":
            let codes = value.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
            let known = CodeListCatalog.standard.municipalities
            guard !codes.isEmpty, codes.allSatisfy({ Int($0).map { known[$0] != nil } ?? false }) else {
                throw ParseError(line: line, reason: "municipalities must list municipality codes separated by commas, e.g. 101, 147, 851")
            }
            expectedMunicipalities = Set(codes.compactMap { Int($0) }).sorted()
        case "reject_threshold": rejectThreshold = try number()
        case "workers": workers = Int(try number())
        case "disclose.wage_subsidy": disclosureCodes.wageSubsidy = try foranstaltCodes()
        case "disclose.personal_assistance": disclosureCodes.personalAssistance = try foranstaltCodes()
        case "disclose.out": disclosureDirectory = value
        case "backup.to": backupDirectory = value
        case "archive.keep_weeks":
            guard let n = Int(value), (1...520).contains(n) else {
                throw ParseError(line: line, reason: "archive.keep_weeks must be a whole number of weeks from 1 to 520")
            }
            archiveKeepWeeks = n
        case "maintain.after_run":
            guard value == "true" || value == "false" else { throw ParseError(line: line, reason: "maintain.after_run must be true or false") }
            maintainAfterRun = value == "true"
        case "backup.after_run":
            guard value == "true" || value == "false" else { throw ParseError(line: line, reason: "backup.after_run must be true or false") }
            backupAfterRun = value == "true"
        case "disclose.after_run":
            let names = value.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
            var recipients: [Recipient] = []
            for n in names {
                guard let r = Recipient.parse(n) else {
                    throw ParseError(line: line, reason: "disclose.after_run lists recipients: dst, uvm, atp-skat or all, not \(n)")
                }
                recipients += r.filter { !recipients.contains($0) }
            }
            discloseAfterRun = recipients
        default:
            if key.hasPrefix("shrink_threshold.") {
                shrinkThresholdFor[try scope(key.dropFirst("shrink_threshold.".count))] = try number()
            } else if key.hasPrefix("severity.") {
                let rule = String(key.dropFirst("severity.".count))
                guard RuleBook.configurableSeverity.contains(rule) else {
                    throw ParseError(line: line, reason: "\(key): the severity of \(rule) is not configurable (only \(RuleBook.configurableSeverity.sorted().joined(separator: ", ")))")
                }
                guard let s = Severity(rawValue: value) else { throw ParseError(line: line, reason: "\(key) must be error or warning") }
                ruleSeverity[rule] = s
            } else if key.hasPrefix("disclose.to.") {
                guard let r = Recipient(rawValue: String(key.dropFirst("disclose.to.".count))) else {
                    throw ParseError(line: line, reason: "\(key): the recipient after disclose.to. must be dst, uvm or atp-skat")
                }
                guard value.hasPrefix("ftp://") || value.hasPrefix("ftps://") else {
                    throw ParseError(line: line, reason: "\(key) must be an ftp:// or ftps:// directory")
                }
                disclosureTargets[r] = value
            } else if key.hasPrefix("shrink_minimum.") {
                shrinkMinimumFor[try scope(key.dropFirst("shrink_minimum.".count))] = Int(try number())
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

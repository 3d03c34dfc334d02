/// Findings grouped by rule with counts and the first few examples: what a person reads.
/// Memory stays bounded however many findings a file has.
public struct FindingDigest: Sendable {
    public struct Group: Sendable {
        public let rule: String
        public let severity: Severity
        public let field: String?
        public var count: Int
        public var examples: [Finding]
    }

    public let examplesPerRule: Int
    public private(set) var groups: [String: Group] = [:]

    public init(examplesPerRule: Int = 3) { self.examplesPerRule = examplesPerRule }

    public mutating func add(_ f: Finding) {
        let key = "\(f.severity.rawValue)\u{1}\(f.rule)\u{1}\(f.field ?? "")"
        if groups[key] == nil { groups[key] = Group(rule: f.rule, severity: f.severity, field: f.field, count: 0, examples: []) }
        groups[key]!.count += 1
        if groups[key]!.examples.count < examplesPerRule { groups[key]!.examples.append(f) }
    }

    public mutating func merge(_ other: FindingDigest) {
        for (key, g) in other.groups {
            if var mine = groups[key] {
                mine.count += g.count
                mine.examples.append(contentsOf: g.examples.prefix(max(0, examplesPerRule - mine.examples.count)))
                groups[key] = mine
            } else {
                groups[key] = g
            }
        }
    }

    /// Errors first, then by count.
    public var ordered: [Group] {
        groups.values.sorted {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.count != $1.count { return $0.count > $1.count }
            return ($0.rule, $0.field ?? "") < ($1.rule, $1.field ?? "")
        }
    }
}

/// One thing wrong with a delivery, precise enough for a municipality's IT supplier to act on.
/// Findings are values that flow to a consumer; throwing is only for "cannot go on".
/// `value` and `message` never hold a full CPR number.
public struct Finding: Sendable, Codable, Equatable {
    public let file: String
    /// 1-based line number; nil for a file-level finding.
    public let line: Int?
    /// The layout's field name; nil for a line- or file-level finding.
    public let field: String?
    public let rule: String
    public let severity: Severity
    /// The raw text as delivered (trimmed; CPR masked `ddmmyy-****`).
    public let value: String?
    public let message: String
    /// Byte offset within the line, for encoding faults.
    public let byteOffset: Int?

    public init(file: String, line: Int?, field: String?, rule: String, severity: Severity,
                value: String?, message: String, byteOffset: Int? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.rule = rule
        self.severity = severity
        // Whatever field a CPR number was shifted into, and whatever a message quotes.
        self.value = value.map(CPR.scrub)
        self.message = CPR.scrub(message)
        self.byteOffset = byteOffset
    }
}

/// A finding about one record before the file and line are attached.
public struct RecordFinding: Sendable, Equatable {
    public let field: String?
    public let rule: String
    /// Configurable for the rules `RuleBook.configurableSeverity` names.
    public var severity: Severity
    public let value: String?
    public let message: String
    public var byteOffset: Int? = nil

    public init(field: String?, rule: String, severity: Severity, value: String?, message: String, byteOffset: Int? = nil) {
        self.field = field
        self.rule = rule
        self.severity = severity
        self.value = value
        self.message = message
        self.byteOffset = byteOffset
    }

    func located(file: String, line: Int) -> Finding {
        Finding(file: file, line: line, field: field, rule: rule, severity: severity, value: value,
                message: message, byteOffset: byteOffset)
    }
}

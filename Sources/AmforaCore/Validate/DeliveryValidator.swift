/// Streams a delivery's bytes to the caller in chunks; called once per pass over the file.
public typealias ChunkSource = ((UnsafeBufferPointer<UInt8>) -> Void) throws -> Void

/// What one delivery file amounted to.
public struct FileSummary: Sendable, Codable {
    public var file: String
    public var kind: RecordKind?
    public var komnr: Int?
    public var batchDate: Day?
    public var encoding: TextEncoding?
    public var tally = LineTally()
    /// File-level errors: this file stops here, the rest of the batch goes on.
    public var fileFindings: [Finding] = []

    public init(file: String) { self.file = file }

    /// False when a file-level error means no line of it may be loaded.
    public var isUsable: Bool { fileFindings.allSatisfy { $0.severity != .error } }
    public var errors: Int { tally.errors + fileFindings.filter { $0.severity == .error }.count }
    public var warnings: Int { tally.warnings + fileFindings.filter { $0.severity == .warning }.count }
}

public struct ValidationOptions: Sendable {
    /// Force an encoding (configured per municipality) instead of detecting it.
    public var encoding: TextEncoding?
    public var layouts: LayoutCatalog
    public var catalog: CodeListCatalog
    /// Severities chosen in the config for the rules that allow it (`RuleBook.configurableSeverity`).
    public var ruleSeverity: [String: Severity] = [:]

    public init(encoding: TextEncoding? = nil, layouts: LayoutCatalog = .standard, catalog: CodeListCatalog = .standard,
                ruleSeverity: [String: Severity] = [:]) {
        self.ruleSeverity = ruleSeverity
        self.encoding = encoding
        self.layouts = layouts
        self.catalog = catalog
    }
}

/// Parse → normalise → validate for one delivery: identifies it by name, settles its encoding,
/// then reads every line. Pure: the bytes come from `source`, findings and lines go to the caller.
public enum DeliveryValidator {
    /// `known` names the delivery when the file's own name does not (a file read back from the archive).
    /// Lines `recognise` accepts are not parsed (see `DeliveryReader.feed`).
    public static func validate(
        fileName: String,
        known: DeliveryName? = nil,
        options: ValidationOptions = ValidationOptions(),
        source: ChunkSource,
        recognise: (UnsafeBufferPointer<UInt8>, TextEncoding) -> Bool = DeliveryReader.parseEveryLine,
        onFinding: (Finding) -> Void,
        onLine: (ParsedLine) -> Void = { _ in }
    ) throws -> FileSummary {
        var summary = FileSummary(file: fileName)
        func fileError(_ rule: String, _ message: String) -> FileSummary {
            let f = Finding(file: fileName, line: nil, field: nil, rule: rule, severity: .error, value: nil, message: message)
            summary.fileFindings.append(f)
            onFinding(f)
            return summary
        }

        let name: DeliveryName
        switch known.map({ .success($0) }) ?? DeliveryName.parse(baseName(fileName), municipalities: options.catalog.municipalities) {
        case .success(let n): name = n
        case .failure(let p):
            switch p {
            case .notADelivery: return fileError("file.name", "\(p); the file is not read")
            case .unknownMunicipality: return fileError("file.komnr", "\(p); the file is not read")
            case .badDate: return fileError("file.name", "\(p); the file is not read")
            }
        }
        summary.kind = name.kind
        summary.komnr = name.komnr
        summary.batchDate = name.batchDate

        let encoding: TextEncoding
        if let forced = options.encoding {
            encoding = forced
        } else {
            var detector = EncodingDetector()
            try source { detector.feed($0) }
            encoding = detector.encoding
        }
        summary.encoding = encoding

        guard let layout = options.layouts[name.kind.currentLayoutID] else {
            return fileError("file.layout", "no layout \(name.kind.currentLayoutID) is defined for \(name.kind.rawValue)")
        }
        let reader = DeliveryReader(layout: layout, encoding: encoding,
                                    context: FileContext(fileName: fileName, komnr: name.komnr, kind: name.kind),
                                    catalog: options.catalog, severities: options.ruleSeverity)
        // The closures are only called while `source` runs; Swift cannot see that by itself.
        let tail: [RecordFinding] = try withoutActuallyEscaping(onFinding) { onFinding in
            try withoutActuallyEscaping(onLine) { onLine in
                try withoutActuallyEscaping(recognise) { recognise in
                    let handle: (ParsedLine) -> Void = { line in
                        for f in line.findings { onFinding(f.located(file: fileName, line: line.number)) }
                        onLine(line)
                    }
                    try source { reader.feed($0, recognise: recognise, handle) }
                    return reader.finish(recognise: recognise, handle)
                }
            }
        }
        summary.tally = reader.tally
        for f in tail {
            let located = Finding(file: fileName, line: reader.tally.lines + 1, field: nil, rule: f.rule,
                                  severity: f.severity, value: nil, message: f.message)
            summary.fileFindings.append(located)
            onFinding(located)
        }
        if summary.tally.records == 0, summary.isUsable {
            let f = Finding(file: fileName, line: nil, field: nil, rule: "file.empty", severity: .warning, value: nil,
                            message: "the delivery holds no records; a full dataset is expected every Friday")
            summary.fileFindings.append(f)
            onFinding(f)
        }
        return summary
    }

    /// Convenience for tests: validates in-memory bytes, collecting every finding.
    public static func validate(fileName: String, bytes: [UInt8], options: ValidationOptions = ValidationOptions(),
                                chunkSize: Int = 1 << 16) -> (FileSummary, [Finding]) {
        var findings: [Finding] = []
        let summary = try! validate(fileName: fileName, options: options, source: memorySource(bytes, chunkSize: chunkSize),
                                    onFinding: { findings.append($0) })
        return (summary, findings)
    }

    /// Bytes in memory as a chunk source, in chunks of `chunkSize` (tests split lines anywhere).
    public static func memorySource(_ bytes: [UInt8], chunkSize: Int = 1 << 16) -> ChunkSource {
        return { consume in
            bytes.withUnsafeBufferPointer { all in
                var i = 0
                while i < all.count {
                    let n = min(chunkSize, all.count - i)
                    consume(UnsafeBufferPointer(rebasing: all[i..<(i + n)]))
                    i += n
                }
            }
        }
    }

    public static func baseName(_ path: String) -> String {
        if let slash = path.lastIndex(of: "/") { return String(path[path.index(after: slash)...]) }
        return path
    }
}

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Parse, normalise and validate delivery files without touching any warehouse.",
        discussion: """
        Exit status: 0 no errors, 1 errors found, 2 unusable input (a file missing, unreadable, \
        or not a delivery). Files are validated in parallel; --json streams them one by one.

        Example:
          amfora validate inbox/AMFORA_101_20261127.txt
          amfora validate --json --encoding Windows-1252 inbox/*.txt
        """
    )

    @Flag(help: "Print the JSON object of interfaces.md instead of the human summary.")
    var json = false

    @Option(help: "Read every file in this encoding instead of detecting it (UTF-8 or Windows-1252).")
    var encoding: String?

    @Option(help: "Config file: its rule severities (severity.<rule>) apply, as in a run. Default: amfora.conf if it exists.")
    var config: String?

    @Option(help: "How many example findings to show per rule.")
    var examples = 3

    @Flag(help: "Print throughput (MB/s, records/s) and peak memory to standard error.")
    var stats = false

    @Argument(help: "Delivery files (AMFORA_<komnr>_<yyyymmdd>.txt, HJAELP1_…, HJAELP2_…).")
    var files: [String]

    func validate() throws {
        if let e = encoding, TextEncoding(rawValue: e) == nil {
            throw ValidationError("--encoding must be UTF-8 or Windows-1252")
        }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        var bytes = 0, records = 0
        defer {
            if stats {
                let elapsed = (clock.now - started).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                FileHandle.standardError.write(Data(RunStats.line(bytes: bytes, records: records, seconds: seconds).utf8))
            }
        }
        let options = ValidationOptions(encoding: encoding.flatMap(TextEncoding.init(rawValue:)),
                                        ruleSeverity: try ConfigFile.load(config).ruleSeverity)
        var unusable = false
        var anyErrors = false
        if json {
            say("{\"files\":[", terminator: "")
            for (i, path) in files.enumerated() {
                if i > 0 { say(",", terminator: "") }
                say(ValidationOutput.jsonFileHead(file: path), terminator: "")
                var first = true
                let summary = Self.check(path, options) { f in
                    say((first ? "" : ",") + ValidationOutput.jsonFinding(f), terminator: "")
                    first = false
                }
                say(ValidationOutput.jsonFileTail(summary), terminator: "")
                records += summary.tally.records
                bytes += Self.size(path)
                unusable = unusable || Self.isUnusable(summary)
                anyErrors = anyErrors || summary.errors > 0
            }
            say("]}")
        } else {
            let results = await withTaskGroup(of: (Int, FileSummary, FindingDigest).self) { group in
                // Largest files first, so the two cores finish together; results are re-sorted below.
                let order = files.enumerated().sorted { Self.size($0.element) > Self.size($1.element) }
                for (i, path) in order {
                    let n = examples
                    group.addTask {
                        var digest = FindingDigest(examplesPerRule: n)
                        let s = Self.check(path, options) { digest.add($0) }
                        return (i, s, digest)
                    }
                }
                var out: [(Int, FileSummary, FindingDigest)] = []
                for await r in group { out.append(r) }
                return out.sorted { $0.0 < $1.0 }
            }
            var digest = FindingDigest(examplesPerRule: examples)
            for (_, s, d) in results {
                say(ValidationOutput.summaryLine(s, municipalities: options.catalog.municipalities))
                records += s.tally.records
                bytes += Self.size(s.file)
                digest.merge(d)
                unusable = unusable || Self.isUnusable(s)
                anyErrors = anyErrors || s.errors > 0
            }
            say("")
            say(ValidationOutput.digestText(digest))
        }
        if unusable { throw ExitCode(2) }
        if anyErrors { throw ExitCode(1) }
    }

    /// Validates one file; a file that cannot be read at all becomes a file-level finding.
    static func check(_ path: String, _ options: ValidationOptions, onFinding: (Finding) -> Void) -> FileSummary {
        do {
            try FileChunks.checkReadable(path)
            return try DeliveryValidator.validate(fileName: path, options: options,
                                                  source: FileChunks.source(path: path), onFinding: onFinding)
        } catch {
            var s = FileSummary(file: path)
            let f = Finding(file: path, line: nil, field: nil, rule: "file.unreadable", severity: .error,
                            value: nil, message: (error as? FileAccessError)?.reason ?? "\(error)")
            s.fileFindings.append(f)
            onFinding(f)
            return s
        }
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Unusable input: the file could not be read, or is not a delivery at all.
    static func isUnusable(_ s: FileSummary) -> Bool {
        s.fileFindings.contains { ["file.unreadable", "file.name", "file.komnr"].contains($0.rule) }
    }
}

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

/// Options shared by run, rerun, resume, report and status. Every one can also come from the
/// config file; the command line wins.
struct RunOptions: ParsableArguments {
    @Option(help: "Config file (key = value; see README). Default: amfora.conf if it exists.")
    var config: String?

    @Option(help: "Where the deliveries come from: a local directory, ftp://host/path (explicit TLS) or ftps://host/path.")
    var source: String?

    @Option(help: "The SQLite warehouse file (created 0600 if missing). Default: warehouse/amfora.sqlite")
    var warehouse: String?

    @Option(help: "Directory for the batch reports. Default: reports")
    var reports: String?

    @Option(help: "The batch's Friday, yyyy-mm-dd. Default: the coming Friday (today if Friday), Europe/Copenhagen.")
    var batchDate: String?

    @Option(help: "With an FTP source: the local inbox the deliveries are fetched into. Default: inbox/ beside the warehouse.")
    var inbox: String?

    @OptionGroup var ftp: FTPSecurityOptions

    func validate() throws {
        if let d = batchDate {
            guard let day = Day(iso: d) else { throw ValidationError("--batch-date must be yyyy-mm-dd, got \(d)") }
            guard day.isoWeekday == 5 else { throw ValidationError("--batch-date \(d) is not a Friday") }
        }
    }

    func loadConfig() throws -> RunConfig { try ConfigFile.load(config) }

    var batch: Day { batchDate.flatMap { Day(iso: $0) } ?? Deadline.defaultBatch() }

    func resolvedWarehouse(_ c: RunConfig) -> String { warehouse ?? c.warehouse ?? "warehouse/amfora.sqlite" }
    func resolvedReports(_ c: RunConfig) -> String { reports ?? c.reports ?? "reports" }

    /// The inbox to load from: a local source directory as it is; an FTP source is fetched first
    /// (the fetch stage), into `--inbox` or `inbox/` beside the warehouse.
    func resolvedInbox(_ c: RunConfig, batch: Day) throws -> (inbox: String, fetch: FetchSummary?) {
        guard let s = source ?? c.source else {
            throw CLIError("no source: give --source DIR or ftp(s)://…, or set source in the config file")
        }
        if s.hasPrefix("ftp://") || s.hasPrefix("ftps://") {
            try CurlGlobal.initialise()
            let connection = ftp.connection(c)
            var options = FetchOptions()
            options.completeness = CompletenessPolicy(minAge: Int64(c.minAge ?? 60), requireDoneMarker: false)
            let target = inbox ?? c.inbox ?? ((resolvedWarehouse(c) as NSString).deletingLastPathComponent as NSString).appendingPathComponent("inbox")
            let remote = try Fetcher.openSource(s, connection: connection)
            let summary = try Fetcher.fetch(source: remote, inbox: target, batchDate: batch, options: options)
            return (target, summary)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: s, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("the source directory \(s) does not exist")
        }
        return (s, nil)
    }
}

/// The config file: `--config F`, else `amfora.conf` in the working directory if there is one.
enum ConfigFile {
    static func load(_ explicit: String?) throws -> RunConfig {
        let path = explicit ?? (FileManager.default.fileExists(atPath: "amfora.conf") ? "amfora.conf" : nil)
        guard let path else { return RunConfig() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read the config file \(path)")
        }
        do { return try RunConfig(text: text) } catch { throw CLIError("\(path): \(error)") }
    }
}

/// A message for the operator and exit status 2: the job could not do its work.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

enum Terminal {
    /// Progress lines only on a terminal: cron mails what is printed, so it gets the summary only.
    static let isInteractive = isatty(STDERR_FILENO) == 1

    static func progress(_ line: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("  \(CPR.scrub(line))\n".utf8))
    }

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("amfora: \(CPR.scrub(message))\n".utf8))
        return ExitCode(2)
    }
}

/// Everything the commands print goes through here: whatever a message quotes, no full CPR
/// number leaves the program (`CPR.scrub`).
func say(_ text: String, terminator: String = "\n") {
    Swift.print(CPR.scrub(text), terminator: terminator)
}

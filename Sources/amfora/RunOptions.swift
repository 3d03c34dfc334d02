import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

/// The warehouse a command works on, and which batch: what every command but `validate` and
/// `fetch` takes. Every option can also come from the config file; the command line wins.
struct WarehouseOptions: ParsableArguments {
    @Option(help: "Config file (key = value; see README). Default: amfora.conf if it exists.")
    var config: String?

    @Option(help: "The SQLite warehouse file (created 0600 by `run` if missing), or postgresql://host[:port]/database (README, \"PostgreSQL\"). Default: warehouse/amfora.sqlite.")
    var warehouse: String?

    @Option(help: "The batch's Friday, yyyy-mm-dd (not after the coming Friday).")
    var batchDate: String?

    func validate() throws {
        if let d = batchDate {
            do { _ = try BatchDate.parse(d, now: RunClock.now()) } catch { throw ValidationError("\(error)") }
        }
    }

    func loadConfig() throws -> RunConfig { try ConfigFile.load(config) }

    /// The warehouse: an SQLite file's path, or a PostgreSQL URL where the command can work on
    /// one (`postgres`). Elsewhere the URL is refused here, before a lock file or a database
    /// file could be made from it.
    func resolvedWarehouse(_ c: RunConfig, postgres: Bool = false) throws -> String {
        let w = warehouse ?? c.warehouse ?? "warehouse/amfora.sqlite"
        guard !PostgresLocation.isPostgres(w) || postgres else {
            // The URL is not repeated: it may hold a password, which `init-roles` refuses with its own words.
            throw CLIError("a PostgreSQL warehouse is not yet supported by this command: run, rerun, resume, accept, report and status work on one, while backup, maintain and disclose work on an SQLite warehouse only (README, \"PostgreSQL\"); nothing was changed")
        }
        return w
    }

    /// `run`'s batch: the given date, else the coming Friday (today if Friday).
    func newBatch() throws -> Day { try BatchDate.forNewBatch(batchDate, now: RunClock.now()) }

    /// The batch of the commands that speak of one that exists: the given date, else the last
    /// batch run in the warehouse (or `fallback`, e.g. a delivery file's own date).
    func existingBatch(_ warehouse: String, _ config: RunConfig, fallback: Day? = nil) throws -> Day {
        if let batchDate { return try BatchDate.parse(batchDate, now: RunClock.now()) }
        if let fallback { return fallback }
        // Says "no warehouse at …" when there is none, and creates none.
        let last = try RunLedger.lastBatch(RunWarehouse.openForReading(warehouse, config: config))
        return try BatchDate.forExistingBatch(nil, otherwise: last, now: RunClock.now())
    }
}

/// Where the reports go: for the commands that write them.
struct ReportsOptions: ParsableArguments {
    @Option(help: "Directory for the batch reports. Default: reports")
    var reports: String?

    func resolved(_ c: RunConfig) -> String { reports ?? c.reports ?? "reports" }
}

/// Where the deliveries come from: for `run`, `rerun` and `resume`.
struct SourceOptions: ParsableArguments {
    @Option(help: "Where the deliveries come from: a local directory, ftp://host/path (explicit TLS) or ftps://host/path.")
    var source: String?

    @Option(help: "With an FTP source: the local inbox the deliveries are fetched into. Default: inbox/ beside the warehouse (for PostgreSQL: inbox/).")
    var inbox: String?

    @OptionGroup var ftp: FTPSecurityOptions

    func request(_ c: RunConfig, warehouse: String) throws -> DeliverySourceRequest {
        guard let s = source ?? c.source else {
            throw CLIError("no source: give --source DIR or ftp(s)://…, or set source in the config file")
        }
        let target = inbox ?? c.inbox ?? (RunWarehouse.directory(of: warehouse) as NSString).appendingPathComponent("inbox")
        return DeliverySourceRequest(location: s, inbox: target, connection: ftp.connection(c), minAge: Int64(c.minAge ?? 60))
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

    /// Columns to wrap to: the terminal's, else COLUMNS, else 100.
    static var width: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 100
    }

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

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch the batch's deliveries from an FTP server or a directory into a local inbox.",
        discussion: """
        ftp:// requires explicit TLS (AUTH TLS) on control and data connections, ftps:// is implicit \
        TLS; plaintext only with --allow-plaintext. Credentials come from --netrc-file, then \
        AMFORA_FTP_USER/AMFORA_FTP_PASSWORD, then ~/.netrc (which must be mode 600) — never from \
        the command line. A file is fetched once it has stopped changing between two listings and \
        is --min-age seconds old; a second run fetches only what is new or re-uploaded. The fetch \
        state is the hidden file .amfora-fetch-state.json in the inbox.
        Exit status: 0 all fetched; 1 something needs a person (a failed transfer, a file still \
        being written, a refused name, time budget spent); 2 could not work (source unreachable, \
        login or TLS refused, bad arguments).

        Example:
          amfora fetch --source ftp://ftp.example.dk/amfora/ --inbox /var/lib/amfora/inbox --netrc-file /etc/amfora/netrc
        """
    )

    @Option(help: "Config file (key = value). Default: amfora.conf if it exists.")
    var config: String?
    @Option(help: "ftp://host[:port]/path (explicit TLS), ftps://host[:port]/path (implicit TLS) or a local directory.")
    var source: String?
    @Option(help: "Local directory that receives the deliveries (created if missing).")
    var inbox: String
    @Option(help: "The batch's Friday, yyyy-mm-dd. Default: the coming Friday (today if Friday), Europe/Copenhagen.")
    var batchDate: String?
    @Option(help: "Seconds a file must be unmodified before it is fetched (default 60).")
    var minAge: Int?
    @Option(help: "Seconds between the two listings that show a file has stopped growing (0: one listing).")
    var listingInterval: Double = 2
    @Flag(help: "Fetch a delivery X only when X.done is beside it.")
    var doneMarker = false
    @Option(help: "Seconds in which new transfers may start. Default: until Friday 06:00 Europe/Copenhagen, at least 600.")
    var timeBudget: Double?
    @OptionGroup var ftp: FTPSecurityOptions
    @Option(help: "Retries of a failed listing or transfer.")
    var retries = 3
    @Option(help: "Seconds before the first retry; doubled for each further one (at most 30).")
    var retryDelay: Double = 2
    @Option(help: "Seconds to connect (TCP and TLS).")
    var connectTimeout: Double = 30
    @Option(help: "Seconds to wait for any FTP reply.")
    var responseTimeout = 60
    @Option(help: "A transfer below this many bytes/s for --low-speed-time seconds is broken off and retried.")
    var lowSpeedLimit = 1024
    @Option(help: "See --low-speed-limit.")
    var lowSpeedTime = 60

    func validate() throws {
        if let d = batchDate {
            do { _ = try BatchDate.parse(d, now: RunClock.now()) } catch { throw ValidationError("\(error)") }
        }
        let numbers: [(String, Double)] = [("--min-age", Double(minAge ?? 0)), ("--listing-interval", listingInterval),
                                           ("--retries", Double(retries)), ("--retry-delay", retryDelay),
                                           ("--time-budget", timeBudget ?? 0), ("--connect-timeout", connectTimeout),
                                           ("--response-timeout", Double(responseTimeout)),
                                           ("--low-speed-limit", Double(lowSpeedLimit)), ("--low-speed-time", Double(lowSpeedTime))]
        for (name, value) in numbers where value < 0 || !value.isFinite {
            throw ValidationError("\(name) must not be negative")
        }
    }

    func run() throws {
        // Before anything else can start a thread that might use libcurl.
        do { try CurlGlobal.initialise() } catch { throw fail(error.message) }
        let settings = try loadConfig()
        guard let sourceText = source ?? settings.source else {
            throw fail("no source: give --source ftp(s)://host/path or a directory, or set source in the config file")
        }
        let batch = batchDate.flatMap { Day(iso: $0) } ?? Deadline.defaultBatch(now: RunClock.now())
        let summary: FetchSummary
        do {
            let source = try Fetcher.openSource(sourceText, connection: connection(settings))
            summary = try Fetcher.fetch(source: source, inbox: inbox, batchDate: batch, options: options(settings),
                                        progress: ProgressLine.forTerminal())
        } catch {
            throw fail(error.message)
        }
        for line in FetchReport.lines(summary, municipalities: CodeListCatalog.standard.municipalities) { say(line) }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    func connection(_ c: RunConfig) -> ConnectionOptions {
        var o = ftp.connection(c)
        o.connectTimeout = connectTimeout
        o.responseTimeout = responseTimeout
        o.lowSpeedLimit = lowSpeedLimit
        o.lowSpeedTime = lowSpeedTime
        return o
    }

    func options(_ c: RunConfig) -> FetchOptions {
        var o = FetchOptions()
        o.completeness = CompletenessPolicy(minAge: Int64(minAge ?? c.minAge ?? 60), requireDoneMarker: doneMarker)
        o.listingInterval = listingInterval
        o.timeBudget = timeBudget
        o.retry = RetryPolicy(retries: retries, initialDelay: retryDelay, maxDelay: max(30, retryDelay))
        return o
    }

    func loadConfig() throws -> RunConfig {
        do { return try ConfigFile.load(config) } catch { throw fail("\(error)") }
    }

    /// interfaces.md exit 2: the job could not do its work; the message says what to do.
    func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("amfora fetch: \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// One self-rewriting line on standard error while files move: only on a terminal, because cron
/// mails whatever is printed.
final class ProgressLine {
    private var lastDraw = ContinuousClock.now
    private var current = ""

    static func forTerminal() -> ((FetchProgress) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let line = ProgressLine()
        return { line.show($0) }
    }

    func show(_ p: FetchProgress) {
        switch p {
        case .listing: draw("listing the source …", force: true)
        case .waitingForSecondListing(let s): draw("waiting \(s) s to see which files are still growing …", force: true)
        case .transferStarted(let i, let n, let name, _):
            current = "[\(i)/\(n)] \(name)"
            draw(current, force: true)
        case .transferred(_, let bytes, let size):
            draw("\(current) \(mb(bytes))\(size.map { "/" + mb($0) } ?? "") MB", force: false)
        case .transferEnded: draw("", force: true)
        }
    }

    private func draw(_ text: String, force: Bool) {
        let now = ContinuousClock.now
        guard force || now - lastDraw > .milliseconds(100) else { return }
        lastDraw = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    private func mb(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_000_000) }
}

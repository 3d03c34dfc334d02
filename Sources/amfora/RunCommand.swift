import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The weekly job: fetch → parse → normalise → validate → write-down → load → reconcile → report.",
        discussion: """
        Running it again for the same batch processes only deliveries that are new or changed \
        (late deliveries, or an interrupted run). Exit status: 0 done and nothing needs a person; \
        1 done but something needs a person (rejects, stale/missing/failed deliveries, deadline \
        missed); 2 the job could not do its work.
        """
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        try WeeklyJob.runAndReport(options, municipality: nil, file: nil)
    }
}

struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Redo one municipality's deliveries for the batch, from the source or a given file.",
        discussion: """
        Replaces the municipality's dataset for the batch and recomputes the write-down for every \
        person it touches, in any municipality; the other municipalities are not touched. Running \
        it twice leaves the same warehouse.
        """
    )

    @Option(help: "The municipality code, e.g. 101.") var municipality: Int
    @Option(help: "Load this file instead of the source's delivery (it must be named like one).") var file: String?
    @OptionGroup var options: RunOptions

    func validate() throws {
        guard CodeListCatalog.standard.municipalities[municipality] != nil else {
            throw ValidationError("--municipality \(municipality) is not one of the 98 municipality codes")
        }
    }

    func run() throws {
        try WeeklyJob.runAndReport(options, municipality: municipality, file: file)
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Finish the last interrupted batch: what is already loaded and verified by checksum is skipped."
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        var opts = options
        if opts.batchDate == nil {
            let config = try opts.loadConfig()
            let warehouse = opts.resolvedWarehouse(config)
            let db: Database
            do { db = try Warehouse.openForReading(warehouse) } catch { throw Terminal.fail(OperatorMessage.of(error)) }
            guard let day = try db.scalar("SELECT max(batch_date) FROM run WHERE status = 'running'") else {
                say("nothing to resume: the last batch finished")
                return
            }
            opts.batchDate = Day(ordinal: Int32(day)).iso
        }
        try WeeklyJob.runAndReport(opts, municipality: nil, file: nil)
    }
}

/// What run, rerun and resume share: resolve the options, run, turn failures into exit 2.
enum WeeklyJob {
    /// Runs, prints the short summary (what cron mails), and exits 1 when a person is needed.
    static func runAndReport(_ options: RunOptions, municipality: Int?, file: String?, acceptHeld: Bool = false) throws {
        let (result, fetched) = try run(options, municipality: municipality, file: file, acceptHeld: acceptHeld)
        if let fetched {
            for line in FetchReport.lines(fetched, municipalities: CodeListCatalog.standard.municipalities) { say(line) }
        }
        say(RunSummary.text(result))
        if result.needsPerson || (fetched?.exitCode ?? 0) != 0 { throw ExitCode(1) }
    }

    static func run(_ options: RunOptions, municipality: Int?, file: String?,
                    acceptHeld: Bool = false) throws -> (RunResult, FetchSummary?) {
        do {
            let config = try options.loadConfig()
            let warehouse = options.resolvedWarehouse(config)
            let dir = (warehouse as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let (inbox, fetched) = file == nil && !acceptHeld ? try options.resolvedInbox(config, batch: options.batch) : ("", nil)
            if let fetched, fetched.exitCode == 2 {
                throw CLIError(FetchReport.lines(fetched, municipalities: CodeListCatalog.standard.municipalities).joined(separator: "\n"))
            }
            var request = RunRequest(batch: options.batch, inbox: inbox, warehouse: warehouse,
                                     reports: options.resolvedReports(config), config: config,
                                     municipality: municipality, file: file)
            request.acceptHeld = acceptHeld
            return (try WeeklyRun(request, progress: Terminal.progress).run(), fetched)
        } catch let e as RunLock.Held {
            throw Terminal.fail(e.description)
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }
}

struct AcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Load a municipality's held delivery after a person has looked at it.",
        discussion: """
        A delivery that shrank beyond the threshold is held: last Friday's dataset stays in force. \
        This loads the held file (kept unchanged in the archive) whatever its size, then updates the \
        write-down, the reconciliation and the reports. A corrected delivery goes through `amfora rerun` instead.
        """
    )

    @Option(help: "The municipality code, e.g. 851.") var municipality: Int
    @OptionGroup var options: RunOptions

    func run() throws {
        try WeeklyJob.runAndReport(options, municipality: municipality, file: nil, acceptHeld: true)
    }
}

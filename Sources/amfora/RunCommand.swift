import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The weekly job: fetch → parse → normalise → validate → load → write-down → reconcile → report.",
        discussion: """
        Running it again for the same batch does only what is new or unfinished (late deliveries, \
        or the rest of a run that was killed); without a terminal such a pass prints nothing when \
        there is nothing new. Exit status: 0 done and nothing needs a person; 1 done but something \
        needs a person (see the summary); 2 the job could not do its work.

        Example:
          amfora run --config /etc/amfora/amfora.conf
          amfora run --source samples/2026-11-27 --batch-date 2026-11-27 --warehouse w/amfora.sqlite
        """
    )

    @OptionGroup var options: WarehouseOptions
    @OptionGroup var reports: ReportsOptions
    @OptionGroup var source: SourceOptions

    func run() throws {
        try Pass.runAndReport(options, reports, source) { _, _ in try options.newBatch() }
    }
}

struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Redo one municipality's deliveries for a batch, from the source or a given file.",
        discussion: """
        Replaces the municipality's dataset for the batch and recomputes the write-down for every \
        person it touches, in any municipality; the other municipalities are not touched. Running \
        it twice leaves the same warehouse. The batch: --batch-date, else the --file's own date, \
        else the last batch run.

        Example:
          amfora rerun --municipality 101 --file /tmp/AMFORA_101_20261127.txt
        """
    )

    @Option(help: "The municipality code, e.g. 101.") var municipality: Int
    @Option(help: "Load this file instead of the source's delivery (it must be named like one).") var file: String?
    @OptionGroup var options: WarehouseOptions
    @OptionGroup var reports: ReportsOptions
    @OptionGroup var source: SourceOptions

    func validate() throws {
        guard CodeListCatalog.standard.municipalities[municipality] != nil else {
            throw ValidationError("--municipality \(municipality) is not one of the 98 municipality codes")
        }
    }

    func run() throws {
        let named = file.flatMap { f -> Day? in
            guard case .success(let n) = DeliveryName.parse((f as NSString).lastPathComponent,
                                                            municipalities: CodeListCatalog.standard.municipalities) else { return nil }
            return n.batchDate
        }
        try Pass.runAndReport(options, reports, source, municipality: municipality, file: file) { config, warehouse in
            try options.existingBatch(warehouse, config, fallback: named)
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Finish the last batch that was interrupted: what is loaded and verified by SHA-256 is skipped.",
        discussion: """
        The same as `amfora run` for that batch: every stage does what a killed pass left unfinished.

        Example:
          amfora resume --config /etc/amfora/amfora.conf
        """
    )

    @OptionGroup var options: WarehouseOptions
    @OptionGroup var reports: ReportsOptions
    @OptionGroup var source: SourceOptions

    func run() throws {
        try Pass.runAndReport(options, reports, source) { config, warehouse in
            if options.batchDate != nil { return try options.existingBatch(warehouse, config) }
            guard let day = try Self.interrupted(warehouse, config) else {
                say("nothing to resume: the last batch finished")
                throw ExitCode.success
            }
            return day
        }
    }

    static func interrupted(_ warehouse: String, _ config: RunConfig) throws -> Day? {
        try RunLedger.interruptedBatch(RunWarehouse.openForReading(warehouse, config: config))
    }
}

struct AcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Load a municipality's held delivery after a person has looked at it.",
        discussion: """
        A delivery that shrank beyond the hold rule is held: last Friday's dataset stays in force. \
        This loads the held file (kept unchanged in the archive) whatever its size, then updates the \
        write-down, the reconciliation and the reports. --dry-run shows what accepting would change \
        and changes nothing. A corrected delivery goes through `amfora rerun` instead. The batch: \
        --batch-date, else the last batch run.

        Example:
          amfora accept --municipality 851 --dry-run
          amfora accept --municipality 851 --batch-date 2026-11-27
        """
    )

    @Option(help: "The municipality code, e.g. 851.") var municipality: Int
    @Flag(help: "Show what accepting would change (counts against last Friday, a masked sample); change nothing.")
    var dryRun = false
    @OptionGroup var options: WarehouseOptions
    @OptionGroup var reports: ReportsOptions

    func run() throws {
        try Pass.runAndReport(options, reports, nil, municipality: municipality, acceptHeld: true, dryRun: dryRun) { config, warehouse in
            try options.existingBatch(warehouse, config)
        }
    }
}

/// What run, rerun, resume and accept share: build the request with the batch resolved once,
/// run the pass, print what it has to say, and turn failures into exit 2.
enum Pass {
    static func runAndReport(_ options: WarehouseOptions, _ reports: ReportsOptions, _ source: SourceOptions?, municipality: Int? = nil, file: String? = nil,
                             acceptHeld: Bool = false, dryRun: Bool = false,
                             batch: (RunConfig, String) throws -> Day) throws {
        let result: RunResult, fetched: FetchSummary?
        let config: RunConfig, warehouse: String
        do {
            config = try options.loadConfig()
            warehouse = try options.resolvedWarehouse(config, postgres: true)
            let day = try batch(config, warehouse)
            let dir = RunWarehouse.directory(of: warehouse)
            if !dir.isEmpty, !acceptHeld { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            var request = RunRequest(batch: day, inbox: "", warehouse: warehouse, reports: reports.resolved(config),
                                     config: config, municipality: municipality, file: file)
            request.acceptHeld = acceptHeld
            if dryRun {
                for line in try WeeklyRun(request).dryRun() { say(line) }
                say("nothing was changed; to accept: amfora accept --municipality \(municipality ?? 0) --batch-date \(day.iso)")
                return
            }
            let from = file == nil ? try source.map { try $0.request(config, warehouse: warehouse) } : nil  // a given file needs no source
            (result, fetched) = try WeeklyJob.run(request, source: from, progress: Terminal.progress)
        } catch let e as RunLock.Held {
            throw Terminal.fail(e.description)
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
        // cron mails what is printed: a pass with nothing new says nothing (a person at a
        // terminal always gets the summary); the exit code still says whether a person is needed.
        if let text = Terminal.isInteractive ? RunSummary.text(result) : RunSummary.news(result) { say(text) }
        if let fetched, fetched.exitCode != 0 || Terminal.isInteractive {
            for line in FetchReport.lines(fetched, municipalities: CodeListCatalog.standard.municipalities) { say(line) }
        }
        if result.needsPerson || (fetched?.exitCode ?? 0) != 0 { throw ExitCode(1) }
        if !config.discloseAfterRun.isEmpty, !Self.afterRun("NOT DISCLOSED", { try discloseAfterRun(config, warehouse, batch: result.batch) }) {
            throw ExitCode(1)
        }
        if config.maintainAfterRun, !Self.afterRun("NOT MAINTAINED", {
            for line in try MaintainCommand.maintain(warehouse, config, vacuum: false) { say(line) }
            return true
        }) { throw ExitCode(1) }
        if config.backupAfterRun, !Self.afterRun("NOT BACKED UP", {
            guard let target = config.backupDirectory else {
                throw CLIError("backup.after_run is set but backup.to is not: no place for the backup")
            }
            say(try BackupCommand.take(warehouse, to: target, intoDirectory: true))
            return true
        }) { throw ExitCode(1) }
    }

    /// What the config opts into after a run that needs no person (`disclose.after_run`,
    /// `maintain.after_run`, `backup.after_run`): its lines in the mail; a failure is one line
    /// headed `refusal` and needs a person. `body` says whether all went well.
    static func afterRun(_ refusal: String, _ body: () throws -> Bool) -> Bool {
        do {
            return try body()
        } catch {
            say("\(refusal): \(OperatorMessage.of(error))")
            return false
        }
    }

    /// The disclosures after a run, into `disclose.out`, each uploaded where `disclose.to.<recipient>` says.
    static func discloseAfterRun(_ config: RunConfig, _ warehouse: String, batch: Day) throws -> Bool {
        guard let dir = config.disclosureDirectory else {
            throw CLIError("disclose.after_run is set but disclose.out is not: no directory for the extracts")
        }
        let extracts = try DiscloseCommand.disclose(warehouse, batch: batch, config.discloseAfterRun, out: dir, urls: config.disclosureTargets,
                                                    connection: ConnectionOptions(config), codes: config.disclosureCodes)
        for e in extracts { say(DisclosureStage.line(e)) }
        return !extracts.contains(where: \.notDelivered)
    }
}

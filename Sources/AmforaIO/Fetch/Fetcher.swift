public import AmforaCore
import Foundation

/// The fetch stage: list the source, pick the batch's complete deliveries, download each once
/// into the inbox, and say what happened. `amfora fetch` and `amfora run` both call `fetch`.
public enum Fetcher {
    /// A source for `--source`: a URL (`ftp://`, `ftps://`) or a local directory. `environment`
    /// and `home` default to the process's (tests pass their own).
    public static func openSource(_ text: String, connection: ConnectionOptions, environment: [String: String]? = nil,
                                  home: String? = nil) throws(SourceError) -> any DeliverySource {
        switch try SourceLocation.parse(text) {
        case .directory(let path):
            return try LocalDirectorySource(path: path)
        case .ftp(let location):
            let credentials = try FTPCredentials.resolve(host: location.host, netrcFile: connection.netrcFile,
                                                         environment: environment ?? ProcessInfo.processInfo.environment,
                                                         home: home ?? NSHomeDirectory())
            return try CurlFTPSource(location: location, credentials: credentials, options: connection)
        }
    }

    /// Throws when the run could not do its work at all (source unreachable, login refused,
    /// inbox unusable): exit 2. Everything per file ends up in the summary instead.
    public static func fetch(source: any DeliverySource, inbox: String, batchDate batch: Day, options: FetchOptions = FetchOptions(),
                             progress: ((FetchProgress) -> Void)? = nil) throws(SourceError) -> FetchSummary {
        try prepareInbox(inbox, source: source)
        let lock = try InboxLock(inbox: inbox)
        defer { withExtendedLifetime(lock) {} }
        var run = try FetchRun(source: source, inbox: inbox, batch: batch, options: options, progress: progress)
        return try run.go()
    }

    static func prepareInbox(_ inbox: String, source: any DeliverySource) throws(SourceError) {
        do {
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SourceError(.local, "cannot create the inbox \(inbox): \(error.localizedDescription)")
        }
        if let local = source as? LocalDirectorySource,
           URL(fileURLWithPath: local.path).resolvingSymlinksInPath().path == URL(fileURLWithPath: inbox).resolvingSymlinksInPath().path {
            throw SourceError(.other, "--source and --inbox are the same directory \(inbox)")
        }
    }

    /// Seconds in which transfers may start.
    static func budget(_ options: FetchOptions, batch: Day) -> Double {
        options.timeBudget ?? max(Deadline.margin(for: batch), options.minimumBudget)
    }
}

/// One run's state, so that each step is a small function.
struct FetchRun {
    let source: any DeliverySource
    let inbox: String
    let batch: Day
    let options: FetchOptions
    let progress: ((FetchProgress) -> Void)?
    let store: FetchStateStore
    var ledger: FetchLedger
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    var summary: FetchSummary

    init(source: any DeliverySource, inbox: String, batch: Day, options: FetchOptions,
         progress: ((FetchProgress) -> Void)?) throws(SourceError) {
        self.source = source
        self.inbox = inbox
        self.batch = batch
        self.options = options
        self.progress = progress
        store = FetchStateStore(inbox: inbox)
        ledger = try store.load()
        started = clock.now
        deadline = started + .milliseconds(Int64(max(0, Fetcher.budget(options, batch: batch)) * 1000))
        summary = FetchSummary(source: source.displayName, batch: batch, plaintext: source.isPlaintext)
    }

    mutating func go() throws(SourceError) -> FetchSummary {
        removeLeftovers()
        let first = try list()
        let selection = BatchSelection(first.entries, batch: batch, municipalities: options.municipalities)
        var second: Listing?
        if options.listingInterval > 0, !FetchPlan.candidates(selection, ledger: ledger).isEmpty {
            progress?(.waitingForSecondListing(seconds: options.listingInterval))
            Thread.sleep(forTimeInterval: options.listingInterval)
            second = try list()
        }
        let plan = FetchPlan(first: selection, second: second?.entries, ledger: ledger,
                             now: Int64(Date().timeIntervalSince1970), policy: options.completeness)
        summary.ignored = selection.ignored
        summary.unparsedListingLines = first.unparsed
        var items = plan.unchanged.map { FetchSummary.Item(delivery: $0, outcome: .unchanged) }
        items += plan.incomplete.map { FetchSummary.Item(delivery: $0.delivery, outcome: .incomplete($0.reason)) }
        for (i, transfer) in plan.transfers.enumerated() {
            progress?(.transferStarted(index: i + 1, of: plan.transfers.count, name: transfer.name, size: transfer.delivery.entry.size))
            let outcome = budgetSpent ? .notStarted : fetch(transfer)
            progress?(.transferEnded(name: transfer.name))
            items.append(FetchSummary.Item(delivery: transfer.delivery, outcome: outcome))
        }
        summary.items = items.sorted { ($0.komnr, $0.delivery.delivery.kind.rawValue, $0.name) < ($1.komnr, $1.delivery.delivery.kind.rawValue, $1.name) }
        ledger.forget(batchesBefore: batch + -Self.rememberDays)
        try store.save(ledger)
        summary.seconds = seconds(since: started)
        return summary
    }

    /// Eight weeks of fetches are kept: enough for any rerun, small enough to stay a small file.
    static let rememberDays = 56

    var budgetSpent: Bool { clock.now >= deadline }

    func seconds(since t: ContinuousClock.Instant) -> Double {
        let c = (clock.now - t).components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// Temporaries of an interrupted earlier run: they are restarted, not trusted.
    func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(PartialFile.suffix) {
            unlink(inbox + "/" + name)
        }
    }

    /// The listing, retried while the failure may pass; what finally fails says how often it was tried.
    func list() throws(SourceError) -> Listing {
        progress?(.listing)
        let municipalities = options.municipalities, batch = batch
        return try options.retry.attempt { () throws(SourceError) in
            try source.list { BatchSelection.mayMatter($0, batch: batch, municipalities: municipalities) }
        }
    }

    /// One delivery: download (resuming or restarting after a break), verify, rename into place,
    /// remember. A failure here is this delivery's alone.
    mutating func fetch(_ transfer: FetchPlan.Transfer) -> FetchSummary.Outcome {
        let entry = transfer.delivery.entry
        let file: PartialFile
        do {
            file = try PartialFile(inbox: inbox, name: entry.name, expectedSize: entry.size)
        } catch {
            return .failed(error.message)
        }
        let progress = progress
        file.onProgress = { progress?(.transferred(name: entry.name, bytes: $0, size: entry.size)) }
        var attempt = 0
        var resume = source.canResume
        while true {
            attempt += 1
            do {
                if !resume, file.count > 0 { try file.restart() }
                let offset = file.count
                try source.download(entry.name, from: offset, into: file)
                try verifySize(file, entry)
                if offset > 0 { try verifyUnchanged(entry) }
                let sha = try file.commit()
                return remember(transfer, bytes: file.count, sha256: sha)
            } catch {
                guard mayRetry(after: error, haveBytes: file.count > 0, resume: &resume) else {
                    file.discard()
                    return .failed(error.message + (attempt > 1 ? "; tried \(attempt) times" : ""))
                }
                guard attempt <= options.retry.retries, !budgetSpent else {
                    file.discard()
                    return .failed(error.message + "; tried \(attempt) times" + (budgetSpent ? "; the time budget is spent" : ""))
                }
                Thread.sleep(forTimeInterval: options.retry.delay(beforeRetry: attempt))
                resume = resume && source.canResume
                file.clearRefusal()
            }
        }
    }

    /// Whether a failed attempt is worth another, and whether that one may resume.
    func mayRetry(after error: SourceError, haveBytes: Bool, resume: inout Bool) -> Bool {
        switch error.kind {
        case .tooMuchData where haveBytes && resume:
            resume = false  // the server ignored REST and sent the file from its start
            return true
        case .cannotResume:
            resume = false
            return true
        case .tooMuchData:
            return false  // it grew while being fetched: a later run takes the finished file
        default:
            return error.transient
        }
    }

    /// The server said the transfer was complete; the byte count must agree with its listing.
    /// Short means the file was replaced under us: start again from byte 0.
    func verifySize(_ file: PartialFile, _ entry: RemoteEntry) throws(SourceError) {
        guard let size = entry.size, file.count != size else { return }
        let received = file.count
        try file.restart()
        throw SourceError(.other, "received \(received) bytes, the server listed \(size)", transient: true)
    }

    /// After a resume: the file must still be the upload that was listed.
    func verifyUnchanged(_ entry: RemoteEntry) throws(SourceError) {
        guard let now = try source.currentFacts(of: entry.name), now.size == entry.size,
              now.modified == nil || entry.modified == nil || now.modified == entry.modified else {
            throw SourceError(.other, "the file changed on the server while it was being fetched; a later run fetches the new upload")
        }
    }

    mutating func remember(_ transfer: FetchPlan.Transfer, bytes: Int64, sha256: String) -> FetchSummary.Outcome {
        let entry = transfer.delivery.entry
        ledger.record(FetchRecord(name: entry.name, size: bytes, modified: entry.modified, sha256: sha256,
                                  batchDate: batch, fetchedAt: Timestamp.now()))
        do {
            try store.save(ledger)
        } catch {
            return .failed("fetched, but the fetch state could not be saved: \(error.message)")
        }
        guard let previous = transfer.previous else { return .fetched(bytes: bytes, sha256: sha256) }
        return .redelivered(bytes: bytes, sha256: sha256, sameBytes: previous.sha256 == sha256)
    }
}

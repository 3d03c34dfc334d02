public import AmforaCore
import Foundation

/// Where a pass takes its deliveries from: a local inbox as it is, or an FTP server fetched into
/// one first (the fetch stage).
public struct DeliverySourceRequest: Sendable {
    /// A directory, `ftp://host/path` (explicit TLS) or `ftps://host/path`.
    public var location: String
    /// Where an FTP source is fetched to.
    public var inbox: String
    public var connection: ConnectionOptions
    public var minAge: Int64

    public init(location: String, inbox: String, connection: ConnectionOptions, minAge: Int64) {
        self.location = location
        self.inbox = inbox
        self.connection = connection
        self.minAge = minAge
    }

    var isFTP: Bool { location.hasPrefix("ftp://") || location.hasPrefix("ftps://") }
}

/// One pass of the weekly job: fetch (for an FTP source), then `WeeklyRun`.
public enum WeeklyJob {
    public struct SourceMissing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(_ request: RunRequest, source: DeliverySourceRequest?,
                           progress: @escaping @Sendable (String) -> Void) throws -> (RunResult, FetchSummary?) {
        var request = request
        var fetched: FetchSummary?
        if let source, request.file == nil, !request.acceptHeld {
            if source.isFTP {
                try CurlGlobal.initialise()
                var options = FetchOptions()
                options.completeness = CompletenessPolicy(minAge: source.minAge, requireDoneMarker: false)
                let remote = try Fetcher.openSource(source.location, connection: source.connection)
                let summary = try Fetcher.fetch(source: remote, inbox: source.inbox, batchDate: request.batch, options: options)
                if summary.exitCode == 2 {
                    throw SourceMissing(description: FetchReport.lines(summary, municipalities: CodeListCatalog.standard.municipalities)
                        .joined(separator: "\n"))
                }
                fetched = summary
                request.inbox = source.inbox
            } else {
                var st = stat()
                guard stat(source.location, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
                    throw SourceMissing(description: "the source directory \(source.location) does not exist")
                }
                request.inbox = source.location
            }
        }
        return (try WeeklyRun(request, progress: progress).run(), fetched)
    }
}

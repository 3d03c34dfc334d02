public import AmforaCore
import Foundation

/// Where deliveries come from: an FTP(S) server or a local directory. The fetch stage (and
/// later `amfora run`) sees only this. Implementations are used from one thread at a time.
public protocol DeliverySource: AnyObject {
    /// The source as it may be printed: scheme, host, port and path, never credentials.
    var displayName: String { get }
    /// True when nothing is encrypted (`ftp://` with `--allow-plaintext`).
    var isPlaintext: Bool { get }
    /// Whether an interrupted download can go on from where it stopped (FTP REST).
    var canResume: Bool { get }

    /// Lists the delivery directory. A listing without sizes and times (NLST) is completed
    /// with them only for the names `needsFacts` picks, to spare a round trip per old file.
    func list(needsFacts: (String) -> Bool) throws(SourceError) -> Listing

    /// Writes the bytes of `name` from `offset` on into `file`.
    func download(_ name: String, from offset: Int64, into file: PartialFile) throws(SourceError)

    /// Size and time of `name` now; nil when it is gone. A resumed download is only trusted
    /// if the file is still the one listed: a prefix of one upload and the rest of another
    /// would have the right size and the wrong bytes.
    func currentFacts(of name: String) throws(SourceError) -> RemoteEntry?
}

/// Why a source could not do what was asked, in words an operator can act on. Messages name
/// the source, host and port, and what failed; they never contain credentials.
public struct SourceError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, resolve, or the connection broke.
        case unreachable
        case loginRefused
        /// `ftp://` without `--allow-plaintext` and the server offers no TLS.
        case tlsUnavailable
        case certificate
        case missingDirectory
        /// The file went away between listing and download.
        case fileGone
        /// The server cannot restart a transfer at an offset: start again from byte 0.
        case cannotResume
        /// The server sent more than the size it listed (a changed file, or REST ignored).
        case tooMuchData
        /// Our side: the inbox, the disk, libcurl itself.
        case local
        case other
    }

    public let kind: Kind
    public let message: String
    /// Worth trying again after a pause.
    public let transient: Bool

    public init(_ kind: Kind, _ message: String, transient: Bool = false) {
        self.kind = kind
        self.message = message
        self.transient = transient
    }

    public var description: String { message }
}

extension RetryPolicy {
    /// `body`, tried again after a pause while its failure may pass; what finally fails says
    /// how often it was tried.
    func attempt<T>(_ body: () throws(SourceError) -> T) throws(SourceError) -> T {
        var retry = 0
        while true {
            do {
                return try body()
            } catch {
                retry += 1
                guard error.transient, retry <= retries else {
                    let tried = retry > 1 ? "; tried \(retry) times" : ""
                    throw SourceError(error.kind, error.message + tried, transient: error.transient)
                }
                Thread.sleep(forTimeInterval: delay(beforeRetry: retry))
            }
        }
    }
}

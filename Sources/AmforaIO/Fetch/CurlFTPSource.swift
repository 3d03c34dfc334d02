public import AmforaCore
import CCurl

/// Deliveries on an FTP server, through libcurl. One easy handle serves the whole run, so the
/// control connection (and its TLS session, which the data connections resume) is kept.
public final class CurlFTPSource: DeliverySource {
    public let location: FTPLocation
    private let credentials: FTPCredentials
    private let options: ConnectionOptions
    private let easy: CurlEasy
    /// Learnt per run: servers without MLSD get NLST + SIZE + MDTM, without REST a restart.
    private var mlsdSupported = true
    public private(set) var canResume = true

    public init(location: FTPLocation, credentials: FTPCredentials, options: ConnectionOptions) throws(SourceError) {
        self.location = location
        self.credentials = credentials
        self.options = options
        easy = try CurlEasy()
    }

    public var displayName: String { location.display }
    public var isPlaintext: Bool { location.security == .explicitTLS && options.allowPlaintext }

    // MARK: listing

    public func list(needsFacts: (String) -> Bool) throws(SourceError) -> Listing {
        if mlsdSupported {
            if let body = try listingBody(command: "MLSD") { return MLSDListing.parse(body) }
            mlsdSupported = false
        }
        let names = (try listingBody(command: nil) ?? [])
            .split(separator: 0x0A).map { line in String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self) }
            .filter { !$0.isEmpty }
        var entries: [RemoteEntry] = []
        for name in names {
            guard needsFacts(name) else {
                entries.append(RemoteEntry(name: name, size: nil, modified: nil))
                continue
            }
            if let entry = try currentFacts(of: name) { entries.append(entry) }
        }
        return Listing(entries: entries)
    }

    /// MLSD (a custom listing command) or NLST (names only). An empty directory may answer 450
    /// or 550 to either, and that is an empty listing, not an error. nil: the server does not
    /// know the command (500/502/504; MLSD is an RFC 3659 extension).
    private func listingBody(command: String?) throws(SourceError) -> [UInt8]? {
        try prepare(url: location.directoryURL)
        if let command { try easy.set(CURLOPT_CUSTOMREQUEST, command) } else { try easy.set(CURLOPT_DIRLISTONLY, 1) }
        var body: [UInt8] = []
        let cap = 64 << 20  // a listing larger than this is not a delivery directory
        easy.onData = { chunk in
            body.append(contentsOf: chunk)
            return body.count <= cap
        }
        defer { easy.onData = nil }
        let outcome = easy.perform()
        if outcome.ok { return body }
        if outcome.code == CURLE_FTP_COULDNT_RETR_FILE {
            if [450, 550].contains(outcome.responseCode) { return [] }
            if command != nil, [500, 502, 504].contains(outcome.responseCode) { return nil }
        }
        throw error(outcome, doing: "list \(location.display)")
    }

    /// SIZE and MDTM for one name (curl sends them for a body-less request with FILETIME);
    /// nil when the file has gone in the meantime.
    public func currentFacts(of name: String) throws(SourceError) -> RemoteEntry? {
        try prepare(url: location.fileURL(name))
        try easy.set(CURLOPT_NOBODY, 1)
        try easy.set(CURLOPT_FILETIME, 1)
        let outcome = easy.perform()
        if outcome.code == CURLE_REMOTE_FILE_NOT_FOUND { return nil }
        guard outcome.ok else { throw error(outcome, doing: "get the size and time of \(RemoteName.printable(name))") }
        return RemoteEntry(name: name, size: easy.offsetInfo(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T),
                           modified: easy.offsetInfo(CURLINFO_FILETIME_T))
    }

    // MARK: download

    public func download(_ name: String, from offset: Int64, into file: PartialFile) throws(SourceError) {
        try prepare(url: location.fileURL(name))
        if offset > 0 { try easy.set(CURLOPT_RESUME_FROM_LARGE, offset: offset) }
        easy.onData = { file.append($0) }
        defer { easy.onData = nil }
        let outcome = easy.perform()
        if outcome.ok { return }
        if let refusal = file.refusal { throw refusal }
        let e = error(outcome, doing: "fetch \(RemoteName.printable(name))")
        if e.kind == .cannotResume { canResume = false }
        throw e
    }

    // MARK: options

    /// The options every request carries (`CurlEasy.prepareFTP`).
    private func prepare(url: String) throws(SourceError) {
        try easy.prepareFTP(url: url, location: location, credentials: credentials, options: options)
    }

    // MARK: errors

    private func error(_ o: CurlEasy.Outcome, doing what: String) -> SourceError {
        FTPError.make(o, location: location, credentials: credentials, doing: what)
    }
}

/// What a failed FTP request means, for fetching and for delivering alike: kind, whether it may
/// pass, and words that name host and port but never a credential.
enum FTPError {
    static func make(_ o: CurlEasy.Outcome, location: FTPLocation, credentials: FTPCredentials, doing what: String) -> SourceError {
        let at = "\(location.host) port \(location.port)"
        let curl = credentials.redact(o.message, orElse: o.fixedMessage)
        let reply = o.responseCode > 0 ? ", server reply \(o.responseCode)" : ""
        func make(_ kind: SourceError.Kind, _ text: String, transient: Bool = false) -> SourceError {
            SourceError(kind, "cannot \(what): \(text) (\(curl)\(reply))", transient: transient)
        }
        switch o.code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return make(.unreachable, "host \(location.host) not found", transient: true)
        case CURLE_COULDNT_CONNECT:
            return make(.unreachable, "no connection to \(at)", transient: true)
        case CURLE_OPERATION_TIMEDOUT:
            return make(.unreachable, "\(at) did not answer in time, or the transfer stalled", transient: true)
        case CURLE_LOGIN_DENIED:
            return make(.loginRefused, "\(at) refused the login with the \(credentials); check them")
        case CURLE_USE_SSL_FAILED:
            return make(.tlsUnavailable, "\(at) does not offer TLS (AUTH TLS refused); deliveries and passwords are not sent in clear text unless --allow-plaintext is given")
        case CURLE_PEER_FAILED_VERIFICATION:
            return make(.certificate, "the certificate of \(at) could not be verified; if the server uses its own CA, pass it with --ca-file")
        case CURLE_SSL_CACERT_BADFILE:
            return make(.certificate, "the --ca-file could not be read as a CA certificate")
        case CURLE_SSL_CONNECT_ERROR:
            return make(.unreachable, "the TLS handshake with \(at) failed", transient: true)
        case CURLE_REMOTE_ACCESS_DENIED:
            return make(.missingDirectory, "the directory /\(location.directory) does not exist on \(at) or may not be entered")
        case CURLE_UPLOAD_FAILED:
            return make(.other, "\(at) refused to store the file (no write permission, or its disk is full)")
        case CURLE_QUOTE_ERROR:
            return make(.other, "\(at) refused to rename the uploaded file into place")
        case CURLE_ABORTED_BY_CALLBACK, CURLE_READ_ERROR:
            return make(.local, "the local file could not be read")
        case CURLE_REMOTE_FILE_NOT_FOUND:
            return make(.fileGone, "the file is no longer on the server")
        case CURLE_FTP_COULDNT_USE_REST, CURLE_BAD_DOWNLOAD_RESUME:
            return make(.cannotResume, "the server cannot resume at an offset", transient: true)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_FTP_ACCEPT_TIMEOUT,
             CURLE_FTP_WEIRD_PASV_REPLY, CURLE_FTP_WEIRD_227_FORMAT, CURLE_FTP_CANT_GET_HOST, CURLE_WEIRD_SERVER_REPLY,
             CURLE_FTP_COULDNT_RETR_FILE, CURLE_SSL_SHUTDOWN_FAILED:
            return make(.unreachable, "the connection to \(at) broke off", transient: true)
        default:
            return make(.other, "libcurl error \(o.code.rawValue)")
        }
    }
}

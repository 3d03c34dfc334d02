public import AmforaCore
import CCurl
import Foundation

/// Files put on a recipient's FTP server, through libcurl with the same security as fetching
/// (`CurlEasy.prepareFTP`). Each file is stored under a hidden temporary name and renamed into
/// place on the same control connection once the server has it whole, then its size under the
/// final name is checked: the recipient never sees a half file under the final name.
final class FTPUpload {
    let location: FTPLocation
    private let credentials: FTPCredentials
    private let options: ConnectionOptions
    private let easy: CurlEasy

    init(location: FTPLocation, credentials: FTPCredentials, options: ConnectionOptions) throws(SourceError) {
        self.location = location
        self.credentials = credentials
        self.options = options
        easy = try CurlEasy()
    }

    /// `.NAME.part`: hidden, and matched by no recipient's `*.csv`.
    static func temporaryName(_ name: String) -> String { ".\(name).part" }

    /// Stores the local file `path` as `name` in the location's directory.
    func put(_ path: String, as name: String) throws(SourceError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError(.local, "cannot read \(path): \(FileSystem.errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw SourceError(.local, "\(path) is not a regular file")
        }
        let temporary = Self.temporaryName(name)
        do {
            try store(fd, size: Int64(st.st_size), as: temporary, renamedTo: name)
            try check(name, size: Int64(st.st_size))
        } catch {
            removeQuietly(temporary)
            throw error
        }
    }

    private func store(_ fd: Int32, size: Int64, as temporary: String, renamedTo name: String) throws(SourceError) {
        try easy.prepareFTP(url: location.fileURL(temporary), location: location, credentials: credentials, options: options)
        try easy.set(CURLOPT_UPLOAD, 1)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: size)
        // Sent only after the server has confirmed the whole transfer (226).
        try easy.set(CURLOPT_POSTQUOTE, commands: ["RNFR \(temporary)", "RNTO \(name)"])
        var readFailed = false
        easy.onRead = { buffer in
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { readFailed = true; return nil }
            return n
        }
        defer { easy.onRead = nil }
        let outcome = easy.perform()
        if readFailed { throw SourceError(.local, "the extract could not be read while uploading it: \(FileSystem.errnoText())") }
        guard outcome.ok else { throw FTPError.make(outcome, location: location, credentials: credentials, doing: "upload \(name)") }
    }

    /// The server's size of the final name: the rename happened and nothing was lost on the way.
    private func check(_ name: String, size: Int64) throws(SourceError) {
        try easy.prepareFTP(url: location.fileURL(name), location: location, credentials: credentials, options: options)
        try easy.set(CURLOPT_NOBODY, 1)
        let outcome = easy.perform()
        guard outcome.ok else { throw FTPError.make(outcome, location: location, credentials: credentials, doing: "check the uploaded \(name)") }
        let remote = easy.offsetInfo(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T)
        guard remote == size else {
            throw SourceError(.other, "the server holds \(remote.map(String.init) ?? "an unknown number of") bytes of \(name) after the upload, not \(size)",
                              transient: true)
        }
    }

    /// A temporary left by a broken upload goes, if the server lets it; a retry overwrites it anyway.
    private func removeQuietly(_ temporary: String) {
        guard (try? easy.prepareFTP(url: location.directoryURL, location: location, credentials: credentials, options: options)) != nil,
              (try? easy.set(CURLOPT_NOBODY, 1)) != nil,
              (try? easy.set(CURLOPT_QUOTE, commands: ["DELE \(temporary)"])) != nil else { return }
        _ = easy.perform()
    }
}

/// Where and how the extracts go: a recipient's FTP directory, with the credentials and TLS
/// settings of fetching, and retries for what may pass.
public struct DisclosureTarget: Sendable {
    public let location: FTPLocation
    let credentials: FTPCredentials
    let options: ConnectionOptions
    let retry: RetryPolicy

    /// `--to` (or `disclose.to.<recipient>`): refused with a password in it, and plain `ftp://`
    /// without TLS only when allowed, exactly as for fetching.
    public static func open(_ url: String, connection: ConnectionOptions,
                            environment: [String: String]? = nil, home: String? = nil,
                            retry: RetryPolicy = RetryPolicy()) throws(SourceError) -> DisclosureTarget {
        let location = try FTPLocation(url, option: "--to")
        let credentials = try FTPCredentials.resolve(host: location.host, netrcFile: connection.netrcFile,
                                                     environment: environment ?? ProcessInfo.processInfo.environment,
                                                     home: home ?? NSHomeDirectory())
        return DisclosureTarget(location: location, credentials: credentials, options: connection, retry: retry)
    }

    /// Each recipient asked for with a URL (`--to` for all of them, else `disclose.to.<recipient>`).
    public static func open(_ urls: [Recipient: String], for recipients: [Recipient],
                            connection: ConnectionOptions) throws(SourceError) -> [Recipient: DisclosureTarget] {
        var targets: [Recipient: DisclosureTarget] = [:]
        for r in recipients {
            if let url = urls[r] { targets[r] = try open(url, connection: connection) }
        }
        return targets
    }

    /// The URL the log keeps: never a credential (none can be in it).
    public var display: String { location.display + "/" }

    /// Uploads the CSV, then its manifest (the manifest last, as on disk: a CSV without its
    /// manifest is visibly unfinished), retrying what may pass.
    func deliver(_ e: DisclosureStage.Extract) throws(SourceError) {
        let upload = try FTPUpload(location: location, credentials: credentials, options: options)
        for path in [e.csv, e.manifest] {
            try retry.attempt { () throws(SourceError) in try upload.put(path, as: (path as NSString).lastPathComponent) }
        }
    }
}

public import AmforaCore

/// How to talk to an FTP server: security, credentials, and the timeouts that keep a stalled
/// server from eating the Friday deadline.
public struct ConnectionOptions: Sendable {
    /// A CA to trust beside the system's (CURLOPT_CAINFO; the system CA directory stays in use).
    public var caFile: String?
    /// `ftp://` without TLS. Without it, an `ftp://` server that offers no TLS is refused.
    public var allowPlaintext = false
    public var netrcFile: String?
    /// Seconds to establish a connection (TCP and TLS handshake).
    public var connectTimeout: Double = 30
    /// Seconds to wait for any FTP reply (CURLOPT_SERVER_RESPONSE_TIMEOUT).
    public var responseTimeout = 60
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is broken off
    /// (and retried, resuming): a stalled data connection must not hang the run.
    public var lowSpeedLimit = 1024
    public var lowSpeedTime = 60

    public init() {}

    /// The config file's security settings (`allow_plaintext`, `ca_file`, `netrc_file`).
    public init(_ c: RunConfig) {
        caFile = c.caFile
        allowPlaintext = c.allowPlaintext
        netrcFile = c.netrcFile
    }
}

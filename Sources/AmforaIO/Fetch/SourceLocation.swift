import Foundation

/// What `--source` names: an FTP server directory (`ftp://` explicit TLS, `ftps://` implicit
/// TLS) or a local directory.
public enum SourceLocation: Sendable, Equatable {
    case ftp(FTPLocation)
    case directory(String)

    public static func parse(_ text: String) throws(SourceError) -> SourceLocation {
        guard text.contains("://") else {
            guard !text.isEmpty else { throw SourceError(.other, "--source is empty") }
            return .directory(text)
        }
        return .ftp(try FTPLocation(text))
    }
}

public struct FTPLocation: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        /// `ftp://`: AUTH TLS on the control connection, PROT P on the data connections.
        case explicitTLS
        /// `ftps://`: TLS from the first byte (port 990).
        case implicitTLS
    }

    public let security: Security
    public let host: String
    public let port: Int
    /// Percent-encoded, without leading or trailing '/'; relative to the login directory as in
    /// RFC 1738 (`ftp://host//abs` for an absolute path).
    public let directory: String

    /// - Parameter option: the option the URL came from, for messages (`--source`, `--to`).
    public init(_ text: String, option: String = "--source") throws(SourceError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw SourceError(.other, "\(option) \(Self.withoutUserInfo(text)) is not a valid URL")
        }
        switch scheme {
        case "ftp": security = .explicitTLS
        case "ftps": security = .implicitTLS
        default: throw SourceError(.other, "\(option) must be \(option == "--source" ? "ftp://, ftps:// or a local directory" : "ftp:// or ftps://"), not \(scheme)://")
        }
        // Credentials in a URL end up in shell history, process lists and logs.
        guard url.user == nil, url.password == nil else {
            throw SourceError(.other, "\(option) must not contain a user name or password: use ~/.netrc, --netrc-file or AMFORA_FTP_USER/AMFORA_FTP_PASSWORD")
        }
        guard url.query == nil, url.fragment == nil else {
            throw SourceError(.other, "\(option) must not have a query (?) or fragment (#)")
        }
        guard let host = url.host, !host.isEmpty else { throw SourceError(.other, "\(option) \(text) has no host") }
        self.host = host
        port = url.port ?? (security == .implicitTLS ? 990 : 21)
        var path = Substring(url.percentEncodedPath)
        if path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        directory = String(path)
    }

    public var scheme: String { security == .implicitTLS ? "ftps" : "ftp" }

    /// For messages: nothing secret is ever part of it.
    public var display: String { "\(scheme)://\(hostForURL):\(port)/\(directory)" }

    /// The directory as curl wants it for a listing: with a trailing slash.
    var directoryURL: String { "\(scheme)://\(hostForURL):\(port)/" + (directory.isEmpty ? "" : directory + "/") }

    /// `name` is percent-encoded whole, so that ';' (curl's `;type=`), '%', '#', '?' and spaces
    /// are bytes of the name, never URL syntax.
    func fileURL(_ name: String) -> String { directoryURL + Self.percentEncode(name) }

    private var hostForURL: String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host }

    static func percentEncode(_ name: String) -> String {
        var out = ""
        for b in name.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    /// For the "not a valid URL" message: whatever sits before '@' may be a password.
    static func withoutUserInfo(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "…@" + String(text[text.index(after: at)...])
    }
}

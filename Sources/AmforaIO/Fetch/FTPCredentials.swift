import AmforaCore
import Foundation

/// A user name and password for the FTP server, and where they came from. The password is
/// never printed: not by `description`, not by `dump`, not by string interpolation.
public struct FTPCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let user: String
    let password: String
    /// "~/.netrc", "--netrc-file PATH" or "AMFORA_FTP_USER/AMFORA_FTP_PASSWORD", for messages.
    public let origin: String

    public init(user: String, password: String, origin: String) {
        self.user = user
        self.password = password
        self.origin = origin
    }

    public var description: String { "FTP credentials from \(origin)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["origin": origin]) }

    /// Where credentials are looked for, in order: `--netrc-file`, the environment, `~/.netrc`.
    /// An explicit netrc file wins because it was asked for on this very command line.
    public static func resolve(host: String, netrcFile: String?, environment: [String: String],
                               home: String) throws(SourceError) -> FTPCredentials {
        if let netrcFile {
            guard let c = try fromNetrc(netrcFile, host: host, origin: "--netrc-file \(netrcFile)", mustExist: true) else {
                throw SourceError(.other, "--netrc-file \(netrcFile) has no entry for \(host) (machine \(host) login … password …)")
            }
            return c
        }
        let user = environment["AMFORA_FTP_USER"], password = environment["AMFORA_FTP_PASSWORD"]
        if user != nil || password != nil {
            guard let user, let password else {
                throw SourceError(.other, "set both AMFORA_FTP_USER and AMFORA_FTP_PASSWORD, or neither")
            }
            return FTPCredentials(user: user, password: password, origin: "AMFORA_FTP_USER/AMFORA_FTP_PASSWORD")
        }
        let home = home.hasSuffix("/") ? String(home.dropLast()) : home
        if let c = try fromNetrc(home + "/.netrc", host: host, origin: "~/.netrc", mustExist: false) { return c }
        throw SourceError(.other, "no FTP credentials for \(host): add \"machine \(host) login … password …\" to ~/.netrc (mode 600), pass --netrc-file, or set AMFORA_FTP_USER and AMFORA_FTP_PASSWORD")
    }

    static func fromNetrc(_ path: String, host: String, origin: String, mustExist: Bool) throws(SourceError) -> FTPCredentials? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if mustExist { throw SourceError(.other, "\(origin): \(FileSystem.errnoText())") }
            return nil
        }
        // As ssh does with its keys: a password file others can read is a password others know.
        let access = st.st_mode & 0o077
        if access != 0 {
            throw SourceError(.other, "refusing \(path): it is readable or writable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard let bytes = try FileSystem.readAll(path) else { return nil }
        guard let entry = Netrc(String(decoding: bytes, as: UTF8.self)).entry(for: host), let login = entry.login else {
            return nil
        }
        return FTPCredentials(user: login, password: entry.password ?? "", origin: origin)
    }

    /// Hides the password wherever a message from curl might have picked it up (its error
    /// buffer can quote server replies), plain and percent-encoded. A password too short to
    /// search for without mangling every message gets curl's fixed text instead.
    func redact(_ message: String, orElse fixedText: String) -> String {
        guard !password.isEmpty else { return message }
        guard password.count >= 4 else { return fixedText }
        var out = message
        for secret in Set([password, FTPLocation.percentEncode(password)]) {
            out = out.replacingOccurrences(of: secret, with: "***")
        }
        return out
    }
}

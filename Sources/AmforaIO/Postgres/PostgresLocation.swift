import Foundation

/// A PostgreSQL warehouse as `--warehouse` (or `warehouse` in the config) names it:
/// `postgresql://[user@]host[:port]/database[?sslmode=…]`, handed to libpq as it stands. The
/// password never stands in it: libpq reads it from `~/.pgpass`, `PGPASSFILE` or `PGPASSWORD`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// The URL as given (it holds nothing secret: that is checked here).
    public let url: String
    public let host: String
    public let database: String

    /// Whether `text` names a PostgreSQL warehouse at all, rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    public init(_ text: String, option: String = "--warehouse") throws(PostgresError) {
        guard Self.isPostgres(text), let url = URLComponents(string: text) else {
            throw PostgresError(message: "\(option) is not a postgresql:// URL", kind: .refused)
        }
        // A password in a URL ends up in shell history, process lists, cron mail and logs.
        guard url.password == nil, !(url.queryItems ?? []).contains(where: { $0.name.lowercased() == "password" }) else {
            throw PostgresError(message: "\(option) must not contain a password: put it in ~/.pgpass or the file PGPASSFILE names (mode 0600), or PGPASSWORD", kind: .refused)
        }
        guard url.fragment == nil else { throw PostgresError(message: "\(option) must not have a fragment (#)", kind: .refused) }
        var path = Substring(url.path)
        if path.hasPrefix("/") { path = path.dropFirst() }
        guard !path.isEmpty, !path.contains("/") else {
            throw PostgresError(message: "\(option) \(text) names no database: postgresql://host:port/DATABASE", kind: .refused)
        }
        self.url = text
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        database = String(path)
    }

    public var description: String { url }
}

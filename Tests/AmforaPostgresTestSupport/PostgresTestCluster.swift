public import AmforaIO
public import AmforaTestSupport
import Foundation
public import Testing

/// The throwaway cluster `scripts/test.sh` starts (`scripts/pg-cluster.sh`): its superuser's URL
/// in `AMFORA_TEST_POSTGRES`, the password where libpq finds it (`PGPASSFILE`). The test script
/// also sets `AMFORA_REQUIRE_POSTGRES=1`, so there a missing server fails the tests instead of
/// skipping them; a bare `swift test` on a machine without one skips them and says why.
public enum PostgresTestCluster {
    public static let admin: String? = ProcessInfo.processInfo.environment["AMFORA_TEST_POSTGRES"]
    public static let required = ProcessInfo.processInfo.environment["AMFORA_REQUIRE_POSTGRES"] == "1"
    public static var enabled: Bool { admin != nil || required }
    public static let why: Comment = "no PostgreSQL server: scripts/test.sh starts one (scripts/pg-cluster.sh)"

    /// The roles, made once per test process before any database is handed out (roles are the
    /// cluster's, and two tests creating one at once would collide).
    private static let roles: Result<Void, any Error> = Result {
        _ = try PostgresRoles.initialise(PostgresLocation(try adminURL()))
    }

    public static func adminURL() throws -> String {
        guard let admin else {
            throw PostgresError(message: "AMFORA_REQUIRE_POSTGRES=1 but AMFORA_TEST_POSTGRES is not set: start scripts/pg-cluster.sh", kind: .refused)
        }
        return admin
    }

    /// A new, empty database for one test, with the amfora roles and schemas in it.
    public static func freshDatabase() throws -> PostgresLocation {
        try roles.get()
        let admin = try adminURL()
        let name = "amfora_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try PostgresConnection(PostgresLocation(admin)).execute("CREATE DATABASE \(name)")
        let location = try PostgresLocation(url(admin, database: String(name)))
        try PostgresRoles.initialise(location)
        return location
    }

    /// The URL with another database, or another user and a password file of its own.
    public static func url(_ base: String, database: String? = nil, user: String? = nil, passfile: String? = nil) -> String {
        var c = URLComponents(string: base)!
        if let database { c.path = "/" + database }
        if let user { c.user = user }
        if let passfile { c.queryItems = (c.queryItems ?? []) + [URLQueryItem(name: "passfile", value: passfile)] }
        return c.string!
    }

    /// A login user with a password of its own (in an owner-only passfile in `dir`), member of `role`.
    public static func user(_ prefix: String, in role: String, at location: PostgresLocation, dir: borrowing TemporaryDirectory) throws -> PostgresLocation {
        let name = prefix + "_" + UUID().uuidString.prefix(8).lowercased()
        let password = UUID().uuidString
        let admin = try PostgresConnection(PostgresLocation(adminURL()))
        try admin.execute("DROP ROLE IF EXISTS \(name); CREATE ROLE \(name) LOGIN PASSWORD '\(password)' IN ROLE \(role)")
        let c = URLComponents(string: location.url)!
        let passfile = dir.file("\(name).pgpass")
        _ = FileManager.default.createFile(atPath: passfile, contents: Data("\(c.host!):\(c.port!):*:\(name):\(password)\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        return try PostgresLocation(url(location.url, user: name, passfile: passfile))
    }
}

import AmforaIO
import AmforaPostgresTestSupport
import AmforaTestSupport
import Foundation
import Testing

@Suite struct PostgresCommandTests {
    /// The weekly run does not speak PostgreSQL yet: it says so, and makes nothing from the URL
    /// (no lock file, no database file named after it).
    @Test func theRunRefusesAPostgreSQLWarehouseAndTouchesNothing() throws {
        try CLI.withTemporaryDirectory { dir in
            let r = try CLI.run(["run", "--warehouse", "postgresql://u:hunter2@h/db", "--source", dir.path, "--batch-date", "2024-11-08"], cwd: dir)
            #expect(r.status == 2)
            #expect(r.stderr.contains("not yet supported by this command"), "\(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains("hunter2"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    @Test func aPasswordInTheURLIsRefusedWithoutRepeatingIt() throws {
        try CLI.withTemporaryDirectory { dir in
            let r = try CLI.run(["init-roles", "--warehouse", "postgresql://dba:hunter2@h/db", "--person-key", dir.appendingPathComponent("k").path])
            #expect(r.status == 2)
            #expect(r.stderr.contains("must not contain a password"))
            #expect(!(r.stdout + r.stderr).contains("hunter2"))
        }
    }

    @Test(.enabled(if: PostgresTestCluster.enabled, PostgresTestCluster.why))
    func initRolesSetsUpTheWarehouseAndItsKeyOnce() throws {
        let location = try PostgresTestCluster.freshDatabase()
        try CLI.withTemporaryDirectory { dir in
            let key = dir.appendingPathComponent("person.key").path
            let first = try CLI.run(["init-roles", "--warehouse", location.url, "--person-key", key])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("created the person key file"))
            #expect(first.stdout.contains("schema version \(PostgresWarehouse.schemaVersion)"))
            let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as! NSNumber
            #expect(mode.intValue == 0o400)
            let again = try CLI.run(["init-roles", "--warehouse", location.url, "--person-key", key])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(!again.stdout.contains("created"))
            // The key stays the warehouse's: a missing file is not replaced by a new key, another key is refused.
            let missing = dir.appendingPathComponent("missing.key").path
            let lost = try CLI.run(["init-roles", "--warehouse", location.url, "--person-key", missing])
            #expect(lost.status == 2)
            #expect(lost.stderr.contains("restore the file"), "\(lost.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing))
            let other = dir.appendingPathComponent("other.key").path
            _ = FileManager.default.createFile(atPath: other, contents: Data((String(repeating: "5a", count: 32) + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
            let refused = try CLI.run(["init-roles", "--warehouse", location.url, "--person-key", other])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("not the one this warehouse was loaded with"), "\(refused.stderr)")
        }
    }
}

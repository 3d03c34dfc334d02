import AmforaIO
import AmforaPostgresTestSupport
import AmforaTestSupport
import Foundation
import Testing

@Suite struct PostgresCommandTests {
    /// The commands that do not speak PostgreSQL yet say so, and make nothing from the URL (no
    /// lock file, no database file named after it); the run refuses a password in it unrepeated.
    @Test func aPostgreSQLWarehouseIsRefusedWhereItCannotBeServedAndTouchesNothing() throws {
        try CLI.withTemporaryDirectory { dir in
            for command in [["maintain"], ["backup", "--to", dir.appendingPathComponent("b").path]] {
                let r = try CLI.run(command + ["--warehouse", "postgresql://u@h/db"], cwd: dir)
                #expect(r.status == 2)
                #expect(r.stderr.contains("not yet supported by this command"), "\(r.stderr)")
            }
            let r = try CLI.run(["run", "--warehouse", "postgresql://u:hunter2@h/db", "--source", dir.path, "--batch-date", "2024-11-08"], cwd: dir)
            #expect(r.status == 2)
            #expect(r.stderr.contains("must not contain a password"), "\(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains("hunter2"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    /// Both sample Fridays run into PostgreSQL as into SQLite: the same exit codes, and reports
    /// that agree file for file (the municipalities, every reject with its reasons, every history
    /// change with old → new, the summary's figures); a rerun, accepting the held delivery (its
    /// dry run first) and `status` agree too.
    @Test(.enabled(if: PostgresTestCluster.enabled, PostgresTestCluster.why))
    func theSamplesRunIntoPostgreSQLAsIntoSQLite() throws {
        let location = try PostgresTestCluster.freshDatabase()
        try CLI.withTemporaryDirectory { dir in
            func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
            let key = path("person.key")
            #expect(try CLI.run(["init-roles", "--warehouse", location.url, "--person-key", key]).status == 0)
            try "person_key_file = \(key)\n".write(toFile: path("amfora.conf"), atomically: true, encoding: .utf8)
            let samples = CLI.repo.appendingPathComponent("samples")
            let targets = [("sqlite", path("w/amfora.sqlite")), ("postgres", location.url)]
            /// One command into both warehouses, each with reports of its own.
            func both(_ arguments: [String]) throws -> [CLI.Result] {
                try targets.map { name, warehouse in
                    try CLI.run(arguments + ["--config", path("amfora.conf"), "--warehouse", warehouse, "--reports", path("reports-\(name)")])
                }
            }
            func expectSameReports(_ friday: String) throws {
                try Self.expectSameReports(path("reports-sqlite/\(friday)"), path("reports-postgres/\(friday)"))
            }
            for friday in ["2026-11-20", "2026-11-27"] {
                let runs = try both(["run", "--source", samples.appendingPathComponent(friday).path, "--batch-date", friday])
                #expect(runs.map(\.status) == [1, 1], "\(runs.map(\.stderr))")
                #expect(Self.withoutTimes(runs[0].stdout) == Self.withoutTimes(runs[1].stdout.replacingOccurrences(of: "reports-postgres", with: "reports-sqlite")))
                try expectSameReports(friday)
            }
            // The first Friday went without the week views' indexes and built them after its write-down.
            let indexes = try PostgresConnection(location).query("SELECT indexname FROM pg_indexes WHERE schemaname = 'amfora'").compactMap { $0[0] }
            #expect(Set(["activity_person", "activity_cpr", "week_segment_week", "week_segment_cpr", "week_segment_person"]).isSubset(of: indexes))
            let rerun = try both(["rerun", "--municipality", "101", "--source", samples.appendingPathComponent("2026-11-27").path])
            #expect(rerun[0].status == rerun[1].status, "\(rerun.map(\.stderr))")
            try expectSameReports("2026-11-27")
            // The held delivery: described alike, then accepted alike.
            let described = try both(["accept", "--municipality", "851", "--batch-date", "2026-11-27", "--dry-run"])
            #expect(described.map(\.status) == [0, 0], "\(described.map(\.stderr))")
            #expect(described[0].stdout == described[1].stdout && described[0].stdout.contains("accepting would load"), "\(described.map(\.stdout))")
            let accepted = try both(["accept", "--municipality", "851", "--batch-date", "2026-11-27"])
            #expect(accepted[0].status == accepted[1].status, "\(accepted.map(\.stderr))")
            try expectSameReports("2026-11-27")
            let status = try targets.map { try CLI.run(["status", "--config", path("amfora.conf"), "--warehouse", $1, "--json", "--all"]) }
            #expect(status[0].status == status[1].status)
            let sameStatus = Self.withoutTimes(status[0].stdout) == Self.withoutTimes(status[1].stdout)
            #expect(sameStatus, "\(Self.difference(Self.withoutTimes(status[0].stdout), Self.withoutTimes(status[1].stdout)))")
            #expect(!containsFullCPR(status[1].stdout + rerun[1].stdout + rerun[1].stderr))
        }
    }

    /// The report files that hold the batch's facts, compared byte for byte but for the times
    /// (when generated, how long each stage took), which no two runs share.
    static func expectSameReports(_ a: String, _ b: String) throws {
        let fm = FileManager.default
        let files = try fm.subpathsOfDirectory(atPath: a).filter { $0.hasSuffix(".csv") || $0 == "summary.json" }.sorted()
        #expect(files.contains("summary.json") && files.contains { $0.hasPrefix("rejects/") })
        #expect(try fm.subpathsOfDirectory(atPath: b).filter { $0.hasSuffix(".csv") || $0 == "summary.json" }.sorted() == files)
        for f in files where f != "stages.csv" {
            let x = withoutTimes(try String(contentsOfFile: "\(a)/\(f)", encoding: .utf8))
            let y = withoutTimes(try String(contentsOfFile: "\(b)/\(f)", encoding: .utf8))
            let same = x == y
            #expect(same, "\(f): \(difference(x, y))")
        }
    }

    /// Where two texts part, with a little of each from there.
    static func difference(_ x: String, _ y: String) -> String {
        let common = zip(x, y).prefix { $0 == $1 }.count
        return "after \(common) characters, \(x.dropFirst(max(0, common - 40)).prefix(200)) ≠ \(y.dropFirst(max(0, common - 40)).prefix(200))"
    }

    /// Timestamps, durations and the stage list blanked out.
    static func withoutTimes(_ text: String) -> String {
        var lines: [String] = []
        var inStages = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("\"stages\"") { inStages = true }
            if inStages { if line.hasPrefix("  ]") || line.hasPrefix("  }") { inStages = false }; continue }
            lines.append(String(line))
        }
        return lines.joined(separator: "\n")
            .replacing(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/, with: "<time>")
            .replacing(/\d+(\.\d+)? ?(s|ms|min|minutes|seconds)\b/, with: "<duration>")
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

import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import AmforaPostgresTestSupport
import Foundation
import Testing

@Suite struct PostgresLocationTests {
    @Test func aURLNamesHostAndDatabase() throws {
        let l = try PostgresLocation("postgresql://loader@db.example:5433/stat?sslmode=verify-full")
        #expect(l.host == "db.example")
        #expect(l.database == "stat")
        #expect(PostgresLocation.isPostgres("POSTGRES://h/d"))
        #expect(!PostgresLocation.isPostgres("warehouse/amfora.sqlite"))
    }

    /// A password would stand in shell history, process lists and cron's mail.
    @Test func aPasswordInTheURLIsRefused() {
        for url in ["postgresql://u:secret@h/d", "postgresql://h/d?password=secret", "postgresql://h/d?PASSWORD=x"] {
            #expect {
                try PostgresLocation(url)
            } throws: { e in
                let d = "\(e)"
                return d.contains("must not contain a password") && !d.contains("secret")
            }
        }
    }

    @Test func aURLWithoutADatabaseIsRefused() {
        #expect(throws: PostgresError.self) { try PostgresLocation("postgresql://h") }
        #expect(throws: PostgresError.self) { try PostgresLocation("postgresql://h/a/b") }
    }

    /// The bookkeeping's SQL is written SQLite's way, with `?`: numbered for PostgreSQL outside quotes.
    @Test func placeholdersAreNumberedOutsideQuotes() {
        #expect(PostgresConnection.numbered("SELECT '?', ?, \"a?\", ? FROM t WHERE x = '' AND y = ?")
            == "SELECT '?', $1, \"a?\", $2 FROM t WHERE x = '' AND y = $3")
    }

    /// A server without MERGE (before 15) is refused by name, before anything is changed.
    @Test func aServerOlderThan15IsRefused() {
        #expect(PostgresWarehouse.refusal(serverVersion: 140_013)?.contains("version 14; amfora needs 15 or newer") == true)
        #expect(PostgresWarehouse.refusal(serverVersion: 150_000) == nil)
        #expect(PostgresWarehouse.refusal(serverVersion: 180_001) == nil)
    }

    /// The server's messages may quote a delivered value; a CPR number in one is masked.
    @Test func anErrorMessageHasNoCPRNumber() {
        let e = PostgresError(message: "invalid input syntax for type bigint: \"0101901234x\" near 0101901234", kind: .statement, sqlstate: "22P02")
        #expect(!"\(e)".contains("0101901234"))
        #expect("\(e)".contains("010190-****"))
    }
}

@Suite(.enabled(if: PostgresTestCluster.enabled, PostgresTestCluster.why))
struct PostgresConnectionTests {
    /// One pass at a time: the run lock is a session advisory lock, a second pass is refused
    /// with the holder named, and the lock goes with the holder's connection.
    @Test func theRunLockIsHeldByOneConnectionAtATime() throws {
        let dir = TemporaryDirectory()
        let location = try PostgresTestCluster.freshDatabase()
        let keyFile = dir.file("person.key")
        _ = try PersonKey.create(keyFile)
        var config = RunConfig()
        config.personKeyFile = keyFile
        do {
            let (_, lock) = try RunWarehouse.open(location.url, config: config, purpose: "a test")
            defer { withExtendedLifetime(lock) {} }
            do {
                _ = try RunWarehouse.open(location.url, config: config, purpose: "a second test")
                Issue.record("a second pass got the lock")
            } catch let held as RunLock.Held {
                #expect(held.holder.contains("server process"), "\(held.holder)")
            }
        }
        // The first's connection is closed, and its lock with it.
        _ = try RunWarehouse.open(location.url, config: config, purpose: "after the first")
    }

    @Test func parametersAndRowsComeBackAsText() throws {
        let c = try PostgresConnection(PostgresTestCluster.freshDatabase())
        let rows = try c.query("SELECT $1::bigint + 1 AS n, $2::text AS t, NULL::text AS z", ["41", "ø\ttab"])
        #expect(rows.columns == ["n", "t", "z"])
        #expect(rows[0] == ["42", "ø\ttab", nil])
    }

    /// The bookkeeping's values travel both ways with their types: integers, floating point,
    /// text, bytes and NULL, as SQLite gives them back.
    @Test func theBookkeepingSQLKeepsTypes() throws {
        let bytes: [UInt8] = [0, 1, 127, 128, 255]
        let both: [(any WarehouseSQL, String)] = [
            (try PostgresConnection(PostgresTestCluster.freshDatabase()), "CREATE TABLE t (i bigint, d double precision, s text, b bytea, n integer)"),
            (try Database(path: ":memory:"), "CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n INTEGER)"),
        ]
        for (sql, table) in both {
            try sql.run(table, [])
            try sql.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [.int(-7), .double(2.5), .text("ø '?'"), .blob(bytes), .null])
            let r = try #require(try sql.firstRow("SELECT i, d, s, b, n FROM t WHERE s = ?", [.text("ø '?'")]))
            #expect(r[0].int == -7 && r[1].double == 2.5 && r[2].text == "ø '?'" && r[3].blob == bytes && r[4].isNull, "\(sql.dialect)")
            if case .int = r[0] {} else { Issue.record("\(sql.dialect): an integer came back as \(r[0])") }
        }
    }

    /// Tabs, newlines, backslashes and NULL survive the text format; bytes come back byte for byte.
    @Test func copyCarriesEveryCharacterAndNull() throws {
        let c = try PostgresConnection(PostgresTestCluster.freshDatabase())
        try c.execute("CREATE TABLE t (n bigint, s text, b bytea)")
        let texts: [String?] = ["a\tb", "line\nnext\r", "back\\slash \\N", nil, "æøå", ""]
        let bytes: [UInt8] = [0, 9, 10, 92, 255]
        let copied = try c.copy(into: "t", columns: ["n", "s", "b"]) { rows in
            for (i, t) in texts.enumerated() {
                var row = rows.row()
                row.append(Int64(i))
                row.append(t)
                bytes.withUnsafeBufferPointer { row.append(bytes: $0) }
                rows.add(row)
            }
        }
        #expect(copied == texts.count)
        let back = try c.query("SELECT s, encode(b, 'hex') FROM t ORDER BY n")
        #expect(back.map { $0[0] } == texts)
        #expect(back.allSatisfy { $0[1] == "00090a5cff" })
    }

    /// Rows streamed out as they come, numbers parsed from the text format (NULL, negative).
    @Test func copyOutStreamsTheRows() throws {
        let c = try PostgresConnection(PostgresTestCluster.freshDatabase())
        var rows: [[Int64?]] = []
        var values: [Int64?] = []
        try c.copyOut("SELECT n, -n, CASE WHEN n % 2 = 0 THEN NULL ELSE n * 1000000000000 END FROM generate_series(1, 5) n") { row in
            CopyIntegers.parse(row, into: &values)
            rows.append(values)
        }
        #expect(rows.count == 5)
        #expect(rows[0] == [1, -1, 1_000_000_000_000])
        #expect(rows[1] == [2, -2, nil])
        // A failing query is an error, and the connection goes on.
        #expect(throws: PostgresError.self) { try c.copyOut("SELECT 1 / 0") { _ in } }
        struct Stop: Error {}
        #expect(throws: Stop.self) { try c.copyOut("SELECT generate_series(1, 100000)") { _ in throw Stop() } }
        #expect(try c.scalar("SELECT 7") == 7)
    }

    /// A COPY that fails half-way keeps none of its rows, and the transaction rolls back whole.
    @Test func aFailedCopyLeavesNothing() throws {
        let c = try PostgresConnection(PostgresTestCluster.freshDatabase())
        try c.execute("CREATE TABLE t (n bigint PRIMARY KEY)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try c.transaction {
                try c.execute("INSERT INTO t VALUES (100)")
                try c.copy(into: "t", columns: ["n"]) { rows in
                    var row = rows.row()
                    row.append(1 as Int64)
                    rows.add(row)
                    throw Stop()
                }
            }
        }
        #expect(throws: PostgresError.self) {
            try c.copy(into: "t", columns: ["n"]) { rows in
                for n: Int64 in [1, 2, 2] {
                    var row = rows.row()
                    row.append(n)
                    rows.add(row)
                }
            }
        }
        #expect(try c.scalar("SELECT count(*) FROM t") == 0)
        // The connection is usable after both.
        #expect(try c.scalar("SELECT 7") == 7)
    }

    /// The run lock: one holder at a time, released when its connection ends (as after kill -9).
    @Test func theAdvisoryLockDiesWithItsConnection() throws {
        let location = try PostgresTestCluster.freshDatabase()
        let key: Int64 = 4711
        var first: PostgresConnection? = try PostgresConnection(location)
        let second = try PostgresConnection(location)
        #expect(try first!.tryAdvisoryLock(key))
        #expect(try !second.tryAdvisoryLock(key))
        first = nil  // PQfinish: the server ends the session and its locks
        // Waits for the lock rather than polling for it: no timing in the test (the timeout only
        // keeps a broken release from hanging the suite).
        try second.execute("SET statement_timeout = '120s'")
        try second.query("SELECT pg_advisory_lock($1::bigint)", [String(key)])
        #expect(try second.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 1)
        _ = first
    }

    @Test func aWrongPasswordSaysSoWithoutIt() throws {
        let location = try PostgresTestCluster.freshDatabase()
        let dir = TemporaryDirectory()
        let user = try PostgresTestCluster.user("wrongpw", in: PostgresSchema.analyst, at: location, dir: dir)
        let passfile = try #require(URLComponents(string: user.url)?.queryItems?.first { $0.name == "passfile" }?.value)
        let c = URLComponents(string: user.url)!
        try Data("\(c.host!):\(c.port!):*:\(c.user!):not-the-password\n".utf8).write(to: URL(fileURLWithPath: passfile))
        #expect {
            try PostgresConnection(user)
        } throws: { e in
            let d = "\(e)"
            return d.contains("cannot reach the PostgreSQL warehouse") && d.contains("password") && !d.contains("not-the-password")
        }
    }
}

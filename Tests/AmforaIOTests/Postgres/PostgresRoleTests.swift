import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import AmforaPostgresTestSupport
import Foundation
import Testing

/// What each role of the PostgreSQL warehouse can read, tried by logging in as it.
@Suite(.enabled(if: PostgresTestCluster.enabled, PostgresTestCluster.why))
struct PostgresRoleTests {
    static let key = PersonKey(secret: Array(repeating: 9, count: 32))
    static let friday = Day(iso: "2024-11-08")!

    /// CPR numbers that stand in the deliveries: in the CPR field, in a line that is quarantined
    /// for its CPR (and so also in the raw line and in the finding's value), in an aid's Identnr,
    /// and in a free-text field.
    static let cprs = ["0101901234", "0202851234", "3113851234", "0303801111", "0404751234"]

    static func loaded(_ dir: borrowing TemporaryDirectory) throws -> (PostgresLocation, PostgresWarehouse) {
        let location = try PostgresTestCluster.freshDatabase()
        let w = try PostgresWarehouse(location, personKey: key)
        let n = DeliveryName(kind: .amfora, komnr: 101, batchDate: friday)
        let lines = [
            LineBuilder.activation().text,
            LineBuilder.activation(["CPRnr": "0202851234", "Slutdt": "01-01-2024"]).text,  // quarantined: dates
            LineBuilder.activation(["CPRnr": "3113851234"]).text,                        // quarantined: no such birth date
            LineBuilder.activation(["CPRnr": "0404751234", "HoldID": "ref 0303801111"]).text,
        ]
        _ = try w.load(path: dir.write(n.fileName, lines: lines, inSubdirectory: "a"), name: n, startedAt: "t")
        let aid = DeliveryName(kind: .hjaelp1, komnr: 101, batchDate: friday)
        _ = try w.load(path: dir.write(aid.fileName, lines: [LineBuilder.aid(["Identnr": "0303801111"]).text], inSubdirectory: "a"),
                       name: aid, startedAt: "t")
        return (location, w)
    }

    /// Every relation a role may read (its schema usable, SELECT granted), in every schema the
    /// server has, the catalog included.
    static func readable(_ c: PostgresConnection) throws -> [String] {
        try c.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
            ORDER BY 1
            """).compactMap { $0[0] }
    }

    /// All of a relation as text, or nil when the server refuses it to this role.
    static func contents(_ c: PostgresConnection, _ relation: String) -> String? {
        guard let rows = try? c.query("SELECT t::text FROM \(relation) t") else { return nil }
        return rows.compactMap { $0[0] }.joined(separator: "\n")
    }

    static func leaks(_ text: String) -> [String] {
        cprs.filter { cpr in
            text.contains(cpr) || text.contains(cpr.prefix(6) + "-" + cpr.suffix(4)) || text.contains(String(Int(cpr)!))
        }
    }

    @Test func noRelationTheAnalystCanReadYieldsACPRNumber() throws {
        let dir = TemporaryDirectory()
        let (location, w) = try Self.loaded(dir)
        // The rows are there, CPR numbers and all, for the loader.
        #expect(try w.connection.scalar("SELECT count(*) FROM amfora.quarantine") == 2)
        let analyst = try PostgresConnection(PostgresTestCluster.user("analyst", in: PostgresSchema.analyst, at: location, dir: dir))
        let relations = try Self.readable(analyst)
        #expect(relations.contains("analyst.v_activity"))
        #expect(relations.contains("analyst.v_aid"))
        #expect(!relations.contains { $0.hasPrefix("amfora.") || $0.hasPrefix("disclosure.") })
        var read = 0
        for r in relations {
            guard let text = Self.contents(analyst, r) else { continue }
            read += 1
            #expect(Self.leaks(text).isEmpty, "\(r) shows \(Self.leaks(text).map(CPR.mask))")
        }
        #expect(read > 100, "the catalog's relations are read too")
        // The analyst views hold the data, by person key: the measures in force and the aid grant.
        #expect(try analyst.scalar("SELECT count(*) FROM analyst.v_activity") == 2)
        #expect(try analyst.scalar("SELECT count(*) FROM v_aid WHERE person_key = $1", [Self.key.of(cpr: 303_801_111)]) == 1)
        #expect(try analyst.scalarText("SELECT birth_year || sex FROM v_activity WHERE person_key = $1", [Self.key.of(cpr: 101_901_234)]) == "1990K")
        // And the tables are out of reach.
        #expect(throws: PostgresError.self) { try analyst.query("SELECT cprnr FROM amfora.activity") }
        #expect(throws: PostgresError.self) { try analyst.query("SELECT cpr FROM disclosure.v_activity") }
    }

    /// Only `amfora_disclosure` reads what the §54 extracts need, CPR included.
    @Test func theDisclosureRoleReadsItsOwnViews() throws {
        let dir = TemporaryDirectory()
        let (location, _) = try Self.loaded(dir)
        let disclosure = try PostgresConnection(PostgresTestCluster.user("disclosure", in: PostgresSchema.disclosure, at: location, dir: dir))
        #expect(try disclosure.query("SELECT cpr FROM disclosure.v_activity ORDER BY cpr").map { $0[0] } == ["0101901234", "0404751234"])
        #expect(try disclosure.scalarText("SELECT identnr FROM disclosure.v_aid") == "0303801111")
        #expect(throws: PostgresError.self) { try disclosure.query("SELECT * FROM amfora.activity") }
        #expect(throws: PostgresError.self) { try disclosure.query("SELECT * FROM analyst.v_activity") }
    }

    /// A person keeps their key across Fridays and tables; another key file gives other keys,
    /// and the warehouse refuses it rather than splitting its persons in two.
    @Test func aPersonKeepsTheirKeyAndTheWarehouseItsKeyFile() throws {
        let dir = TemporaryDirectory()
        let (location, w) = try Self.loaded(dir)
        let n = DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday + 7)
        _ = try w.load(path: dir.write(n.fileName, lines: [LineBuilder.activation(["Timetal": "20"]).text], inSubdirectory: "b"),
                       name: n, policy: LoadPolicy(acceptShrink: true), startedAt: "t")
        let keys = try w.connection.query("SELECT DISTINCT person_key FROM amfora.activity WHERE cprnr = 101901234").map { $0[0] }
        #expect(keys == [Self.key.of(cpr: 101_901_234)])
        #expect(try w.connection.scalarText("SELECT person_key FROM amfora.aid") == Self.key.of(cpr: 303_801_111))
        let other = PersonKey(secret: Array(repeating: 10, count: 32))
        #expect(other.of(cpr: 101_901_234) != Self.key.of(cpr: 101_901_234))
        #expect {
            try PostgresWarehouse(location, personKey: other)
        } throws: { "\($0)".contains("not the one this warehouse was loaded with") }
    }

    @Test func aWarehouseOfANewerAmforaIsRefusedAndLeftAlone() throws {
        let location = try PostgresTestCluster.freshDatabase()
        let w = try PostgresWarehouse(location, personKey: Self.key)
        try w.connection.execute("INSERT INTO amfora.schema_version VALUES (\(PostgresWarehouse.schemaVersion + 5))")
        #expect {
            try PostgresWarehouse(location, personKey: Self.key)
        } throws: { "\($0)".contains("written by a newer amfora") }
        #expect(try w.connection.scalar("SELECT max(version) FROM amfora.schema_version") == Int64(PostgresWarehouse.schemaVersion + 5))
    }

    /// A user who is not in `amfora_loader` cannot load: told what to grant.
    @Test func aUserOutsideTheLoaderRoleIsToldWhatToGrant() throws {
        let dir = TemporaryDirectory()
        let location = try PostgresTestCluster.freshDatabase()
        let analyst = try PostgresTestCluster.user("notloader", in: PostgresSchema.analyst, at: location, dir: dir)
        #expect {
            try PostgresWarehouse(analyst, personKey: Self.key)
        } throws: { "\($0)".contains("GRANT amfora_loader TO") }
    }
}

@Suite struct PersonKeyFileTests {
    @Test func aNewKeyFileIsOwnerOnlyAndReadsBack() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("person.key")
        let made = try PersonKey.create(path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o077 == 0)
        #expect(try PersonKey.load(path).of(cpr: 101_901_234) == made.of(cpr: 101_901_234))
        #expect(made.of(cpr: 101_901_234).count == 32)
        // Never over an existing file.
        #expect(throws: PostgresError.self) { try PersonKey.create(path) }
    }

    @Test func anUnsafeOrShortKeyFileIsRefused() throws {
        let dir = TemporaryDirectory()
        let open = dir.file("open.key")
        _ = FileManager.default.createFile(atPath: open, contents: Data(String(repeating: "ab", count: 32).utf8), attributes: [.posixPermissions: 0o644])
        #expect { try PersonKey.load(open) } throws: { "\($0)".contains("readable by others") }
        let short = dir.file("short.key")
        _ = FileManager.default.createFile(atPath: short, contents: Data("abcd".utf8), attributes: [.posixPermissions: 0o600])
        #expect { try PersonKey.load(short) } throws: { "\($0)".contains("does not hold a key") }
        let good = dir.file("good.key")
        _ = try PersonKey.create(good)
        let link = dir.file("link.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: good)
        #expect(throws: PostgresError.self) { try PersonKey.load(link) }
        #expect { try PersonKey.load(dir.file("missing.key")) } throws: { "\($0)".contains("amfora init-roles") }
    }

    /// The key is the standard HMAC-SHA-256, so that another tool with the key file computes the
    /// same person keys: the value below is Python's `hmac.new(b"\x0b" * 32, b"0101901234",
    /// hashlib.sha256).hexdigest()[:32]`, not this code's own output.
    @Test func theKeyIsHMACSHA256() {
        let key = PersonKey(secret: Array(repeating: 0x0b, count: 32))
        #expect(key.of(identifier: "0101901234") == "30a1020a966e572528d234a9fe9744a7")
        #expect(key.of(cpr: 101_901_234) == "30a1020a966e572528d234a9fe9744a7")
        #expect(key.keyer().of(cpr: 101_901_234) == "30a1020a966e572528d234a9fe9744a7")
    }

    /// The prepared HMAC of a load gives the one-shot HMAC's keys, for keys of every length
    /// (one longer than SHA-256's block is hashed first, as RFC 2104 says).
    @Test func thePreparedKeyerAgreesWithTheOneShotHMAC() {
        var rng = SplitMix64(seed: 54)
        for length in [32, 63, 64, 65, 100] {
            let key = PersonKey(secret: (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let keyer = key.keyer()
            for _ in 0..<200 {
                let cpr = Int.random(in: 0..<10_000_000_000, using: &rng)
                #expect(keyer.of(cpr: cpr) == key.of(cpr: cpr))
            }
            #expect(keyer.of(identifier: " AB12 ") == key.of(identifier: "AB12"))
        }
    }
}

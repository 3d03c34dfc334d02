import AmforaCore
import Foundation

/// The warehouse on a PostgreSQL server (`--warehouse postgresql://…`): the same tables and
/// analyst views as the SQLite warehouse, with roles that keep CPR numbers from analysts
/// (`PostgresSchema`). Opening it checks the roles, migrates to the current schema version in one
/// transaction, refreshes the code lists and checks that the person key is the warehouse's own.
public final class PostgresWarehouse {
    public let connection: PostgresConnection
    public let personKey: PersonKey

    public static var schemaVersion: Int { PostgresSchema.migrations.count }

    public init(_ location: PostgresLocation, personKey: PersonKey) throws {
        connection = try PostgresConnection(location)
        self.personKey = personKey
        let server = Int(try connection.scalarText("SELECT current_setting('server_version_num')") ?? "") ?? 0
        if let refusal = Self.refusal(serverVersion: server) { throw PostgresError(message: refusal, kind: .refused) }
        try actAsLoader()
        try migrate()
        try checkPersonKey()
        try refreshCodeLists()
    }

    /// A first load into an empty warehouse goes without the week views' indexes (`PostgresSchema.weekIndexes`).
    func dropWeekIndexesForFirstLoad() throws {
        guard try connection.firstRow("SELECT 1 FROM amfora.activity LIMIT 1") == nil else { return }
        for index in PostgresSchema.weekIndexes { try connection.execute("DROP INDEX IF EXISTS amfora.\(index.name)") }
    }

    /// The week views' indexes that are missing: after a first load, or a run killed before it built them.
    func missingWeekIndexes() throws -> [(name: String, on: String)] {
        let present = Set(try connection.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'amfora'").compactMap { $0[0] })
        return PostgresSchema.weekIndexes.filter { !present.contains($0.name) }
    }

    /// Builds `indexes`, each in one pass over its table (and a transaction of its own).
    func build(_ indexes: [(name: String, on: String)]) throws {
        for index in indexes {
            FaultPoints.pass("build index")
            try connection.execute("CREATE INDEX IF NOT EXISTS \(index.name) ON \(index.on)")
        }
    }

    /// The oldest server amfora runs on: 15, the first with MERGE, which the write-down's figures
    /// use (the oldest release still supported upstream since 14 ended in November 2026).
    static let oldestServer = 150_000

    /// Why a server of `serverVersion` (`server_version_num`) is refused, if it is.
    static func refusal(serverVersion: Int) -> String? {
        guard serverVersion < oldestServer else { return nil }
        return "the PostgreSQL server is version \(serverVersion / 10_000); amfora needs 15 or newer. Nothing was changed"
    }

    /// A second connection to the warehouse, acting as the loader as this one does: a worker's,
    /// that reads what a delivery is matched against (`PreparationPool`).
    static func reader(_ location: PostgresLocation) throws -> PostgresConnection {
        let c = try PostgresConnection(location)
        try c.execute("SET ROLE \(PostgresSchema.loader); SET search_path TO amfora, public")
        return c
    }

    /// Everything amfora creates is owned by `amfora_loader`; the user the job logs in as is a
    /// member (`PostgresRoles`), and acts as it.
    private func actAsLoader() throws {
        guard try PostgresRoles.missing(connection).isEmpty else {
            throw PostgresError(message: "the PostgreSQL warehouse has no amfora roles yet: run `amfora init-roles --warehouse \(connection.location)` once, as a user who may create roles", kind: .refused)
        }
        do {
            // The bookkeeping's SQL names tables as SQLite does: here they are amfora's schema's.
            try connection.execute("SET ROLE \(PostgresSchema.loader); SET search_path TO amfora, public")
        } catch {
            throw PostgresError(message: "the user of \(connection.location) is not a member of \(PostgresSchema.loader): GRANT \(PostgresSchema.loader) TO that user", kind: .refused)
        }
    }

    /// The schema version the warehouse holds (0: none yet).
    func storedVersion() throws -> Int {
        let exists = try connection.scalarText("SELECT to_regclass('amfora.schema_version')::text") != nil
        return exists ? Int(try connection.scalar("SELECT coalesce(max(version), 0) FROM amfora.schema_version") ?? 0) : 0
    }

    func migrate() throws {
        try connection.transaction {
            // One migrator at a time; the lock ends with the transaction.
            try connection.query("SELECT pg_advisory_xact_lock(\(PostgresRoles.migrationLock))")
            let current = try storedVersion()
            if current > Self.schemaVersion {
                throw PostgresError(message: "the warehouse \(connection.location) was written by a newer amfora (schema version \(current); this program knows up to \(Self.schemaVersion)); it was not changed. Run the amfora that wrote it", kind: .refused)
            }
            guard current < Self.schemaVersion else { return }
            try connection.execute("CREATE TABLE IF NOT EXISTS amfora.schema_version (version integer NOT NULL)")
            for (i, sql) in PostgresSchema.migrations.enumerated() where i >= current {
                try connection.execute(sql)
                try connection.query("INSERT INTO amfora.schema_version (version) VALUES ($1)", [String(i + 1)])
            }
            try connection.execute(PostgresSchema.grants)
        }
    }

    /// Whether the warehouse has been loaded with a person key already (before a new key file
    /// would be made for it: a lost key file is restored, not replaced).
    public static func hasPersonKey(_ location: PostgresLocation) throws -> Bool {
        let c = try PostgresConnection(location)
        guard try c.scalarText("SELECT to_regclass('amfora.person_key_source')::text") != nil else { return false }
        return try c.scalar("SELECT count(*) FROM amfora.person_key_source") ?? 0 > 0
    }

    private func checkPersonKey() throws {
        try connection.transaction {
            let stored = try connection.scalarText("SELECT fingerprint FROM amfora.person_key_source")
            if stored == nil {
                try connection.query("INSERT INTO amfora.person_key_source (fingerprint) VALUES ($1)", [personKey.fingerprint])
            } else if stored != personKey.fingerprint {
                throw PostgresError(message: "the person key file is not the one this warehouse was loaded with (its persons would get new keys); use the warehouse's own key file, or a new warehouse", kind: .refused)
            }
        }
    }

    /// The code lists and municipalities, as `Warehouse.refreshCodeLists` writes them in SQLite.
    func refreshCodeLists(_ catalog: CodeListCatalog = .standard) throws {
        let fingerprint = String(Int64(bitPattern: catalog.fingerprint))
        guard try connection.scalarText("SELECT fingerprint::text FROM amfora.code_list_source") != fingerprint else { return }
        try connection.transaction {
            try connection.execute("DELETE FROM amfora.code_list; DELETE FROM amfora.municipality; DELETE FROM amfora.code_list_source;")
            try connection.copy(into: "amfora.code_list", columns: ["list", "code", "label", "valid_from", "valid_to", "attribute"]) { rows in
                for (name, list) in catalog.lists.sorted(by: { $0.key < $1.key }) {
                    for e in list.entries {
                        var row = rows.row()
                        row.append(name)
                        row.append(Int64(e.code))
                        row.append(e.label)
                        row.append(e.validFrom.map { Int64($0.ordinal) })
                        row.append(e.validTo.map { Int64($0.ordinal) })
                        row.append(e.attribute)
                        rows.add(row)
                    }
                }
            }
            try connection.copy(into: "amfora.municipality", columns: ["komnr", "name"]) { rows in
                for (k, name) in catalog.municipalities.sorted(by: { $0.key < $1.key }) {
                    var row = rows.row()
                    row.append(Int64(k))
                    row.append(name)
                    rows.add(row)
                }
            }
            try connection.query("INSERT INTO amfora.code_list_source (fingerprint) VALUES ($1::bigint)", [fingerprint])
        }
    }
}

/// The roles of a PostgreSQL warehouse. They are group roles (NOLOGIN): people and the job log in
/// as themselves and are granted the role they need (`GRANT amfora_analyst TO alice`).
/// - `amfora_loader` owns the schemas and writes; the job's user is a member.
/// - `amfora_analyst` reads the schema `analyst`: no CPR number, a person key instead.
/// - `amfora_disclosure` reads the schema `disclosure`: what the §54 extracts need.
public enum PostgresRoles {
    /// The advisory lock key of migrations ("amfora" in ASCII).
    static let migrationLock: Int64 = 0x616D_666F_7261

    static func missing(_ c: PostgresConnection) throws -> [String] {
        let present = try c.query("SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])",
                                  ["{" + PostgresSchema.roles.joined(separator: ",") + "}"]).map { $0[0] ?? "" }
        return PostgresSchema.roles.filter { !present.contains($0) }
    }

    /// `amfora init-roles`: creates the roles and schemas that are missing, makes the connecting
    /// user a member of `amfora_loader`, and puts the analyst views on the database's search path
    /// (so that `SELECT * FROM v_activity` works in every tool). Safe to run again. Returns what
    /// it did, for the operator.
    @discardableResult
    public static func initialise(_ location: PostgresLocation) throws -> [String] {
        let c = try PostgresConnection(location)
        var done: [String] = []
        try c.transaction {
            try c.query("SELECT pg_advisory_xact_lock(\(migrationLock))")
            for role in try missing(c) {
                try c.execute("CREATE ROLE \(role) NOLOGIN")
                done.append("created role \(role)")
            }
            let user = try c.scalarText("SELECT session_user") ?? ""
            let member = try c.scalarText("SELECT pg_has_role(session_user, $1, 'MEMBER')", [PostgresSchema.loader]) == "t"
            if !member {
                try c.execute("GRANT \(PostgresSchema.loader) TO \(quoted(user))")
                done.append("granted \(PostgresSchema.loader) to \(user)")
            }
            for schema in ["amfora", "analyst", "disclosure"] {
                let exists = try c.scalarText("SELECT nspname FROM pg_namespace WHERE nspname = $1", [schema]) != nil
                if !exists {
                    try c.execute("CREATE SCHEMA \(schema) AUTHORIZATION \(PostgresSchema.loader)")
                    done.append("created schema \(schema)")
                }
            }
            let database = try c.scalarText("SELECT current_database()") ?? location.database
            try c.execute("ALTER DATABASE \(quoted(database)) SET search_path TO \"$user\", public, analyst")
        }
        return done
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

import AmforaCore
import Foundation

/// The embedded SQLite warehouse: opened in WAL mode, created owner-only, migrated to the
/// current schema version on open.
public final class Warehouse {
    public let db: Database
    public let path: String

    public static var schemaVersion: Int { Schema.migrations.count }

    public init(path: String) throws {
        self.path = path
        try Self.check(path)
        db = try Database(path: path)
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;")
        if let pages = FaultPoints.maxPages { try db.execute("PRAGMA max_page_count = \(pages)") }
        try migrate()
        try refreshCodeLists()
        try ensureIndexes()
        // SQLite creates the -wal and -shm files with the database's mode, but be explicit.
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    /// A reader's connection (status, resume): the same checks, nothing written.
    public static func openForReading(_ path: String) throws -> Database {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw WarehouseError.missing(path) }
        try check(path)
        return try Database(path: path, readOnly: true)
    }

    /// Refuses, before anything is written to it, a path that is not an amfora warehouse this
    /// program may use: a directory or a link, a file that is not an SQLite database, an SQLite
    /// database of something else, or a warehouse written by a newer amfora. A missing or empty
    /// file is a new warehouse.
    static func check(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw WarehouseError.directory(path)
        default: throw WarehouseError.notRegular(path, FileChunks.kind(of: st.st_mode) ?? "a special file")
        }
        guard st.st_size > 0 else { return }
        let db: Database
        let tables: [String]
        do {
            db = try Database(path: path, readOnly: true)
            let s = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            var names: [String] = []
            while try s.step() { names.append(s.text(0) ?? "") }
            tables = names
        } catch let e as SQLiteError where e.code & 0xFF == SQLITE_NOTADB_CODE {
            throw WarehouseError.notADatabase(path)
        }
        // No table, or only the version table a warehouse made before it was killed: a new warehouse.
        let version = tables.contains("schema_version") ? Int(try db.scalar("SELECT max(version) FROM schema_version") ?? 0) : 0
        guard !tables.isEmpty, tables != ["schema_version"] || version > 0 else { return }
        guard tables.contains("schema_version"), tables.contains("delivery") else {
            throw WarehouseError.foreign(path, tables: tables)
        }
        if version > schemaVersion { throw WarehouseError.newer(path, version: version, known: schemaVersion) }
    }

    func migrate() throws {
        // The version table is made in the migrations' own transaction: a run killed while making
        // a new warehouse leaves an empty file, never a half-made one.
        let hasVersions = try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'") ?? 0 > 0
        let current = hasVersions ? Int(try db.scalar("SELECT max(version) FROM schema_version") ?? 0) : 0
        guard current < Schema.migrations.count else { return }
        try db.transaction {
            try db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for (i, sql) in Schema.migrations.enumerated() where i >= current {
                try db.execute(sql)
                try db.execute("INSERT INTO schema_version (version) VALUES (\(i + 1))")
            }
            if current == 0 { try fillCalendar() }
            // The planner needs to know that the calendar and the levels are small, or it reads
            // a week's stretches by scanning the index instead of by a range per level.
            try db.execute("ANALYZE iso_week; ANALYZE week_level;")
        }
    }

    /// The code lists and municipalities as the validator reads them (`CodeListCatalog.standard`),
    /// written anew when the data files differ from those the warehouse holds: `v_code` (with
    /// `valid_to` exclusive, as in codelists.tsv) and `v_municipality`.
    func refreshCodeLists(_ catalog: CodeListCatalog = .standard) throws {
        let stored = try db.scalar("SELECT fingerprint FROM code_list_source")
        let fingerprint = Int64(bitPattern: catalog.fingerprint)
        guard stored != fingerprint else { return }
        try db.transaction {
            try db.execute("DELETE FROM code_list; DELETE FROM municipality; DELETE FROM code_list_source;")
            let code = try db.prepare("INSERT INTO code_list (list, code, label, valid_from, valid_to, attribute) VALUES (?, ?, ?, ?, ?, ?)")
            for (name, list) in catalog.lists.sorted(by: { $0.key < $1.key }) {
                for e in list.entries {
                    try code.bind([.text(name), .int(Int64(e.code)), .text(e.label),
                                   e.validFrom.map { .int(Int64($0.ordinal)) } ?? .null,
                                   e.validTo.map { .int(Int64($0.ordinal)) } ?? .null, .text(e.attribute)])
                    try code.run()
                }
            }
            let m = try db.prepare("INSERT INTO municipality (komnr, name) VALUES (?, ?)")
            for (k, name) in catalog.municipalities.sorted(by: { $0.key < $1.key }) {
                try m.bind([.int(Int64(k)), .text(name)])
                try m.run()
            }
            try db.execute("INSERT INTO code_list_source (fingerprint) VALUES (\(fingerprint))")
        }
    }

    /// Builds the bulk indexes that are missing (after a first load, or one that was killed).
    public func ensureIndexes() throws {
        for index in Schema.bulkIndexes { try db.execute(index.sql) }
    }

    /// Before a first load into an empty warehouse: drop the bulk indexes (see `Schema.bulkIndexes`).
    public func dropIndexesForFirstLoad() throws {
        guard try db.scalar("SELECT count(*) FROM activity") == 0 else { return }
        for index in Schema.bulkIndexes { try db.execute("DROP INDEX IF EXISTS \(index.name)") }
    }

    /// ISO weeks from 1989 to 2101 (`WeekCalendar.warehouse`), for the week views.
    func fillCalendar() throws {
        let insert = try db.prepare("INSERT INTO iso_week (week_start, week_end, iso_week, monday) VALUES (?, ?, ?, ?)")
        for monday in WeekCalendar.warehouse.mondays {
            insert.bind(Int(monday.ordinal), at: 1)
            insert.bind(Int(monday.ordinal) + 6, at: 2)
            insert.bind(monday.isoWeek, at: 3)
            insert.bind(monday.iso, at: 4)
            try insert.run()
        }
    }
}

/// SQLite's "file is not a database" (SQLITE_NOTADB), without importing the C module here.
let SQLITE_NOTADB_CODE: Int32 = 26

/// A warehouse path amfora refuses to use; nothing was changed.
public enum WarehouseError: Error, CustomStringConvertible {
    case missing(String)
    case directory(String)
    case notRegular(String, String)
    case notADatabase(String)
    case foreign(String, tables: [String])
    case newer(String, version: Int, known: Int)

    public var description: String {
        switch self {
        case .missing(let p):
            "there is no warehouse at \(p); check --warehouse (or `warehouse` in the config), or run `amfora run` to create it"
        case .directory(let p):
            "the warehouse path \(p) is a directory; give the warehouse file inside it, e.g. \((p as NSString).appendingPathComponent("amfora.sqlite"))"
        case .notRegular(let p, let what):
            "the warehouse path \(p) is \(what); amfora uses only a regular file there and changed nothing"
        case .notADatabase(let p):
            "\(p) is not an SQLite database, so not an amfora warehouse; it was not changed. Check --warehouse, or restore the warehouse from its backup"
        case .foreign(let p, let tables):
            "\(p) is an SQLite database of something else (tables \(tables.prefix(5).joined(separator: ", "))\(tables.count > 5 ? ", …" : "")), not an amfora warehouse; it was not changed. Give a new file or an amfora warehouse"
        case .newer(let p, let version, let known):
            "the warehouse \(p) was written by a newer amfora (schema version \(version); this program knows up to \(known)); it was not changed. Run the amfora that wrote it"
        }
    }
}

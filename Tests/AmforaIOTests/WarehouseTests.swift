import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

@Suite struct WarehouseTests {
    @Test func theFileIsCreatedOwnerOnlyInWALMode() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let w = try Warehouse(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        let s = try w.db.prepare("PRAGMA journal_mode")
        #expect(try s.step())
        #expect(s.text(0) == "wal")
        #expect(try w.db.scalar("SELECT max(version) FROM schema_version") == Int64(Warehouse.schemaVersion))
        // Opening again migrates nothing and keeps the data.
        _ = try Warehouse(path: path)
    }

    /// A database in memory is no file: opening one leaves none named after it behind.
    @Test func aDatabaseInMemoryMakesNoFile() throws {
        let stray = FileManager.default.currentDirectoryPath + "/:memory:"
        try? FileManager.default.removeItem(atPath: stray)
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        #expect(try db.scalar("SELECT x FROM t") == 1)
        #expect(!FileManager.default.fileExists(atPath: stray))
    }

    /// Every view and column interfaces.md promises to analysts exists.
    @Test func theAnalystViewsHaveTheColumnsOfTheInterface() throws {
        let spec = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/spec/interfaces.md"), encoding: .utf8)
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        var checked = 0
        for line in spec.split(separator: "\n") where line.hasPrefix("| `v_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let view = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            if ["v_reconciliation", "v_reconciliation_summary"].contains(view) { continue }  // reconciliation's issue
            let columnList = cells[2].replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
            let wanted = columnList.components(separatedBy: ",").map {
                $0.trimmingCharacters(in: .whitespaces).components(separatedBy: " ")[0]
            }.filter { !$0.isEmpty && $0 != "and" }
            let s = try w.db.prepare("SELECT name FROM pragma_table_info('\(view)')")
            var have: Set<String> = []
            while try s.step() { have.insert(s.text(0)!) }
            for column in wanted where column != "the" && column != "record's" && column != "fields" {
                #expect(have.contains(column), "\(view) lacks \(column)")
            }
            checked += 1
        }
        #expect(checked >= 7)  // 11 once interfaces.md lists the analysts' views of issue 15
    }
}

/// Migration 6: no index by person. The load paid for one with a random page for every new (and,
/// with `closed_in` in it, every closed) version; the write-down reads the table in one pass instead.
@Suite struct PersonIndexMigrationTests {
    func indexedColumns(_ db: Database, table: String) throws -> [String: [String]] {
        let s = try db.prepare("""
            SELECT l.name, i.name FROM pragma_index_list('\(table)') l, pragma_index_info(l.name) i ORDER BY l.name, i.seqno
            """)
        var out: [String: [String]] = [:]
        while try s.step() { out[s.text(0) ?? "", default: []].append(s.text(1) ?? "") }
        return out
    }

    @Test func theOldPersonIndexIsDroppedAndTheDataKept() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        try oldWarehouse(at: path, version: 5, rows: """
            CREATE INDEX activity_person ON activity (cprnr, closed_in, startdt, slutdt, timetal);
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, first_batch, closed_in, source_file, line_no)
            VALUES (1, 1, 0, 101900001, 101, 1, NULL, 'f', 1), (2, 2, 0, 101900001, 101, 1, 2, 'f', 2);
            """)
        let w = try Warehouse(path: path)
        #expect(try indexedColumns(w.db, table: "activity")["activity_person"] == nil)
        #expect(try w.db.scalar("SELECT count(*) FROM activity WHERE cprnr = 101900001") == 2)
        #expect(try w.db.scalar("SELECT max(version) FROM schema_version") == Int64(Schema.migrations.count))
    }

    @Test func aNewWarehouseIndexesNoRecordByPerson() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let indexes = try indexedColumns(w.db, table: "activity")
        #expect(!indexes.isEmpty)
        // Ordered by person, an index would take a random page for every new version. The person
        // may be carried in an index ordered otherwise (the current-version index, for the
        // write-down), since that places a new version by its municipality and version.
        for (name, columns) in indexes {
            #expect(columns.first != "cprnr", "\(name): \(columns)")
            if let i = columns.firstIndex(of: "cprnr") { #expect(columns[..<i].contains("version_id"), "\(name): \(columns)") }
        }
    }
}

/// The code lists in the warehouse are the validator's own (issue "The analysts' warehouse", item 3).
@Suite struct CodeListViewTests {
    @Test func everyCodeAndMunicipalityIsInTheViews() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let catalog = CodeListCatalog.standard
        var expected = 0
        for (name, list) in catalog.lists {
            for e in list.entries {
                expected += 1
                let s = try w.db.prepare("SELECT label, valid_from, valid_to, attribute FROM v_code WHERE list = ? AND code = ?")
                try s.bind([.text(name), .int(Int64(e.code))])
                #expect(try s.step(), "\(name) \(e.code)")
                #expect(s.text(0) == e.label && s.text(1) == e.validFrom?.iso && s.text(2) == e.validTo?.iso && s.text(3) == e.attribute)
            }
        }
        #expect(try w.db.scalar("SELECT count(*) FROM v_code") == Int64(expected))
        #expect(try w.db.scalar("SELECT count(*) FROM v_municipality") == 98)
        let s = try w.db.prepare("SELECT name FROM v_municipality WHERE komnr = '492'")
        #expect(try s.step() && s.text(0) == "Ærø")
    }

    @Test func aWarehouseHoldingOtherListsGetsTheValidatorsOnOpen() throws {
        let dir = TemporaryDirectory()
        do {
            let w = try Warehouse(path: dir.file("w.sqlite"))
            try w.db.execute("UPDATE code_list SET label = 'stale label' WHERE list = 'foranstalt' AND code = 139; UPDATE code_list_source SET fingerprint = 1")
        }
        let again = try Warehouse(path: dir.file("w.sqlite"))
        let s = try again.db.prepare("SELECT label FROM v_code WHERE list = 'foranstalt' AND code = 139")
        #expect(try s.step() && s.text(0) == "Ansættelse med løntilskud")
    }
}

import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// What a load changed is kept as one list per delivery and change (`load_change_set`), read
/// only when a rerun undoes that load.
@Suite struct LoadChangeSetTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func ids(_ w: Warehouse, _ change: String) throws -> [Int64] {
        let s = try w.db.prepare("""
            SELECT value FROM load_change_set, json_each(version_ids) WHERE batch_date = ? AND komnr = 101 AND change = ? ORDER BY value
            """)
        try s.bind([.int(Int64(friday2.ordinal)), .text(change)])
        var out: [Int64] = []
        while try s.step() { out.append(s.int(0)) }
        return out
    }

    @Test func aWeeklyLoadRecordsExactlyTheVersionsItAddedAndClosed() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        func load(_ day: Day, _ lines: [String]) throws -> LoadOutcome {
            let n = DeliveryName(kind: .amfora, komnr: 101, batchDate: day)
            return try DeliveryLoader(warehouse: w).load(path: dir.write(n.fileName, lines: lines, inSubdirectory: day.iso),
                                                         name: n, policy: LoadPolicy(acceptShrink: true), startedAt: "t")
        }
        let a = LineBuilder.activation().text, b = LineBuilder.activation(["CPRnr": "0202851234"]).text
        let c = LineBuilder.activation(["CPRnr": "0303801234"]).text, d = LineBuilder.activation(["CPRnr": "0404751234"]).text
        let e = LineBuilder.activation(["CPRnr": "0505701234"]).text
        _ = try load(friday1, [a, b, c])
        // A first dataset records no list: undoing it removes everything first seen in its batch.
        #expect(try w.db.scalar("SELECT count(*) FROM load_change_set") == 0)
        let o = try load(friday2, [a, d, e])
        #expect(o.addedVersions.count == 2 && o.goneVersions.count == 2)
        #expect(try ids(w, "added") == o.addedVersions.sorted())
        #expect(try ids(w, "gone") == o.goneVersions.sorted())
        // Friday 2 again with Friday 1's lines: undoing the first load of Friday 2 (by its lists)
        // makes b and c current again, so all three match and nothing is added or closed.
        let again = try load(friday2, [a, b, c])
        #expect((again.unchanged, again.inserted, again.removed) == (3, 0, 0))
        #expect(try w.db.scalar("SELECT count(*) FROM activity") == 3, "d and e's versions are gone with the load that added them")
        #expect(try w.db.scalar("SELECT count(*) FROM v_activity") == 3)
        #expect(try ids(w, "added").isEmpty && ids(w, "gone").isEmpty)
        #expect(try w.db.scalar("SELECT count(*) FROM load_change_set WHERE version_ids = '[]'") == 2)
    }

    /// Migration 5 turns schema 4's row per version into the lists, per delivery and change.
    @Test func migrationFiveKeepsWhatEarlierLoadsChanged() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        let batch = Int64(friday2.ordinal)
        try oldWarehouse(at: path, version: 4, rows: """
            INSERT INTO load_change (batch_date, komnr, kind, version_id, change) VALUES
                (\(batch), 101, 'AMFORA', 9, 'added'), (\(batch), 101, 'AMFORA', 4, 'added'),
                (\(batch), 101, 'AMFORA', 2, 'gone'), (\(batch), 147, 'AMFORA', 5, 'gone')
            """)
        let w = try Warehouse(path: path)
        #expect(try w.db.scalar("SELECT max(version) FROM schema_version") == Int64(Warehouse.schemaVersion))
        #expect(try ids(w, "added") == [4, 9] && ids(w, "gone") == [2])
        #expect(try w.db.scalar("SELECT count(*) FROM load_change_set") == 3)
        #expect(try w.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'load_change'") == 0)
    }
}

@Suite struct PendingWorkIdListTests {
    /// The id lists read back digit by digit are the lists written.
    @Test func readsBackWhatWasWritten() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let ids = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int64.random(in: 1...Int64(1) << 50, using: &rng) }
            let json = "[" + ids.map(String.init).joined(separator: ",") + "]"
            #expect(PendingWork.idList(json) == ids)
        }
        #expect(PendingWork.idList("[]") == [])
    }
}

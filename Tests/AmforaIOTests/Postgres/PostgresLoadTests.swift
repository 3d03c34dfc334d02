import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import AmforaPostgresTestSupport
import Foundation
import Testing

/// Deliveries streamed into PostgreSQL leave the very rows SQLite gets from the same files:
/// versions, history, findings, quarantined lines and the bookkeeping of reruns and later stages.
@Suite(.enabled(if: PostgresTestCluster.enabled, PostgresTestCluster.why))
struct PostgresLoadTests {
    static let key = PersonKey(secret: Array(repeating: 7, count: 32))

    /// Both warehouses, loaded alike.
    final class Pair {
        let sqlite: Warehouse
        let postgres: PostgresWarehouse
        /// Deliveries go into PostgreSQL prepared on a connection of their own and applied
        /// (`PreparationPool`'s way) where they can, rather than streamed.
        let prepared: PostgresConnection?
        private(set) var appliedPrepared = 0
        init(_ dir: borrowing TemporaryDirectory, prepared: Bool = false) throws {
            sqlite = try Warehouse(path: dir.file("w.sqlite"))
            postgres = try PostgresWarehouse(PostgresTestCluster.freshDatabase(), personKey: PostgresLoadTests.key)
            self.prepared = prepared ? try PostgresWarehouse.reader(postgres.connection.location) : nil
        }

        func loadPostgres(_ path: String, _ name: DeliveryName, policy: LoadPolicy) throws -> LoadOutcome {
            let c = postgres.connection
            if let reader = prepared, try PreparedDelivery.isPreparable(c, name: name) {
                let snapshot = try PreparedDelivery.snapshot(reader, name) {
                    try PostgresDeliveryStore(connection: reader, personKey: PostgresLoadTests.key).currentVersions(name)
                }
                if let d = try PreparedDelivery.prepare(path: path, name: name, options: ValidationOptions(), against: snapshot) {
                    appliedPrepared += 1
                    return try DeliveryLoader.apply(d, into: PostgresDeliveryStore(connection: c, personKey: PostgresLoadTests.key),
                                                    bookkeeping: c, archive: nil, policy: policy, startedAt: "t")
                }
            }
            return try postgres.load(path: path, name: name, policy: policy, startedAt: "t")
        }

        /// The write-down of what the loads left pending, in both; the summaries must agree.
        func writeDown(everyone: Bool) throws {
            let a = try WriteDownStage.applyPending(sqlite.db, everyone: everyone)
            let b = try PostgresWriteDown.applyPending(postgres, everyone: everyone)
            #expect(a.map { [$0.persons, $0.records, $0.writtenDownRecords, $0.writtenDownPersons] }
                    == b.map { [$0.persons, $0.records, $0.writtenDownRecords, $0.writtenDownPersons] })
            #expect(abs((a?.hoursRemoved ?? 0) - (b?.hoursRemoved ?? 0)) < 1e-6)
        }

        /// The reconciliation of every pending delivery, in both; the outcomes must agree.
        func reconcile() throws {
            let a = try PendingWork.reconciliations(sqlite.db).map { try ReconcileStage.apply(sqlite.db, $0) }
            let b = try PendingWork.reconciliations(postgres.connection).map { try ReconcileStage.apply(postgres.connection, $0) }
            #expect(a.map { [$0.count(.changed), $0.count(.new), $0.count(.removed), $0.count(.reappeared), $0.historyChanges] }
                    == b.map { [$0.count(.changed), $0.count(.new), $0.count(.removed), $0.count(.reappeared), $0.historyChanges] })
        }

        /// Loads one file into both; the outcomes (or the errors) must agree.
        func load(_ path: String, _ name: DeliveryName) throws -> LoadOutcome? {
            let policy = LoadPolicy(acceptShrink: true)
            let a = Result { try DeliveryLoader(warehouse: sqlite).load(path: path, name: name, policy: policy, startedAt: "t") }
            let b = Result { try loadPostgres(path, name, policy: policy) }
            switch (a, b) {
            case (.success(let x), .success(let y)):
                #expect(Outcome(x) == Outcome(y))
                return x
            case (.failure(let x), .failure(let y)):
                #expect("\(type(of: x))" == "\(type(of: y))")
                return nil
            default:
                Issue.record("SQLite: \(a), PostgreSQL: \(b)")
                return nil
            }
        }
    }

    struct Outcome: Equatable {
        let inserted, unchanged, removed, rejected, previous: Int
        let persons: Set<Int>
        let added, gone: [Int64]
        let duplicates: [[Int64]]
        init(_ o: LoadOutcome) {
            (inserted, unchanged, removed, rejected, previous) = (o.inserted, o.unchanged, o.removed, o.rejected, o.previousRecords)
            (persons, added, gone, duplicates) = (o.affectedPersons, o.addedVersions, o.goneVersions, o.duplicateIdentities)
        }
    }

    static let reconciliationColumns = "batch_date, komnr, kind, change, activity_id, version_id, previous_version_id, changed_fields, history_change"

    /// The tables a load writes, as text rows (timestamps left out; id lists as their digits).
    static let tables: [(sqlite: String, postgres: String)] = [
        ("SELECT version_id, activity_id, content_hash, line_hash, cprnr, komnr, foranstalt, startdt, slutdt, timetal, abtilbud, jobplanid, holdid, navn, \"by\", postnummer, first_batch, last_batch, closed_in, source_file, line_no FROM activity ORDER BY version_id",
         "SELECT version_id, activity_id, content_hash, line_hash, cprnr, komnr, foranstalt, startdt, slutdt, timetal, abtilbud, jobplanid, holdid, navn, \"by\", postnummer, first_batch, last_batch, closed_in, source_file, line_no FROM amfora.activity ORDER BY version_id"),
        ("SELECT version_id, content_hash, line_hash, kind, aid_type, komnr, cvr, pnr, startdtgod, identnr, first_batch, last_batch, closed_in, line_no FROM aid ORDER BY version_id",
         "SELECT version_id, content_hash, line_hash, kind, aid_type, komnr, cvr, pnr, startdtgod, identnr, first_batch, last_batch, closed_in, line_no FROM amfora.aid ORDER BY version_id"),
        ("SELECT batch_date, komnr, kind, status, file, sha256, bytes, encoding, lines, records, rejected, warnings, blank_lines, message FROM delivery ORDER BY 1, 2, 3",
         "SELECT batch_date, komnr, kind, status, file, sha256, bytes, encoding, lines, records, rejected, warnings, blank_lines, message FROM amfora.delivery ORDER BY 1, 2, 3"),
        ("SELECT batch_date, komnr, kind, file, line_no, severity, rule, field, value, message FROM reject ORDER BY 1, 2, 3, 5, 7, 8",
         "SELECT batch_date, komnr, kind, file, line_no, severity, rule, field, value, message FROM amfora.reject ORDER BY 1, 2, 3, 5, 7, 8"),
        ("SELECT batch_date, komnr, kind, file, line_no, lower(hex(raw)) FROM quarantine ORDER BY 1, 2, 3, 5",
         "SELECT batch_date, komnr, kind, file, line_no, encode(raw, 'hex') FROM amfora.quarantine ORDER BY 1, 2, 3, 5"),
        ("SELECT batch_date, komnr, kind, change, version_ids FROM load_change_set ORDER BY 1, 2, 3, 4",
         "SELECT batch_date, komnr, kind, change, version_ids FROM amfora.load_change_set ORDER BY 1, 2, 3, 4"),
        ("SELECT batch_date, komnr, kind, lower(hex(persons)) FROM pending_writedown ORDER BY 1, 2, 3, 4",
         "SELECT batch_date, komnr, kind, encode(persons, 'hex') FROM amfora.pending_writedown ORDER BY 1, 2, 3, 4"),
        ("SELECT \(PendingWork.Rows.reconcileColumns) FROM pending_reconcile ORDER BY 1, 2, 3",
         "SELECT \(PendingWork.Rows.reconcileColumns) FROM amfora.pending_reconcile ORDER BY 1, 2, 3"),
        // The write-down, to a millionth of an hour (the two print doubles differently).
        ("SELECT version_id, cprnr, hours, CAST(round(hours_written_down * 1000000) AS INTEGER), komnr FROM writedown ORDER BY 1",
         "SELECT version_id, cprnr, hours, round(hours_written_down * 1000000)::bigint, komnr FROM amfora.writedown ORDER BY 1"),
        ("SELECT version_id, start_date, end_date, CAST(round(rate * 1000000) AS INTEGER) FROM writedown_segment ORDER BY 1, 2",
         "SELECT version_id, start_date, end_date, round(rate * 1000000)::bigint FROM amfora.writedown_segment ORDER BY 1, 2"),
        ("SELECT \(reconciliationColumns) FROM reconciliation ORDER BY 1, 2, 3, 4, 6, 7",
         "SELECT \(reconciliationColumns) FROM amfora.reconciliation ORDER BY 1, 2, 3, 4, 6, 7"),
        ("SELECT * FROM reconciliation_summary ORDER BY 1, 2, 3", "SELECT * FROM amfora.reconciliation_summary ORDER BY 1, 2, 3"),
    ]

    static func rows(_ db: Database, _ sql: String) throws -> [String] {
        let s = try db.prepare(sql)
        var out: [String] = []
        while try s.step() { out.append((0..<s.columnCount).map { normal(s.isNull($0) ? nil : s.text($0)) }.joined(separator: "|")) }
        return out
    }

    static func rows(_ c: PostgresConnection, _ sql: String) throws -> [String] {
        try c.query(sql).map { $0.map(normal).joined(separator: "|") }
    }

    /// NULL and '' alike (a blank text field is NULL in both, but be plain about it); `[1,2]` and `{1,2}` alike.
    static func normal(_ v: String?) -> String {
        guard let v else { return "∅" }
        if v.hasPrefix("{") || v.hasPrefix("[") { return "#" + v.filter { $0.isNumber || $0 == "," } }
        return v
    }

    /// The analysts' week views and old → new, as both warehouses answer them: a measure's and a
    /// person's weeks summed (SQLite's may give a week in more than one row, which sum to it); SQLite's
    /// CPR number turned into the person key PostgreSQL shows. Hours are compared in ten-thousandths
    /// of an hour, to one of them: SQLite's week figures sum rates kept to a millionth.
    static let views: [(sqlite: String, postgres: String, person: Int?, hours: Int?)] = [
        ("SELECT activity_id, cpr, komnr, foranstalt, week_start, round(sum(hours) * 10000), round(sum(hours_written_down) * 10000) FROM v_activity_week GROUP BY 1, 2, 3, 4, 5",
         "SELECT activity_id, person_key, komnr, foranstalt, week_start, round(sum(hours)::numeric * 10000), round(sum(hours_written_down)::numeric * 10000) FROM analyst.v_activity_week GROUP BY 1, 2, 3, 4, 5", 1, 5),
        ("SELECT cpr, week_start, iso_week, round(sum(hours) * 10000), round(sum(hours_written_down) * 10000) FROM v_person_week GROUP BY 1, 2, 3",
         "SELECT person_key, week_start, iso_week, round(sum(hours)::numeric * 10000), round(sum(hours_written_down)::numeric * 10000) FROM analyst.v_person_week GROUP BY 1, 2, 3", 0, 3),
        ("SELECT week_start, iso_week, komnr, foranstalt, persons, measures, round(hours * 10000), round(hours_written_down * 10000) FROM v_week_stats",
         "SELECT week_start, iso_week, komnr, foranstalt, persons, measures, round(hours::numeric * 10000), round(hours_written_down::numeric * 10000) FROM analyst.v_week_stats", nil, 6),
        ("SELECT * FROM v_reconciliation_change", "SELECT * FROM analyst.v_reconciliation_change", nil, nil),
    ]

    func expectSameViews(_ p: Pair, _ step: String) throws {
        typealias Row = (key: String, hours: [Double])
        for (a, b, person, hours) in Self.views {
            func split(_ row: String, person: Int?) -> Row {
                var f = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                if let person { f[person] = Self.key.of(identifier: f[person]) }
                let h = hours ?? f.count
                return (f[..<h].joined(separator: "|"), f[h...].map { Double($0) ?? .nan })
            }
            let x = try Self.rows(p.sqlite.db, a).map { split($0, person: person) }.sorted { $0.key < $1.key }
            let y = try Self.rows(p.postgres.connection, b).map { split($0, person: nil) }.sorted { $0.key < $1.key }
            let view = String(b[b.range(of: "analyst.")!.upperBound...].prefix { $0 != " " })
            let apart = zip(x, y).first { $0.key != $1.key || zip($0.hours, $1.hours).contains { abs($0 - $1) > 1 } }
            #expect(x.count == y.count && apart == nil,
                    "\(step): \(view): \(x.count) rows in SQLite, \(y.count) in PostgreSQL; first difference \(apart.map { "\($0) ≠ \($1)" } ?? "in length")")
            #expect(!x.isEmpty || view == "v_reconciliation_change", "\(step): \(view) has rows to compare")
        }
    }

    /// `views`: after the write-down and the reconciliation, when a run's analyst views stand.
    func expectSame(_ p: Pair, _ step: String, views: Bool = false) throws {
        if views { try expectSameViews(p, step) }
        for (a, b) in Self.tables {
            let x = try Self.rows(p.sqlite.db, a), y = try Self.rows(p.postgres.connection, b)
            let same = x == y  // not inside #expect, which would print both tables whole
            #expect(same, "\(step): \(b.split(separator: " ").suffix(4).joined(separator: " ")): \(x.count) rows in SQLite, \(y.count) in PostgreSQL; first difference \(zip(x, y).first { $0 != $1 }.map { "\($0) ≠ \($1)" } ?? "in length")")
        }
    }

    /// Random Fridays: records kept, changed, removed and added at random, with lines that are
    /// quarantined, loaded with warnings (a date that is not one kept as delivered) or blank,
    /// and an aid delivery beside; then a corrected rerun of a Friday, and the same file again.
    /// Seed 2 and 3: into PostgreSQL prepared beside and applied, as a run's worker threads do.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomFridaysLoadAsInSQLite(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let dir = TemporaryDirectory()
        let pair = try Pair(dir, prepared: seed > 1)
        var people: [LineBuilder] = (0..<120).map { i in Self.person(i, &rng) }
        people += stride(from: 0, to: 120, by: 5).map { Self.second(people[$0], &rng) }
        var next = 120
        let fridays = ["2024-11-01", "2024-11-08", "2024-11-15"].map { Day(iso: $0)! }
        for (f, friday) in fridays.enumerated() {
            if f > 0 {
                people.removeAll { _ in Int.random(in: 0..<100, using: &rng) < 8 }
                for i in people.indices where Int.random(in: 0..<100, using: &rng) < 10 {
                    people[i] = people[i].with("Timetal", String(Int.random(in: 5...37, using: &rng)))
                }
                for i in people.indices where Int.random(in: 0..<100, using: &rng) < 4 {  // moved
                    people[i] = people[i].with("Startdt", String(format: "%02d-02-2024", Int.random(in: 1...28, using: &rng)))
                }
                for _ in 0..<15 { people.append(Self.person(next, &rng)); next += 1 }
            }
            try loadFriday(pair, dir, friday, people, &rng)
            try pair.writeDown(everyone: f == 0)
            try pair.reconcile()
            try expectSame(pair, "Friday \(f + 1)", views: true)
        }
        // A corrected delivery of the last Friday, then that very file again.
        people.removeLast(10)
        try loadFriday(pair, dir, fridays[2], people, &rng, subdirectory: "corrected")
        try pair.writeDown(everyone: false)
        try pair.reconcile()
        try expectSame(pair, "corrected rerun", views: true)
        try expectWeekTablesAsRebuilt(pair.postgres)
        #expect(try pair.postgres.connection.scalar("SELECT count(*) FROM amfora.writedown") ?? 0 > 0, "some persons are written down")
        #expect(try pair.postgres.connection.scalar("SELECT count(DISTINCT change) FROM amfora.reconciliation") ?? 0 >= 3, "changed, new and removed measures")
        #expect(try pair.postgres.connection.scalar("SELECT count(DISTINCT change) FROM analyst.v_reconciliation_change") == 2, "changed and moved measures, old → new")
        let name = DeliveryName(kind: .amfora, komnr: 101, batchDate: fridays[2])
        _ = try pair.load(dir.file("corrected/\(name.fileName)"), name)
        try expectSame(pair, "the same file again")
        #expect(seed == 1 ? pair.appliedPrepared == 0 : pair.appliedPrepared >= 4, "deliveries prepared beside and applied")
        // The warned date that no date column can hold is kept as delivered, beside its column.
        #expect(try pair.postgres.connection.scalar("SELECT count(*) FROM amfora.activity WHERE jobplanoprettet IS NULL AND delivered_as->>'jobplanoprettet' = '32-13-2024'") ?? 0 > 0)
    }

    /// The week tables that write-downs of a few persons at a time kept are the tables rebuilt
    /// from every person; and a warehouse whose tables were never filled (as after migration 4)
    /// gets them from its next write-down, with nothing pending.
    func expectWeekTablesAsRebuilt(_ w: PostgresWarehouse) throws {
        let c = w.connection
        func tables() throws -> [[String]] {
            [try Self.rows(c, "SELECT * FROM amfora.week_segment ORDER BY level, start_date, version_id"),
             try Self.rows(c, "SELECT * FROM amfora.week_stats ORDER BY week_start, komnr, foranstalt")]
        }
        let kept = try tables()
        #expect(kept[0].count > 100 && kept[1].count > 10)
        #expect(try PostgresWriteDown.applyPending(w, everyone: false) == nil, "nothing pending")
        _ = try PostgresWriteDown.applyPending(w, everyone: true)
        #expect(try tables() == kept, "rebuilt")
        try c.execute("TRUNCATE amfora.week_segment, amfora.week_stats; DELETE FROM amfora.week_tables_state")
        #expect(try PostgresWriteDown.applyPending(w, everyone: false) != nil, "never filled: everyone")
        #expect(try tables() == kept, "filled")
    }

    static func person(_ i: Int, _ rng: inout SplitMix64) -> LineBuilder {
        let day = 1 + i % 28, month = 1 + (i / 28) % 12, serial = 1000 + i
        var b = LineBuilder.activation(["CPRnr": String(format: "%02d%02d85%04d", day, month, serial),
                                        "Timetal": String(Int.random(in: 5...37, using: &rng)),
                                        "Startdt": String(format: "%02d-03-2024", Int.random(in: 1...28, using: &rng))])
        if i % 17 == 0 { b = b.with("JobplanOprettet", "32-13-2024") }  // a warning: kept as delivered
        if i % 23 == 0 { b = b.with("Timetal", "45") }                   // a warning: above 37
        if i % 11 == 0 { b = b.with("HoldID", "hold\t\\ \(i)") }         // COPY's escapes
        return b
    }

    /// A second measure of every fifth person, overlapping the first: more than 37 hours a week
    /// together, so the write-down has persons to write down.
    static func second(_ person: LineBuilder, _ rng: inout SplitMix64) -> LineBuilder {
        person.with("Foranstalt", "150").with("Startdt", String(format: "%02d-04-2024", Int.random(in: 1...28, using: &rng)))
            .with("Timetal", String(Int.random(in: 15...30, using: &rng)))
    }

    func loadFriday(_ pair: Pair, _ dir: borrowing TemporaryDirectory, _ friday: Day, _ people: [LineBuilder],
                    _ rng: inout SplitMix64, subdirectory: String? = nil) throws {
        var lines = people.map(\.text)
        lines.insert("", at: Int.random(in: 0...lines.count, using: &rng))
        lines.insert(LineBuilder.activation(["CPRnr": "0202851234", "Slutdt": "01-01-2024"]).text, at: Int.random(in: 0...lines.count, using: &rng))
        lines.insert(LineBuilder.activation(["CPRnr": "3113851234"]).text, at: Int.random(in: 0...lines.count, using: &rng))
        let amfora = DeliveryName(kind: .amfora, komnr: 101, batchDate: friday)
        _ = try pair.load(dir.write(amfora.fileName, lines: lines, inSubdirectory: subdirectory ?? friday.iso), amfora)
        let aid = DeliveryName(kind: .hjaelp1, komnr: 101, batchDate: friday)
        let grants = (0..<Int.random(in: 3...6, using: &rng)).map { i in
            LineBuilder.aid(["Identnr": String(format: "0%d0185%04d", 1 + i % 9, 2000 + i)]).text
        }
        _ = try pair.load(dir.write(aid.fileName, lines: grants, inSubdirectory: subdirectory ?? friday.iso), aid)
    }

    /// A file that turns out unusable half-way (truncated) leaves PostgreSQL as it was, as SQLite.
    @Test func aTruncatedFileLoadsNothing() throws {
        let dir = TemporaryDirectory()
        let pair = try Pair(dir)
        let f1 = Day(iso: "2024-11-01")!, f2 = Day(iso: "2024-11-08")!
        let n1 = DeliveryName(kind: .amfora, komnr: 101, batchDate: f1), n2 = DeliveryName(kind: .amfora, komnr: 101, batchDate: f2)
        _ = try pair.load(dir.write(n1.fileName, lines: [LineBuilder.activation().text], inSubdirectory: "1"), n1)
        let many = (0..<3000).map { i in LineBuilder.activation(["CPRnr": String(format: "02028%05d", i)]).text }
        let path = dir.file(n2.fileName)
        let text = many.joined(separator: "\n") + "\n" + String(LineBuilder.activation().text.prefix(100))
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        #expect(try pair.load(path, n2) == nil)
        try expectSame(pair, "after the truncated file")
        #expect(try pair.postgres.connection.scalar("SELECT count(*) FROM amfora.activity") == 1)
        // The connection is usable after the aborted COPY.
        _ = try pair.load(dir.write(n2.fileName, lines: many, inSubdirectory: "2"), n2)
        try expectSame(pair, "after the good file")
    }
}

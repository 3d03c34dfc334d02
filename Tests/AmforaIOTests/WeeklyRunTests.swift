import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

@Suite struct WeeklyRunTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func request(_ dir: borrowing TemporaryDirectory, _ day: Day, municipality: Int? = nil, file: String? = nil) -> RunRequest {
        RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("reports"),
                   municipality: municipality, file: file)
    }

    func deliver(_ dir: borrowing TemporaryDirectory, _ day: Day, _ komnr: Int, _ lines: [String], kind: RecordKind = .amfora) {
        let n = DeliveryName(kind: kind, komnr: komnr, batchDate: day)
        dir.write(n.fileName, lines: lines, inSubdirectory: day.iso)
    }

    func scalar(_ dir: borrowing TemporaryDirectory, _ sql: String) throws -> Double? {
        let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
        let s = try db.prepare(sql)
        guard try s.step(), !s.isNull(0) else { return nil }
        return s.double(0)
    }

    /// Example D of writedown.md through the whole run: one person, two municipalities.
    @Test func theWriteDownSpansMunicipalities() throws {
        let dir = TemporaryDirectory()
        let person = ["CPRnr": "0101901234", "Startdt": "01-06-2024", "Slutdt": "30-06-2024", "Timetal": "37"]
        deliver(dir, friday1, 101, [LineBuilder.activation(person).text])
        deliver(dir, friday1, 147, [LineBuilder.activation(person.merging(["Komnr": "147"]) { $1 }).text])
        let r = try WeeklyRun(request(dir, friday1)).run()
        #expect(r.writeDown.writtenDownRecords == 2)
        let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
        let s = try db.prepare("SELECT komnr, hours, hours_written_down FROM v_activity ORDER BY komnr")
        var rows: [String] = []
        while try s.step() { rows.append("\(s.text(0)!) \(s.double(1)) \(s.double(2))") }
        #expect(rows == ["101 37.0 18.5", "147 37.0 18.5"])
        // Week view: June 2024's full weeks are 18.5 + 18.5 = 37 for the person.
        #expect(try scalar(dir, "SELECT hours_written_down FROM v_person_week WHERE iso_week = '2024-W24'") == 37)
        #expect(try scalar(dir, "SELECT hours FROM v_person_week WHERE iso_week = '2024-W24'") == 74)
    }

    @Test func aMunicipalityWithoutADeliveryIsStaleAndKeepsItsData() throws {
        let dir = TemporaryDirectory()
        deliver(dir, friday1, 101, [LineBuilder.activation().text])
        deliver(dir, friday1, 147, [LineBuilder.activation(["Komnr": "147"]).text])
        _ = try WeeklyRun(request(dir, friday1)).run()
        deliver(dir, friday2, 101, [LineBuilder.activation().text])
        let r = try WeeklyRun(request(dir, friday2)).run()
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.state == .stale)
        #expect(r.needsPerson)
        #expect(try scalar(dir, "SELECT count(*) FROM v_batch WHERE batch_date = '2024-11-08' AND komnr = '147' AND kind = 'AMFORA' AND status = 'stale'") == 1)
        #expect(try scalar(dir, "SELECT count(*) FROM v_activity WHERE komnr = '147'") == 1)
    }

    @Test func runningAgainSkipsWhatIsLoadedAndVerified() throws {
        let dir = TemporaryDirectory()
        deliver(dir, friday1, 101, [LineBuilder.activation().text])
        _ = try WeeklyRun(request(dir, friday1)).run()
        // A late delivery arrives; the second pass loads only that.
        deliver(dir, friday1, 147, [LineBuilder.activation(["Komnr": "147"]).text])
        let r = try WeeklyRun(request(dir, friday1)).run()
        #expect(r.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.loadedBefore == true)
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.state == .loaded)
        // A changed file under the same name is not "done": its checksum differs.
        deliver(dir, friday1, 101, [LineBuilder.activation(["Timetal": "30"]).text])
        let again = try WeeklyRun(request(dir, friday1)).run()
        #expect(again.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.state == .loaded)
        #expect(try scalar(dir, "SELECT hours FROM v_activity WHERE komnr = '101'") == 30)
    }

    @Test func rerunTouchesOnlyItsMunicipalityAndIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let shared = ["CPRnr": "0101901234", "Startdt": "01-06-2024", "Slutdt": "30-06-2024", "Timetal": "30"]
        deliver(dir, friday1, 101, [LineBuilder.activation(shared).text])
        deliver(dir, friday1, 147, [LineBuilder.activation(shared.merging(["Komnr": "147", "Timetal": "7"]) { $1 }).text,
                                    LineBuilder.activation(["Komnr": "147", "CPRnr": "0202851234"]).text])
        _ = try WeeklyRun(request(dir, friday1)).run()
        #expect(try scalar(dir, "SELECT sum(hours_written_down) FROM v_activity WHERE cpr = '0101901234'") == 37)

        // 147 corrects its file: the shared person now has 17 hours there, so 101's record is
        // written down too — a rerun of 147 recomputes the person in every municipality.
        let corrected = dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: friday1).fileName,
                                  lines: [LineBuilder.activation(shared.merging(["Komnr": "147", "Timetal": "17"]) { $1 }).text,
                                          LineBuilder.activation(["Komnr": "147", "CPRnr": "0202851234"]).text],
                                  inSubdirectory: "corrected")
        let before101 = try scalar(dir, "SELECT count(*) FROM activity WHERE komnr = 101")
        _ = try WeeklyRun(request(dir, friday1, municipality: 147, file: corrected)).run()
        let state = { try (self.scalar(dir, "SELECT sum(hours_written_down) FROM v_activity WHERE cpr = '0101901234'"),
                           self.scalar(dir, "SELECT count(*) FROM activity"), self.scalar(dir, "SELECT count(*) FROM writedown_segment")) }
        let first = try state()
        #expect(abs((first.0 ?? 0) - 37) < 1e-9)
        #expect(try scalar(dir, "SELECT hours_written_down FROM v_activity WHERE komnr = '101'")! < 30)
        #expect(try scalar(dir, "SELECT count(*) FROM activity WHERE komnr = 101") == before101)
        _ = try WeeklyRun(request(dir, friday1, municipality: 147, file: corrected)).run()
        let second = try state()
        #expect(first.0 == second.0 && first.1 == second.1 && first.2 == second.2)
    }

    @Test func aSecondRunIsTurnedAwayWhileTheFirstHoldsTheLock() throws {
        let dir = TemporaryDirectory()
        deliver(dir, friday1, 101, [LineBuilder.activation().text])
        let held = try RunLock(warehouse: dir.file("w.sqlite"), purpose: "test")
        do {
            _ = try WeeklyRun(request(dir, friday1)).run()
            Issue.record("the run should not start while the lock is held")
        } catch let e as RunLock.Held {
            #expect(e.holder.contains("pid \(getpid())"))
        }
        withExtendedLifetime(held) {}
    }

    @Test func aBrokenFileStopsThatFileNotTheBatch() throws {
        let dir = TemporaryDirectory()
        deliver(dir, friday1, 101, [LineBuilder.activation().text])
        let n = DeliveryName(kind: .amfora, komnr: 147, batchDate: friday1)
        let cut = LineBuilder.activation(["Komnr": "147"]).text + "\n" + String(LineBuilder.activation(["Komnr": "147"]).text.prefix(50))
        _ = FileManager.default.createFile(atPath: dir.file("\(friday1.iso)/\(n.fileName)"), contents: Data(cut.utf8))
        let r = try WeeklyRun(request(dir, friday1)).run()
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.state == .failed)
        #expect(r.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.state == .loaded)
        #expect(try scalar(dir, "SELECT count(*) FROM v_reject WHERE komnr = '147' AND rule = 'file.truncated'") == 1)
        #expect(try scalar(dir, "SELECT count(*) FROM v_activity") == 1)
    }
}

@Suite struct DeliveryArchiveTests {
    @Test func deliveriesAreArchivedUnchangedUnderTheirSHA256() throws {
        let dir = TemporaryDirectory()
        let friday = Day(iso: "2024-11-01")!
        let n = DeliveryName(kind: .amfora, komnr: 101, batchDate: friday)
        let path = dir.write(n.fileName, lines: [LineBuilder.activation(["Navn": "Ærø"]).text], ending: "\r\n",
                             windows1252: true, inSubdirectory: friday.iso)
        _ = try WeeklyRun(RunRequest(batch: friday, inbox: dir.file(friday.iso), warehouse: dir.file("w.sqlite"),
                                     reports: dir.file("reports"))).run()
        let sha = try FileDigest.of(path: path)
        let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
        let s = try db.prepare("SELECT sha256 FROM v_batch WHERE komnr = '101' AND kind = 'AMFORA'")
        #expect(try s.step())
        #expect(s.text(0) == sha)
        let archived = try DeliveryArchive(forWarehouse: dir.file("w.sqlite")).path(for: sha)
        #expect(FileManager.default.contentsEqual(atPath: archived, andPath: path))
        let mode = try FileManager.default.attributesOfItem(atPath: archived)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o077 == 0)
    }
}

@Suite struct HeldAndReconciledTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func lines(_ n: Int, hours: String = "37") -> [String] {
        (0..<n).map { LineBuilder.activation(["CPRnr": String(format: "0101%06d", $0), "Timetal": hours]).text }
    }

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day, _ komnr: Int, _ lines: [String], accept: Bool = false) throws -> RunResult {
        if !lines.isEmpty {
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
        }
        var config = RunConfig()
        config.shrinkMinimum = 0  // the fraction alone decides here; the minimum has its own tests
        var request = RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("r"),
                                 config: config, municipality: accept ? komnr : nil)
        request.acceptHeld = accept
        return try WeeklyRun(request).run()
    }

    func count(_ dir: borrowing TemporaryDirectory, _ sql: String) throws -> Int64 {
        try Database(path: dir.file("w.sqlite"), readOnly: true).scalar(sql) ?? -1
    }

    @Test func aShrunkenDeliveryIsHeldUntilAccepted() throws {
        let dir = TemporaryDirectory()
        _ = try run(dir, friday1, 101, lines(20))
        let held = try run(dir, friday2, 101, Array(lines(20).prefix(17)))  // −15 %
        #expect(held.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.state == .held)
        #expect(held.needsPerson)
        #expect(try count(dir, "SELECT count(*) FROM v_activity") == 20, "last Friday's dataset stays in force")
        #expect(try count(dir, "SELECT count(*) FROM v_batch WHERE batch_date = '2024-11-08' AND status = 'held'") == 1)
        let accepted = try run(dir, friday2, 101, [], accept: true)
        #expect(accepted.deliveries.first { $0.kind == .amfora }?.state == .loaded)
        #expect(try count(dir, "SELECT count(*) FROM v_activity") == 17)
        #expect(try count(dir, "SELECT removed FROM v_reconciliation_summary WHERE batch_date = '2024-11-08'") == 3)
    }

    @Test func aSmallDropIsLoaded() throws {
        let dir = TemporaryDirectory()
        _ = try run(dir, friday1, 101, lines(20))
        let r = try run(dir, friday2, 101, Array(lines(20).prefix(19)))  // −5 %
        #expect(r.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.state == .loaded)
    }

    @Test func theWeeksChangesAreReconciled() throws {
        let dir = TemporaryDirectory()
        var week1 = lines(10)
        week1[9] = LineBuilder.activation(["CPRnr": "0909090909", "Startdt": "01-01-2024", "Slutdt": "31-01-2024"]).text
        _ = try run(dir, friday1, 101, week1)
        var week2 = lines(10)
        week2[0] = LineBuilder.activation(["CPRnr": "0101000000", "Timetal": "20"]).text          // changed
        week2[1] = LineBuilder.activation(["CPRnr": "0101000001", "Startdt": "05-02-2024"]).text  // moved start
        week2[9] = LineBuilder.activation(["CPRnr": "0808080808"]).text                           // new; 0909… removed
        _ = try run(dir, friday2, 101, week2)
        let s = "SELECT %@ FROM v_reconciliation_summary WHERE batch_date = '2024-11-08' AND kind = 'AMFORA'"
        #expect(try count(dir, s.replacingOccurrences(of: "%@", with: "changed")) == 2)
        #expect(try count(dir, s.replacingOccurrences(of: "%@", with: "new")) == 1)
        #expect(try count(dir, s.replacingOccurrences(of: "%@", with: "removed")) == 1)
        #expect(try count(dir, s.replacingOccurrences(of: "%@", with: "unchanged")) == 7)
        #expect(try count(dir, "SELECT count(*) FROM v_reconciliation WHERE changed_fields = 'Timetal'") == 1)
        #expect(try count(dir, "SELECT count(*) FROM v_reconciliation WHERE changed_fields = 'Startdt'") == 1)
        // The removed measure ended in January: a history change. Recorded once, not next week too.
        #expect(try count(dir, "SELECT count(*) FROM v_reconciliation WHERE change = 'removed' AND history_change = 1") == 1)
        _ = try run(dir, Day(iso: "2024-11-15")!, 101, week2)
        #expect(try count(dir, "SELECT count(*) FROM v_reconciliation WHERE batch_date = '2024-11-15' AND change != 'changed'") == 0)
        #expect(try count(dir, "SELECT unchanged FROM v_reconciliation_summary WHERE batch_date = '2024-11-15'") == 10)
        // It comes back: reappeared, not new.
        var week4 = week2
        week4.append(week1[9])
        _ = try run(dir, Day(iso: "2024-11-22")!, 101, week4)
        #expect(try count(dir, "SELECT reappeared FROM v_reconciliation_summary WHERE batch_date = '2024-11-22'") == 1)
        #expect(try count(dir, "SELECT new FROM v_reconciliation_summary WHERE batch_date = '2024-11-22'") == 0)
    }

    /// The closes' two tables (`ClosedMeasures`) hold exactly each measure's batches with a close,
    /// through loads, `amfora maintain`'s fold and a rerun that undoes a close; a measure back
    /// after the fold is still found, in the settled table.
    @Test func theClosesByMeasureFollowTheClosedVersions() throws {
        let dir = TemporaryDirectory()
        let closes = "SELECT activity_id || '/' || closed_in FROM %@ ORDER BY 1"
        func expectTheClosedVersions(_ step: String) throws {
            let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
            func rows(_ sql: String) throws -> [String] {
                var out: [String] = []
                try db.forEachRow(sql, []) { out.append($0[0].text ?? "") }
                return out
            }
            let both = try rows(closes.replacingOccurrences(of: "%@", with: "(SELECT * FROM activity_closed_recent UNION ALL SELECT * FROM activity_closed)"))
            let versions = try rows(closes.replacingOccurrences(of: "%@", with: "(SELECT DISTINCT activity_id, closed_in FROM activity WHERE closed_in IS NOT NULL)"))
            #expect(both == versions, "\(step)")
        }
        let week1 = lines(20)
        _ = try run(dir, friday1, 101, week1)
        var week2 = Array(week1.prefix(19))                                                  // one removed
        week2[0] = LineBuilder.activation(["CPRnr": "0101000000", "Timetal": "20"]).text  // one changed
        _ = try run(dir, friday2, 101, week2)
        try expectTheClosedVersions("after Friday 2")
        #expect(try count(dir, "SELECT count(*) FROM activity_closed_recent") == 2)

        do {
            let w = try Warehouse(path: dir.file("w.sqlite"))
            #expect(try WarehouseMaintenance.run(w, vacuum: false).closesFolded == 2)
            #expect(try w.db.scalar("SELECT count(*) FROM activity_closed_recent") == 0)
        }
        try expectTheClosedVersions("after the fold")

        // Friday 3 drops a third measure by mistake and brings one removed one back.
        let friday3 = Day(iso: "2024-11-15")!
        let wrong = Array(week2.prefix(18)) + [week1[19]]
        _ = try run(dir, friday3, 101, wrong)
        #expect(try count(dir, "SELECT reappeared FROM v_reconciliation_summary WHERE batch_date = '2024-11-15'") == 1)
        #expect(try count(dir, "SELECT removed FROM v_reconciliation_summary WHERE batch_date = '2024-11-15'") == 1)
        try expectTheClosedVersions("after Friday 3")
        // The corrected file: the rerun undoes the close, and its row goes with it.
        let corrected = dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: friday3).fileName, lines: week2 + [week1[19]],
                                  inSubdirectory: "corrected")
        _ = try WeeklyRun(RunRequest(batch: friday3, inbox: dir.file(friday3.iso), warehouse: dir.file("w.sqlite"), reports: dir.file("r"),
                                     municipality: 101, file: corrected)).run()
        #expect(try count(dir, "SELECT count(*) FROM activity_closed_recent WHERE closed_in = \(friday3.ordinal)") == 0)
        #expect(try count(dir, "SELECT removed FROM v_reconciliation_summary WHERE batch_date = '2024-11-15'") == 0)
        try expectTheClosedVersions("after the rerun")

        // A warehouse of schema 18 answered from an index of closed versions: migration 19 fills the settled table from them.
        try Database(path: dir.file("w.sqlite")).execute("""
            DROP TABLE activity_closed_recent; DROP TABLE activity_closed;
            CREATE INDEX activity_gone ON activity (activity_id) WHERE closed_in IS NOT NULL;
            DELETE FROM schema_version WHERE version >= 19;
            """)
        let migrated = try Warehouse(path: dir.file("w.sqlite"))
        #expect(try migrated.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'activity_gone'") == 0)
        #expect(try migrated.db.scalar("SELECT count(*) FROM activity_closed") == 2)
        try expectTheClosedVersions("after migration 19")
    }
}

/// The weekly case runs on worker threads that finish in any order: the warehouse must not
/// depend on how many there are or which delivery was written first.
@Suite struct WeeklyRunWorkersTests {
    let friday1 = Day(iso: "2024-11-01")!
    let friday2 = Day(iso: "2024-11-08")!

    func weeklyRun(workers: Int) throws -> [String] {
        let dir = TemporaryDirectory()
        var config = RunConfig()
        config.workers = workers
        for (day, timetal) in [(friday1, "30"), (friday2, "20")] {
            for komnr in [101, 147, 151, 153, 155, 157] {
                let lines = (0..<40).map { i in
                    LineBuilder.activation(["Komnr": String(komnr), "CPRnr": String(format: "0101%02d%04d", 80 + i % 5, i),
                                            "Timetal": i % 4 == 0 ? timetal : "25", "Startdt": "01-0\(1 + i % 3)-2024"]).text
                }
                dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
            }
            let result = try WeeklyRun(RunRequest(batch: day, inbox: dir.file(day.iso), warehouse: dir.file("w.sqlite"),
                                                  reports: dir.file("reports"), config: config)).run()
            #expect(result.deliveries.filter { $0.state == .loaded }.count == 6)
        }
        let db = try Database(path: dir.file("w.sqlite"), readOnly: true)
        var rows: [String] = []
        for sql in ["SELECT komnr, cpr, foranstalt, start_date, hours, round(hours_written_down, 6) FROM v_activity ORDER BY 1, 2, 4",
                    "SELECT komnr, first_batch, last_batch, cpr, hours FROM v_activity_history ORDER BY 1, 4, 2, 5",
                    "SELECT komnr, unchanged, changed, new, removed FROM v_reconciliation_summary ORDER BY batch_date, komnr"] {
            let s = try db.prepare(sql)
            while try s.step() { rows.append((0..<s.columnCount).map { s.text($0) ?? "NULL" }.joined(separator: "|")) }
        }
        return rows
    }

    @Test func oneWorkerOrManyGiveTheSameWarehouse() throws {
        let one = try weeklyRun(workers: 1)
        // The second Friday changed a quarter of each municipality's records.
        #expect(["101", "147", "151", "153", "155", "157"].allSatisfy { one.contains("\($0)|30|10|0|0") }, "\(one.suffix(6))")
        #expect(try weeklyRun(workers: 4) == one)
    }
}

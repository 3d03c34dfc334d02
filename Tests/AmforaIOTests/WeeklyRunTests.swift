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
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.status == "stale")
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
        #expect(r.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.status == "unchanged")
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.status == "loaded")
        // A changed file under the same name is not "done": its checksum differs.
        deliver(dir, friday1, 101, [LineBuilder.activation(["Timetal": "30"]).text])
        let again = try WeeklyRun(request(dir, friday1)).run()
        #expect(again.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.status == "loaded")
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
        FileManager.default.createFile(atPath: dir.file("\(friday1.iso)/\(n.fileName)"), contents: Data(cut.utf8))
        let r = try WeeklyRun(request(dir, friday1)).run()
        #expect(r.deliveries.first { $0.komnr == 147 && $0.kind == .amfora }?.status == "failed")
        #expect(r.deliveries.first { $0.komnr == 101 && $0.kind == .amfora }?.status == "loaded")
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

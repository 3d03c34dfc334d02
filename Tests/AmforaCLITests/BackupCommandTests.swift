import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// `amfora backup` and `amfora maintain`: a backup restored, then next Friday's run, gives the
/// warehouse the run gives without the loss; nothing is overwritten; the copy is owner-only.
@Suite struct BackupCommandTests {
    static let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!

    /// Two Fridays of two municipalities: the second changes one measure, drops one, adds one.
    func inbox(_ dir: borrowing TemporaryDirectory) {
        for (day, people) in [(Self.friday1, ["0303105123", "0101701234", "0202802345"]), (Self.friday2, ["0303105123", "0202802345", "0404904567"])] {
            for komnr in [101, 147] {
                let lines = people.enumerated().map { i, cpr in
                    LineBuilder.activation(["Komnr": ValidationOutput.pad3(komnr), "CPRnr": cpr,
                                            "Timetal": day == Self.friday2 && i == 0 ? "30" : "20"]).text
                }
                dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: day).fileName, lines: lines, inSubdirectory: day.iso)
            }
        }
    }

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day, warehouse: String, extra: [String]? = nil) throws -> CLI.Result {
        let extra = extra ?? ["--config", dir.write("two.conf", lines: ["municipalities = 101, 147"])]
        return try CLI.run(["run", "--source", dir.file(day.iso), "--batch-date", day.iso, "--warehouse", warehouse,
                     "--reports", dir.file("reports-\((warehouse as NSString).lastPathComponent)")] + extra,
                    environment: ["AMFORA_TEST_NOW": day.iso + "T04:00:00+01:00"])
    }

    /// Every analyst view, as scripts/crash_points.py compares them: rows sorted, without the
    /// clock (`…_at`) and without version ids (rowids, numbered in the order deliveries commit).
    func views(_ path: String) throws -> [String] {
        let db = try Database(path: path, readOnly: true)
        var names: [String] = []
        let list = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\' ORDER BY name")
        while try list.step() { names.append(list.text(0)!) }
        var out: [String] = []
        for view in names {
            let s = try db.prepare("SELECT * FROM \"\(view)\"")
            var rows: [String] = []
            while try s.step() {
                let kept = (0..<s.columnCount).filter {
                    let name = s.columnName($0)
                    return !name.hasSuffix("_at") && !name.hasSuffix("version_id")
                }
                rows.append(view + ":" + kept.map { s.isNull($0) ? "NULL" : (s.text($0) ?? "?") }.joined(separator: "|"))
            }
            out += rows.sorted()
        }
        return out
    }

    @Test func aRestoredBackupAndNextFridayGiveTheWarehouseAsIfNothingWasLost() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let original = dir.file("w.sqlite")
        #expect(try run(dir, Self.friday1, warehouse: original).status == 0)
        try FileManager.default.createDirectory(atPath: dir.file("backups"), withIntermediateDirectories: true)
        let b = try CLI.run(["backup", "--to", dir.file("backups"), "--warehouse", original])
        #expect(b.status == 0, "\(b.stdout)\(b.stderr)")
        #expect(b.stdout.contains("(integrity ok, schema \(Warehouse.schemaVersion))"), "\(b.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("backups"))
        #expect(files.count == 1 && files[0].hasPrefix("amfora-") && files[0].hasSuffix(".sqlite"), "\(files)")
        let backup = dir.file("backups/" + files[0])
        var st = stat()
        #expect(lstat(backup, &st) == 0 && st.st_mode & 0o777 == 0o600)

        // Friday 2 on the warehouse as it is, and on the backup restored after losing it.
        #expect(try run(dir, Self.friday2, warehouse: original).status == 0)
        let restored = dir.file("restored.sqlite")
        try FileManager.default.copyItem(atPath: backup, toPath: restored)
        #expect(try run(dir, Self.friday2, warehouse: restored).status == 0)
        let expected = try views(original)
        #expect(expected.count > 10)
        let got = try views(restored)
        #expect(got == expected, "\(Set(got).symmetricDifference(expected).sorted().prefix(6))")
    }

    @Test func aBackupNeverOverwritesNorFollowsALink() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let w = dir.file("w.sqlite")
        #expect(try run(dir, Self.friday1, warehouse: w).status == 0)
        dir.write("taken", lines: ["keep me"])
        let over = try CLI.run(["backup", "--to", dir.file("taken"), "--warehouse", w])
        #expect(over.status == 2 && over.stderr.contains("never overwrites"), "\(over.stderr)")
        #expect(try String(contentsOfFile: dir.file("taken"), encoding: .utf8) == "keep me\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: dir.file("elsewhere.sqlite"))
        let link = try CLI.run(["backup", "--to", dir.file("link"), "--warehouse", w])
        #expect(link.status == 2, "\(link.stdout)\(link.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("elsewhere.sqlite")))
        let none = try CLI.run(["backup", "--warehouse", w])
        #expect(none.status == 2 && none.stderr.contains("--to"), "\(none.stderr)")
        // Nothing half-made is left behind by the refusals.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains(".partial-") })
    }

    @Test func cronTakesABackupAfterEachRunWhenConfigured() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        try FileManager.default.createDirectory(atPath: dir.file("backups"), withIntermediateDirectories: true)
        let config = dir.write("amfora.conf", lines: ["backup.after_run = true", "backup.to = \(dir.file("backups"))", "municipalities = 101, 147"])
        let r = try run(dir, Self.friday1, warehouse: dir.file("w.sqlite"), extra: ["--config", config])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("backed up to ") }.count == 1, "\(r.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("backups")).count == 1)
        // The backup directory gone: the run's work stands, and a person is needed.
        try FileManager.default.removeItem(atPath: dir.file("backups"))
        let failed = try run(dir, Self.friday2, warehouse: dir.file("w.sqlite"), extra: ["--config", config])
        #expect(failed.status == 1 && failed.stdout.contains("NOT BACKED UP"), "\(failed.stdout)\(failed.stderr)")
    }

    @Test func maintainRefreshesTruncatesTheLogAndVacuumGivesFreePagesBack() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let w = dir.file("w.sqlite")
        #expect(try run(dir, Self.friday1, warehouse: w).status == 0)
        #expect(try run(dir, Self.friday2, warehouse: w).status == 0)
        let before = try views(w)
        let m = try CLI.run(["maintain", "--warehouse", w])
        #expect(m.status == 0 && m.stdout.hasPrefix("archive: 0 delivery files of batches before 2024-08-09 deleted"), "\(m.stdout)\(m.stderr)")
        // The second Friday's changed stretches are more than a tenth of the samples' few: folded in.
        // So are the second Friday's closes, the first Friday having closed none.
        #expect(m.stdout.contains("\nmaintained: ") && m.stdout.contains(" recent week stretches folded in, ")
                && m.stdout.contains(" recent closes folded in, statistics refreshed, write-ahead log "), "\(m.stdout)")
        let maintained = try Database(path: w, readOnly: true)
        #expect(try maintained.scalar("SELECT count(*) FROM week_segment_recent") == 0)
        #expect(try maintained.scalar("SELECT count(*) FROM activity_closed_recent") == 0)
        #expect(try maintained.scalar("SELECT count(*) FROM activity_closed")
                == maintained.scalar("SELECT count(DISTINCT activity_id) FROM activity WHERE closed_in IS NOT NULL"))
        var st = stat()
        #expect(lstat(w + "-wal", &st) != 0 || st.st_size == 0, "the log is truncated")
        let v = try CLI.run(["maintain", "--vacuum", "--warehouse", w])
        #expect(v.status == 0 && v.stdout.contains("free pages given back"), "\(v.stdout)\(v.stderr)")
        #expect(try Database(path: w, readOnly: true).scalar("PRAGMA freelist_count") == 0)
        #expect(try views(w) == before)
        let missing = try CLI.run(["maintain", "--warehouse", dir.file("none.sqlite")])
        #expect(missing.status == 2 && !FileManager.default.fileExists(atPath: dir.file("none.sqlite")))
    }
}

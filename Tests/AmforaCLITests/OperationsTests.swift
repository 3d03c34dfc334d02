import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// What the operator and cron see: true messages, few of them, one policy behind them.
/// The run's clock is set (`AMFORA_TEST_NOW`), so nothing here depends on today's date.
@Suite struct OperationsTests {
    static let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!

    static func at(_ time: String) -> [String: String] { ["AMFORA_TEST_NOW": time] }

    /// `count` clean measures of distinct persons for a municipality.
    static func measures(_ komnr: Int, _ count: Int, from: Int = 0) -> [String] {
        let template = LineBuilder.activation(["CPRnr": "XXXXXXXXXX", "Komnr": ValidationOutput.pad3(komnr)]).text
        return (from..<(from + count)).map { template.replacingOccurrences(of: "XXXXXXXXXX", with: String(format: "0303%06d", $0)) }
    }

    static func aid(_ komnr: Int, _ count: Int) -> [String] {
        (0..<count).map { LineBuilder.aid(["Komnr": ValidationOutput.pad3(komnr), "Identnr": "G\($0)"]).text }
    }

    func run(_ dir: borrowing TemporaryDirectory, _ day: Day, at time: String, config: String? = nil) throws -> CLI.Result {
        try CLI.run(["run", "--source", dir.file(day.iso), "--batch-date", day.iso, "--warehouse", dir.file("w.sqlite"),
                     "--reports", dir.file("reports")] + (config.map { ["--config", $0] } ?? []), environment: Self.at(time))
    }

    func config(_ dir: borrowing TemporaryDirectory, _ lines: [String]) -> String {
        dir.write("amfora.conf", lines: lines)
    }

    func db(_ dir: borrowing TemporaryDirectory) throws -> Database { try Database(path: dir.file("w.sqlite"), readOnly: true) }

    // MARK: 1. Empty datasets are deliveries

    static let emptyVariants: [(String, [UInt8])] = [
        ("0 bytes", []), ("only a BOM", [0xEF, 0xBB, 0xBF]), ("only blank lines", Array("\n  \n\r\n".utf8)),
        ("a BOM and a line ending", [0xEF, 0xBB, 0xBF, 0x0A]),
    ]

    @Test(arguments: emptyVariants.map(\.0))
    func anEmptyDatasetIsValid(_ variant: String) throws {
        let bytes = Self.emptyVariants.first { $0.0 == variant }!.1
        let dir = TemporaryDirectory()
        let path = dir.file("HJAELP1_101_20241108.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let r = try CLI.run(["validate", "--json", path])
        #expect(r.status == 0, "\(variant): \(r.stdout)")
        let file = try #require(((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])?.first)
        #expect(file["records"] as? Int == 0)
        #expect(file["errors"] as? Int == 0, "\(variant): \(r.stdout)")
        #expect((file["lines"] as? Int) == (file["records"] as? Int ?? -1) + (file["blank_lines"] as? Int ?? -1))
    }

    /// An aid municipality with no grants this Friday: loaded with 0 records, last Friday's grants
    /// removed (a drop of 3 is no hold), never "cut short in transfer".
    @Test(arguments: emptyVariants.map(\.0))
    func anEmptyDatasetLoadsAndReconciles(_ variant: String) throws {
        let bytes = Self.emptyVariants.first { $0.0 == variant }!.1
        let dir = TemporaryDirectory()
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday1).fileName, lines: Self.measures(101, 2), inSubdirectory: Self.friday1.iso)
        dir.write(DeliveryName(kind: .hjaelp1, komnr: 101, batchDate: Self.friday1).fileName, lines: Self.aid(101, 3), inSubdirectory: Self.friday1.iso)
        let conf = config(dir, ["municipalities = 101"])
        _ = try run(dir, Self.friday1, at: "2024-11-01T03:00:00+01:00", config: conf)
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 2), inSubdirectory: Self.friday2.iso)
        #expect(FileManager.default.createFile(atPath: dir.file("\(Self.friday2.iso)/HJAELP1_101_20241108.txt"), contents: Data(bytes)))
        let r = try run(dir, Self.friday2, at: "2024-11-08T03:00:00+01:00", config: conf)
        #expect(!r.stdout.contains("FAILED") && !r.stdout.contains("cut short"), "\(variant): \(r.stdout)")
        let d = try db(dir)
        let s = try d.prepare("SELECT status, records FROM v_batch WHERE batch_date = '2024-11-08' AND kind = 'HJAELP1'")
        #expect(try s.step())
        #expect(s.text(0) == "loaded" && s.int(1) == 0, "\(variant)")
        #expect(try d.scalar("SELECT removed FROM v_reconciliation_summary WHERE batch_date = '2024-11-08' AND kind = 'HJAELP1'") == 3)
        #expect(r.status == 0, "\(variant): nothing for a person: \(r.stdout)")
    }

    @Test func aCutOffLastLineIsStillTruncated() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("AMFORA_101_20241108.txt")
        let line = LineBuilder.activation().text
        #expect(FileManager.default.createFile(atPath: path, contents: Data(([0xEF, 0xBB, 0xBF] + Array((line + "\n" + line.prefix(40)).utf8)))))
        let r = try CLI.run(["validate", "--json", path])
        #expect(r.status == 1 || r.status == 2)
        #expect(r.stdout.contains("file.truncated"), "\(r.stdout)")
    }

    // MARK: 2. Holds mean something

    @Test func smallChurnIsNotHeldAndABigDropIs() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101, 147"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday1).fileName, lines: Self.measures(101, 60), inSubdirectory: Self.friday1.iso)
        dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: Self.friday1).fileName, lines: Self.measures(147, 5, from: 100), inSubdirectory: Self.friday1.iso)
        _ = try run(dir, Self.friday1, at: "2024-11-01T03:00:00+01:00", config: conf)
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 30), inSubdirectory: Self.friday2.iso)
        dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: Self.friday2).fileName, lines: Self.measures(147, 4, from: 100), inSubdirectory: Self.friday2.iso)
        let r = try run(dir, Self.friday2, at: "2024-11-08T03:00:00+01:00", config: conf)
        #expect(r.status == 1)
        let d = try db(dir)
        #expect(try d.scalar("SELECT count(*) FROM v_batch WHERE batch_date = '2024-11-08' AND komnr = '147' AND status = 'loaded'") == 1, "5 → 4 is churn")
        #expect(try d.scalar("SELECT count(*) FROM v_batch WHERE batch_date = '2024-11-08' AND komnr = '101' AND status = 'held'") == 1, "60 → 30 is held")
        #expect(r.stdout.contains("amfora accept --municipality 101 --batch-date 2024-11-08 --dry-run"), "\(r.stdout)")

        // What accepting would do, before anyone accepts: counts and a masked sample; nothing changes.
        let before = try snapshot(dir)
        let dry = try CLI.run(["accept", "--municipality", "101", "--dry-run", "--warehouse", dir.file("w.sqlite"), "--config", conf],
                              environment: Self.at("2024-11-08T08:00:00+01:00"))
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("accepting would load 30 records against 60 last Friday: 30 unchanged, 0 new or changed versions, 30 measures removed"), "\(dry.stdout)")
        #expect(dry.stdout.contains("030300-**** Foranstalt 139"), "\(dry.stdout)")
        #expect(!containsFullCPR(dry.stdout))
        #expect(try snapshot(dir) == before, "a dry run changes nothing")

        let accepted = try CLI.run(["accept", "--municipality", "101", "--warehouse", dir.file("w.sqlite"), "--reports", dir.file("reports"),
                                    "--config", conf], environment: Self.at("2024-11-08T08:00:00+01:00"))
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(try db(dir).scalar("SELECT count(*) FROM v_activity WHERE komnr = '101'") == 30)
    }

    func snapshot(_ dir: borrowing TemporaryDirectory) throws -> [String] {
        let d = try db(dir)
        var out: [String] = []
        for sql in ["SELECT batch_date || komnr || kind || status FROM v_batch", "SELECT count(*) FROM activity",
                    "SELECT count(*) FROM run_stage", "SELECT batch_date || status || coalesce(finished_at, '') FROM run",
                    "SELECT count(*) FROM pending_reconcile", "SELECT count(*) FROM load_change_set"] {
            let s = try d.prepare(sql)
            while try s.step() { out.append(s.text(0) ?? "") }
        }
        return out.sorted()
    }

    // MARK: 3 and 5. The deadline judged once; a catch-up pass says only what is new

    @Test func anOnTimeBatchStaysOnTimeAndTheCatchUpPassIsSilent() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        let first = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.hasPrefix("amfora batch 2024-11-08: 1 delivery loaded, 0 held, 0 failed, 2 stale — on time: complete 2 h 30 min before 06:00")
                || first.stdout.hasPrefix("amfora batch 2024-11-08: 1 delivery loaded, 0 held, 0 failed, 0 stale — on time: complete 2 h 30 min before 06:00"),
                "\(first.stdout)")
        for time in ["2024-11-08T05:30:00+01:00", "2024-11-08T06:30:00+01:00"] {
            let again = try run(dir, Self.friday2, at: time, config: conf)
            #expect(again.status == 0 && again.stdout.isEmpty, "\(time): \(again.stdout)")
        }
        let summary = try String(contentsOfFile: dir.file("reports/2024-11-08/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"on_time\":true") && summary.contains("\"margin_seconds\":9000"), "\(summary)")
        let status = try CLI.run(["status", "--warehouse", dir.file("w.sqlite"), "--config", conf],
                                 environment: Self.at("2024-11-08T07:00:00+01:00").merging(["COLUMNS": "200"]) { $1 })
        #expect(status.status == 0 && status.stdout.contains("on time: complete 2 h 30 min before 06:00"), "\(status.stdout)")
    }

    @Test func aLateDeliveryIsNamedAndTheBatchIsJudgedByItsCompletion() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101, 147"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        let first = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        #expect(first.status == 1)
        #expect(first.stdout.contains("not judged yet"), "\(first.stdout)")
        #expect(first.stdout.contains("no delivery: 147 Frederiksberg"), "\(first.stdout)")
        dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: Self.friday2).fileName, lines: Self.measures(147, 3, from: 50), inSubdirectory: Self.friday2.iso)
        let late = try run(dir, Self.friday2, at: "2024-11-08T06:20:00+01:00", config: conf)
        #expect(late.status == 1)
        #expect(late.stdout.contains("DEADLINE MISSED: complete 20 min after 06:00"), "\(late.stdout)")
        #expect(late.stdout.contains("late (after 06:00): 147 Frederiksberg AMFORA"), "\(late.stdout)")
        // The judgement stays: a later pass neither repeats nor changes it.
        let later = try run(dir, Self.friday2, at: "2024-11-08T07:30:00+01:00", config: conf)
        #expect(later.stdout.isEmpty && later.status == 1, "\(later.stdout)")
    }

    @Test func aBatchThatNeverCompletesIsJudgedAtTheFirstPassAfter06() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101, 147"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        _ = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        let judged = try run(dir, Self.friday2, at: "2024-11-08T06:30:00+01:00", config: conf)
        #expect(judged.stdout.hasPrefix("amfora batch 2024-11-08:") && judged.stdout.contains("not complete at 06:00"), "\(judged.stdout)")
        #expect(judged.stdout.contains("no delivery: 147 Frederiksberg"))
    }

    @Test func anOldBatchReplayedSaysSoAndJudgesNoDeadline() throws {
        let dir = TemporaryDirectory()
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        let r = try run(dir, Self.friday2, at: "2024-11-20T10:00:00+01:00", config: config(dir, ["municipalities = 101"]))
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("a replay of an old batch: no deadline judged") && !r.stdout.contains("minutes after"), "\(r.stdout)")
    }

    // MARK: 4. A short mail, headline first

    @Test func aNationalFridayWithProblemsIsAShortMail() throws {
        let dir = TemporaryDirectory()
        let all = CodeListCatalog.standard.municipalities.keys.sorted()
        for k in all {
            dir.write(DeliveryName(kind: .amfora, komnr: k, batchDate: Self.friday1).fileName, lines: Self.measures(k, 30), inSubdirectory: Self.friday1.iso)
        }
        _ = try run(dir, Self.friday1, at: "2024-11-01T03:00:00+01:00")
        let failed = Array(all[0..<8]), held = Array(all[8..<16]), absent = Array(all[16..<19])
        for k in all where !absent.contains(k) {
            var lines = Self.measures(k, held.contains(k) ? 5 : 30)
            if failed.contains(k) { lines[29] = String(lines[29].prefix(50)) }
            let path = dir.write(DeliveryName(kind: .amfora, komnr: k, batchDate: Self.friday2).fileName, lines: lines, inSubdirectory: Self.friday2.iso)
            if failed.contains(k) { truncate(path, off_t(lines.dropLast().map { $0.utf8.count + 1 }.reduce(0, +) + 50)) }
        }
        for i in 0..<15 { dir.write("AMFORA_101_2024110\(i % 8).txt.old\(i)", lines: ["x"], inSubdirectory: Self.friday2.iso) }
        let r = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00")
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count <= 20, "\(lines.count) lines:\n\(r.stdout)")
        #expect(lines.first?.hasPrefix("amfora batch 2024-11-08: 79 deliveries loaded, 8 held, 8 failed,") == true, "\(r.stdout)")
        #expect(lines.first?.contains("no delivery from 3 municipalities") == true)
        let names = CodeListCatalog.standard.municipalities
        for k in absent { #expect(r.stdout.contains("\(ValidationOutput.pad3(k)) \(names[k]!)"), "\(k) named") }
        #expect(lines.filter { $0.hasPrefix("FAILED") }.count == 5 && r.stdout.contains("… and 3 more failed"))
        #expect(r.stdout.contains("other files in the inbox: 15,"))
        #expect(lines.last?.hasPrefix("report: ") == true)
        #expect(!r.stdout.contains("held: held") && !r.stdout.contains("not a delivery: not a delivery"))
    }

    // MARK: 6. No phantom batches

    @Test func aTuesdayRerunSpeaksOfTheLastBatchAndCreatesNoOther() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        _ = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        let tuesday = Self.at("2024-11-12T10:00:00+01:00")
        let fixed = dir.write("AMFORA_101_20241108.txt", lines: Self.measures(101, 4), inSubdirectory: "fix")
        let rerun = try CLI.run(["rerun", "--municipality", "101", "--file", fixed, "--warehouse", dir.file("w.sqlite"),
                                 "--reports", dir.file("reports"), "--config", conf], environment: tuesday)
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        for command in [["status"], ["report", "--reports", dir.file("reports")], ["resume", "--source", dir.file(Self.friday2.iso)]] {
            _ = try CLI.run(command + ["--warehouse", dir.file("w.sqlite"), "--config", conf], environment: tuesday)
        }
        #expect(try db(dir).scalar("SELECT count(*) FROM run") == 1, "no batch for 2024-11-15")
        #expect(try db(dir).scalar("SELECT count(*) FROM v_activity") == 4)
        let future = try CLI.run(["status", "--warehouse", dir.file("w.sqlite"), "--batch-date", "2024-11-22"], environment: tuesday)
        #expect(future.status == 2 && future.stderr.contains("after the coming Friday"), "\(future.stderr)")
        let thursday = try CLI.run(["run", "--source", dir.path, "--warehouse", dir.file("w.sqlite"), "--batch-date", "2024-11-07"], environment: tuesday)
        #expect(thursday.status == 2 && thursday.stderr.contains("not a Friday"))
    }

    /// `resume` without a date finds the batch a killed pass left, and finishes what it left pending.
    @Test func resumeFinishesWhatAKilledPassLeft() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101, 147"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: Self.friday2).fileName, lines: Self.measures(147, 3, from: 9), inSubdirectory: Self.friday2.iso)
        // The fault point just after the first delivery's commit, from a traced run of the same batch.
        let traced = TemporaryDirectory()
        let trace = traced.file("trace")
        _ = try CLI.run(["run", "--source", dir.file(Self.friday2.iso), "--batch-date", Self.friday2.iso, "--warehouse", traced.file("w.sqlite"),
                         "--reports", traced.file("reports"), "--config", conf],
                        environment: Self.at("2024-11-08T03:30:00+01:00").merging(["AMFORA_FAULT_TRACE": trace]) { $1 })
        let point = try #require(try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .first { $0.hasSuffix("parse → validate → load\tafter commit") }?.split(separator: "\t").first)
        var env = Self.at("2024-11-08T03:30:00+01:00")
        env["AMFORA_FAULT_KILL_AT"] = String(point)
        let killed = try CLI.run(["run", "--source", dir.file(Self.friday2.iso), "--batch-date", Self.friday2.iso, "--warehouse", dir.file("w.sqlite"),
                                  "--reports", dir.file("reports"), "--config", conf], environment: env)
        #expect(killed.status == 9 || killed.status == 137 || killed.stdout.isEmpty, "killed: \(killed.status)")
        #expect(try db(dir).scalar("SELECT count(*) FROM pending_reconcile") ?? 0 >= 1, "the kill left work pending")
        let resumed = try CLI.run(["resume", "--source", dir.file(Self.friday2.iso), "--warehouse", dir.file("w.sqlite"),
                                   "--reports", dir.file("reports"), "--config", conf], environment: Self.at("2024-11-08T03:40:00+01:00"))
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try db(dir).scalar("SELECT count(*) FROM pending_reconcile") == 0)
        #expect(try db(dir).scalar("SELECT count(*) FROM pending_writedown") == 0)
        #expect(try db(dir).scalar("SELECT count(*) FROM v_reconciliation_summary WHERE batch_date = '2024-11-08'") == 2)
        let nothing = try CLI.run(["resume", "--warehouse", dir.file("w.sqlite"), "--config", conf], environment: Self.at("2024-11-08T03:50:00+01:00"))
        #expect(nothing.stdout.contains("nothing to resume"), "\(nothing.stdout)")
    }

    // MARK: 7 and 8. One policy; status

    /// A delivery with a duplicate identity and a few rejects below the threshold: the exit code,
    /// summary.json, status's exit code and its JSON all say that nobody is needed.
    @Test func everyOutputAsksTheSamePolicy() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101"])
        var lines = Self.measures(101, 40)
        lines.append(lines[0])                                          // the same identity twice
        lines.append(LineBuilder.activation(["Timetal": "00"]).text)    // one quarantined line of 42: below 5 %
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: lines, inSubdirectory: Self.friday2.iso)
        let r = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(!r.stdout.contains("rejects"), "below the threshold: not in the mail")
        let summary = try String(contentsOfFile: dir.file("reports/2024-11-08/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"needs_person\":false"), "\(summary)")
        let status = try CLI.run(["status", "--warehouse", dir.file("w.sqlite"), "--config", conf, "--json"], environment: Self.at("2024-11-08T04:00:00+01:00"))
        #expect(status.status == 0)
        func facts(_ json: String) throws -> NSDictionary {
            let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            return o.filter { $0.key != "generated_at" } as NSDictionary
        }
        #expect(try facts(status.stdout) == facts(summary), "status --json gives summary.json's facts")

        // With a threshold of 1 % the same line needs a person, everywhere.
        let strict = config(dir, ["municipalities = 101", "reject_threshold = 0.01"])
        let s2 = try CLI.run(["status", "--warehouse", dir.file("w.sqlite"), "--config", strict], environment: Self.at("2024-11-08T04:00:00+01:00"))
        #expect(s2.status == 1 && s2.stdout.contains("rejects above the threshold"), "\(s2.stdout)")
    }

    @Test func statusForOneMunicipalityWrapsItsMessages() throws {
        let dir = TemporaryDirectory()
        let conf = config(dir, ["municipalities = 101, 147"])
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: Self.friday2).fileName, lines: Self.measures(101, 3), inSubdirectory: Self.friday2.iso)
        let cut = Self.measures(147, 2, from: 10)
        let path = dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: Self.friday2).fileName, lines: cut, inSubdirectory: Self.friday2.iso)
        truncate(path, off_t(cut[0].utf8.count + 1 + 30))
        _ = try run(dir, Self.friday2, at: "2024-11-08T03:30:00+01:00", config: conf)
        var env = Self.at("2024-11-08T04:00:00+01:00")
        env["COLUMNS"] = "70"
        let s = try CLI.run(["status", "--warehouse", dir.file("w.sqlite"), "--config", conf, "--municipality", "147"], environment: env)
        #expect(s.status == 1)
        let lines = s.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 70 }, "\(s.stdout)")
        #expect(s.stdout.contains("147 Frederiksberg") && !s.stdout.contains("\n101 København"), "\(s.stdout)")
        #expect(s.stdout.contains("cut short in transfer"))
    }

    // MARK: 9. Help that shows how

    @Test func everyCommandsHelpHasAnExampleAndOnlyItsOptions() throws {
        for command in ["validate", "fetch", "run", "rerun", "resume", "accept", "report", "status"] {
            let r = try CLI.run([command, "--help"])
            #expect(r.stdout.contains("Example:\n  amfora \(command)"), "\(command)")
        }
        let status = try CLI.run(["status", "--help"]).stdout
        for ftp in ["--source", "--allow-plaintext", "--netrc-file", "--ca-file", "--inbox", "--reports"] {
            #expect(!status.contains(ftp), "status lists \(ftp)")
        }
    }
}

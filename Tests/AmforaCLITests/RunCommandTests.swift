import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// Exit codes of interfaces.md: 0 all done, 1 a person is needed, 2 the job could not work.
@Suite struct RunCommandTests {
    @Test func couldNotWorkIsTwoWithAMessage() throws {
        let dir = TemporaryDirectory()
        let missing = try CLI.run(["run", "--source", dir.file("nowhere"), "--warehouse", dir.file("w.sqlite")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("does not exist"))
        let notFriday = try CLI.run(["run", "--source", dir.path, "--batch-date", "2024-11-07"])
        #expect(notFriday.status == 2)
        #expect(notFriday.stderr.contains("not a Friday"))
        let secret = dir.file("amfora.conf")
        try "password = hunter2\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["run", "--config", secret, "--source", dir.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("credentials"))
        #expect(!refused.stderr.contains("hunter2"))
    }

    @Test func aSecondRunWhileTheLockIsHeldSaysWhoAndExitsTwo() throws {
        let dir = TemporaryDirectory()
        let held = try RunLock(warehouse: dir.file("w.sqlite"), purpose: "batch 2024-11-08")
        let r = try CLI.run(["run", "--source", dir.path, "--batch-date", "2024-11-08", "--warehouse", dir.file("w.sqlite")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pid \(getpid())"), "\(r.stderr)")
        withExtendedLifetime(held) {}
    }

    @Test func aCleanOnTimeBatchIsZeroAndQuietUnderCron() throws {
        let dir = TemporaryDirectory()
        let batch = Day(iso: "2024-11-08")!
        let thursdayNight = ["AMFORA_TEST_NOW": "2024-11-08T03:30:00+01:00"]  // the run's clock: on time, whatever today is
        // Every municipality delivers every kind, all clean: nothing for a person to do.
        for (komnr, _) in CodeListCatalog.standard.municipalities {
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: batch).fileName,
                      lines: [LineBuilder.activation(["Komnr": ValidationOutput.pad3(komnr)]).text], inSubdirectory: "inbox")
            for kind in [RecordKind.hjaelp1, .hjaelp2] {
                dir.write(DeliveryName(kind: kind, komnr: komnr, batchDate: batch).fileName,
                          lines: [LineBuilder.aid(["Komnr": ValidationOutput.pad3(komnr)]).text], inSubdirectory: "inbox")
            }
        }
        let r = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", batch.iso, "--warehouse", dir.file("w.sqlite"),
                             "--reports", dir.file("reports")], environment: thursdayNight)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2, "a good Friday prints the headline and the report: \(r.stdout)")
        #expect(lines.first?.hasPrefix("amfora batch 2024-11-08: 294 deliveries loaded, 0 held, 0 failed, 0 stale — on time: complete 2 h 30 min before 06:00") == true, "\(r.stdout)")
        #expect(r.stderr.isEmpty, "no progress lines without a terminal")
        // A catch-up pass with nothing new says nothing, and still exits 0.
        let again = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", batch.iso, "--warehouse", dir.file("w.sqlite"),
                                 "--reports", dir.file("reports")], environment: ["AMFORA_TEST_NOW": "2024-11-08T06:30:00+01:00"])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stdout)")
    }
}

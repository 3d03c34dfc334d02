import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// A real `kill -9` of a real `amfora run` in the middle of a load: the warehouse must be
/// exactly as before that load, and running the same command again completes the batch.
@Suite struct KillMidLoadTests {
    func state(_ path: String) throws -> [Int64] {
        let db = try Database(path: path, readOnly: true)
        return try ["SELECT count(*) FROM activity", "SELECT count(*) FROM delivery WHERE status = 'loaded'",
                    "SELECT count(*) FROM writedown", "SELECT count(*) FROM reject", "SELECT coalesce(sum(version_id), 0) FROM activity"]
            .map { try db.scalar($0) ?? -1 }
    }

    @Test func killedMidLoadLeavesTheWarehouseAsItWas() throws {
        let dir = TemporaryDirectory()
        let friday1 = Day(iso: "2024-11-01")!, friday2 = Day(iso: "2024-11-08")!
        let warehouse = dir.file("w.sqlite")
        func run(_ day: Day) throws -> Process {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["run", "--source", dir.file(day.iso), "--batch-date", day.iso, "--warehouse", warehouse,
                           "--reports", dir.file("reports")]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // Last Friday: another municipality. This Friday's large delivery is København's first
        // dataset, which streams into its transaction line by line (a delivery matched against an
        // earlier dataset is prepared beforehand and written in a moment; its transaction's
        // all-or-nothing is tested in PreparedDeliveryTests, with a full disk and with a hold).
        dir.write(DeliveryName(kind: .amfora, komnr: 147, batchDate: friday1).fileName,
                  lines: [LineBuilder.activation(["Komnr": "147"]).text], inSubdirectory: friday1.iso)
        let first = try run(friday1)
        first.waitUntilExit()
        let before = try state(warehouse)
        #expect(before[0] == 1)

        // A large delivery: long enough in a debug build that the kill lands inside the load.
        let template = LineBuilder.activation(["CPRnr": "XXXXXXXXXX", "Navn": "Ærø Æblemost"]).text
        let lines = (0..<30_000).map { i in template.replacingOccurrences(of: "XXXXXXXXXX", with: String(format: "0303%06d", i)) }
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: friday2).fileName, lines: lines, inSubdirectory: friday2.iso)
        let victim = try run(friday2)
        // Wait until the child is inside a long write transaction — the load — and kill it there
        // without warning. A writer holds SQLite's write lock for the whole transaction, so a probe
        // that cannot take the lock for a while sees the load under way.
        let probe = try Database(path: warehouse)
        try probe.execute("PRAGMA busy_timeout = 0")
        var busySince: Date?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, victim.isRunning {
            if (try? probe.execute("BEGIN IMMEDIATE; ROLLBACK")) == nil {
                if let since = busySince, Date().timeIntervalSince(since) > 0.3 { break }
                busySince = busySince ?? Date()
            } else {
                busySince = nil
            }
            usleep(10_000)
        }
        #expect(victim.isRunning, "the load finished before it could be killed; make the file larger")
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)

        let killed = try state(warehouse)
        #expect(killed == before, "\(killed) vs \(before)")

        // The same command again completes the batch (the lock died with its holder).
        let again = try run(friday2)
        again.waitUntilExit()
        #expect(again.terminationStatus == 0 || again.terminationStatus == 1)
        let after = try state(warehouse)
        #expect(after[0] == 30_001)
        #expect(after[1] == 2)
    }
}

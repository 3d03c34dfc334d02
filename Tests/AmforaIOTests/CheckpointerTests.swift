@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

@Suite struct CheckpointerTests {
    func walBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size]) as? NSNumber)?.intValue ?? 0
    }

    /// Writes 200 transactions of about 100 pages each with SQLite's own checkpoints off.
    func write(_ db: Database, between: () -> Void) throws {
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        let s = try db.prepare("INSERT INTO t (v) VALUES (randomblob(4000))")
        for _ in 0..<200 {
            between()
            try db.transaction { for _ in 0..<100 { try s.run() } }
        }
    }

    @Test func theLogStaysSmallWhileAnotherThreadCopiesIt() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let w = try Warehouse(path: path)
        try w.db.automaticCheckpoints(every: 0)
        let checkpointer = Checkpointer(path: path, limit: 1000, interval: 0.001)
        var most: Int32 = 0
        try write(w.db) {
            most = max(most, w.db.logFrames)
            checkpointer.keepLogSmall(w.db)
        }
        checkpointer.stop()
        // 20,000 pages were written (see the test below: the log would hold them all). Whenever
        // the log passed 1,000 frames the writer waited for the copying, so the log was started
        // again and never held more than the limit and one transaction (about 100 pages) —
        // whatever the other thread's pace, since the writer's own count decides.
        #expect(most > 1000, "the limit was reached, so the mechanism was exercised")
        #expect(most <= 1000 + 110, "\(most) frames in the log")
        #expect(walBytes(path) <= (1000 + 110) * 4120)
        #expect(try w.db.scalar("SELECT count(*) FROM t") == 20_000)
    }

    @Test func withoutItTheLogGrowsWithEveryPage() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let w = try Warehouse(path: path)
        try w.db.automaticCheckpoints(every: 0)
        try write(w.db) {}
        #expect(walBytes(path) > 19_000 * 4096)
        #expect(w.db.logFrames > 19_000, "the writer's own count sees the same")
    }
}

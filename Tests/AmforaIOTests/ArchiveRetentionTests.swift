import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The archive keeps what `accept` may still read (every held delivery's file) and the last
/// weeks' files; an older file is deleted only when no batch in the window names it, and only
/// as a regular file of the archive's own.
@Suite struct ArchiveRetentionTests {
    let latest = Day(iso: "2026-11-27")!

    @Test func oldFilesGoHeldOnesAndTheWindowsStay() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let archive = try DeliveryArchive(forWarehouse: w.path)
        func sha(_ n: Int) -> String { String(repeating: String(n, radix: 16), count: 64) }
        func file(_ n: Int, bytes: Int = 100) throws {
            let path = archive.path(for: sha(n))
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(repeating: 0x41, count: bytes).write(to: URL(fileURLWithPath: path))
        }
        func delivery(_ n: Int, weeksAgo: Int, komnr: Int, status: String = "loaded") throws {
            let s = try w.db.prepare("INSERT INTO delivery (batch_date, komnr, kind, status, sha256) VALUES (?, ?, 'AMFORA', ?, ?)")
            try s.bind([.int(Int64((latest + -7 * weeksAgo).ordinal)), .int(Int64(komnr)), .text(status), .text(sha(n))])
            try s.run()
        }
        try file(1, bytes: 300); try delivery(1, weeksAgo: 5, komnr: 101)               // old: goes
        try file(2); try delivery(2, weeksAgo: 5, komnr: 147, status: "held")          // old but held: stays
        try file(3); try delivery(3, weeksAgo: 5, komnr: 151); try delivery(3, weeksAgo: 1, komnr: 151)  // redelivered lately: stays
        try file(4); try delivery(4, weeksAgo: 2, komnr: 101)                          // within the window: stays
        try file(7); try delivery(7, weeksAgo: 0, komnr: 101)                          // this Friday's: stays
        try file(5)                                                                     // named by no delivery: stays
        try delivery(6, weeksAgo: 6, komnr: 153)                                        // a link where the file was: not followed
        let target = dir.file("elsewhere")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createDirectory(atPath: (archive.path(for: sha(6)) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: archive.path(for: sha(6)), withDestinationPath: target)

        let r = try ArchiveRetention.apply(w.db, archive: archive, keepWeeks: 3)
        #expect(r.cutoff == latest + -21)
        #expect(r.deleted == 1 && r.bytes == 300 && r.kept == 4)
        let exists = (1...5).map { FileManager.default.fileExists(atPath: archive.path(for: sha($0))) }
        #expect(exists == [false, true, true, true, true])
        #expect(FileManager.default.fileExists(atPath: target))
        #expect(ArchiveRetention.line(r, keepWeeks: 3) == "archive: 1 delivery files of batches before 2026-11-06 deleted (300 bytes), 4 kept (the last 3 weeks' and every held delivery's)")
        // Again: nothing more to delete.
        #expect(try ArchiveRetention.apply(w.db, archive: archive, keepWeeks: 3).deleted == 0)
    }

    @Test func theWindowIsAConfiguredNumberOfWeeksAndAbsurdOnesAreRefused() throws {
        #expect(try RunConfig(text: "archive.keep_weeks = 26").archiveKeepWeeks == 26)
        #expect(RunConfig().archiveKeepWeeks == ArchiveRetention.defaultWeeks)
        for absurd in ["0", "-3", "100000", "1e9", "x"] {
            #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "archive.keep_weeks = \(absurd)") }
        }
    }
}

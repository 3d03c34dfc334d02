import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// `amfora disclose`'s stage: the extracts of a batch from the dataset in force for it, proved
/// against an independent computation over the same rows; the same warehouse gives the same
/// bytes; files owner-only; every disclosure logged in `v_disclosure`.
@Suite struct DisclosureStageTests {
    struct Row {
        let version: Int, cpr: String, foranstalt: Int, start: String, end: String, hours: Int, first: Int, closed: Int?
    }

    let batch = Day(iso: "2026-11-27")!

    /// Persons around every boundary, with measures in force, removed before the batch, first
    /// seen after it, and personal assistance beside other measures.
    func rows() -> [Row] {
        let b = Int(batch.ordinal), earlier = b - 7, later = b + 7
        var out: [Row] = []
        var v = 0
        func add(_ cpr: String, _ f: Int, _ s: String, _ e: String, hours: Int = 20, first: Int? = nil, closed: Int? = nil) {
            v += 1
            out.append(Row(version: v, cpr: cpr, foranstalt: f, start: s, end: e, hours: hours, first: first ?? earlier, closed: closed))
        }
        add("2811085123", 110, "2026-01-05", "2026-12-31")                 // 18 tomorrow: uvm
        add("2711085123", 110, "2026-01-05", "2026-12-31")                 // 18 today: not uvm
        add("0303105123", 175, "2026-01-05", "2026-12-31")                 // personal assistance: no one
        add("0303105123", 120, "2026-02-02", "2026-12-31", hours: 30)      // … the same child's other measure: uvm
        add("0101461234", 139, "2009-06-01", "2010-01-01")                 // cohort, touches 2010: atp-skat
        add("3112451234", 139, "2012-01-01", "2012-12-31")                 // born 1945: not
        add("3112521234", 139, "2016-12-31", "2017-03-31")                 // born 1952, touches 2016: atp-skat
        add("0101531234", 139, "2012-01-01", "2012-12-31")                 // born 1953: not
        add("0505505234", 139, "2012-01-01", "2012-12-31")                 // 7th digit 5: born 2050, not
        add("0505501234", 139, "2017-01-01", "2017-12-31")                 // starts 2017: not
        add("0505501234", 139, "2009-01-01", "2009-12-31")                 // ends 2009: not
        add("0505501234", 175, "2012-01-01", "2012-12-31")                 // personal assistance wage… never
        add("0606601234", 110, "2026-01-05", "2026-06-30", hours: 30)      // overlaps: written down in dst
        add("0606601234", 140, "2026-03-02", "2026-09-30", hours: 30)
        add("0707701234", 110, "2026-01-05", "2026-06-30", closed: b)       // removed in this batch: not in force
        add("0707701234", 110, "2026-01-05", "2026-07-31", first: b)        // its replacement
        add("0808801234", 110, "2026-01-05", "2026-06-30", closed: later)   // stale in a later batch: in force
        add("0909901234", 110, "2026-01-05", "2026-06-30", first: later)    // first seen after the batch: not
        return out
    }

    func warehouse(_ dir: borrowing TemporaryDirectory) throws -> Warehouse {
        let w = try Warehouse(path: dir.file("w.sqlite"))
        let s = try w.db.prepare("""
            INSERT INTO activity (version_id, activity_id, content_hash, cprnr, komnr, foranstalt, startdt, slutdt, timetal, navn,
                                  first_batch, closed_in, last_batch, source_file, line_no)
            VALUES (?, ?, 0, ?, 101, ?, ?, ?, ?, 'Firma; "Navn"', ?, ?, ?, 'f', 1)
            """)
        for r in rows() {
            try s.bind([.int(Int64(r.version)), .int(Int64(1000 + r.version)), .int(Int64(r.cpr)!), .int(Int64(r.foranstalt)),
                        .int(Int64(Day(iso: r.start)!.ordinal)), .int(Int64(Day(iso: r.end)!.ordinal)), .int(Int64(r.hours)),
                        .int(Int64(r.first)), r.closed.map { .int(Int64($0)) } ?? .null, r.closed.map { .int(Int64($0 - 7)) } ?? .null])
            try s.run()
        }
        return w
    }

    /// The independent computation: from the CPR digits and the dates as text.
    func expected(_ recipient: Recipient) -> [String] {
        let b = Int(batch.ordinal)
        let inForce = rows().filter { $0.first <= b && ($0.closed.map { $0 > b } ?? true) && $0.foranstalt != 175 }
        func born(_ cpr: String) -> (Int, Int, Int) {
            let d = Int(cpr.prefix(2))!, m = Int(cpr.dropFirst(2).prefix(2))!, yy = Int(cpr.dropFirst(4).prefix(2))!
            let seventh = Int(String(cpr[cpr.index(cpr.startIndex, offsetBy: 6)]))!
            let century = seventh <= 3 ? 1900 : (seventh == 4 || seventh == 9) ? (yy <= 36 ? 2000 : 1900) : (yy <= 57 ? 2000 : 1800)
            return (century + yy, m, d)
        }
        let sorted = inForce.sorted { ($0.cpr, $0.start, $0.foranstalt) < ($1.cpr, $1.start, $1.foranstalt) }
        switch recipient {
        case .uvm:
            return sorted.filter { r in
                let (y, m, d) = born(r.cpr)
                return (y + 18, m, d) > (2026, 11, 27)
            }.map { "\($0.cpr);\($0.foranstalt);\($0.start);\($0.end)" }
        case .atpSkat:
            return sorted.filter { r in
                let (y, _, _) = born(r.cpr)
                return (1946...1952).contains(y) && r.foranstalt == 139 && r.start <= "2016-12-31" && r.end >= "2010-01-01"
            }.map { "\($0.cpr);\($0.start);\($0.end)" }
        case .dst:
            return sorted.map { "\($0.cpr);\($0.foranstalt);\($0.start)" }
        }
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func theExtractsAreWhatTheRulesGiveAndTheSameWarehouseGivesTheSameBytes() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir)
        let out = dir.file("out")
        let request = DisclosureStage.Request(batch: batch, recipients: Recipient.allCases, out: out, codes: DisclosureCodes())
        let first = try DisclosureStage.run(w.db, request, now: "2026-11-27T07:00:00+01:00")
        let byRecipient = Dictionary(uniqueKeysWithValues: first.map { ($0.recipient, $0) })
        let uvm = try lines(byRecipient[.uvm]!.csv)
        #expect(uvm.first == "cpr;foranstalt;startdt;slutdt")
        #expect(Array(uvm.dropFirst()) == expected(.uvm))
        // The boundary child, the other child's measure beside 175, and the number whose 7th
        // digit makes it a birth in 2050 (under 18 by the rule; the validator never lets one in).
        #expect(uvm.count == 4)
        let atp = try lines(byRecipient[.atpSkat]!.csv)
        #expect(atp.first == "cpr;startdt;slutdt")
        #expect(Array(atp.dropFirst()) == expected(.atpSkat))
        #expect(atp.count == 3)
        let dst = try lines(byRecipient[.dst]!.csv)
        #expect(dst.first!.hasPrefix("cpr;komnr;foranstalt;startdt;slutdt;timetal;"))
        #expect(dst.first!.hasSuffix(";holdid;hours_written_down"))
        #expect(dst.dropFirst().map { $0.split(separator: ";").prefix(4).enumerated().filter { $0.offset != 1 }.map(\.element).joined(separator: ";") }
                == expected(.dst))
        #expect(dst.dropFirst().allSatisfy { $0.contains(";\"Firma; \"\"Navn\"\"\";") })
        // 30 + 30 hours overlap from 2026-03-02 to 2026-06-30: both written down in part.
        let written = dst.filter { $0.hasPrefix("0606601234") }.map { Double($0.split(separator: ";").last!)! }
        #expect(written.count == 2 && written.allSatisfy { $0 < 30 && $0 > 18.5 })
        #expect(byRecipient[.uvm]!.persons == 3 && byRecipient[.atpSkat]!.persons == 2)
        // Owner-only, and the manifest's SHA-256 is the file's.
        var st = stat()
        #expect(lstat(out, &st) == 0 && st.st_mode & 0o777 == 0o700)
        for e in first {
            #expect(lstat(e.csv, &st) == 0 && st.st_mode & 0o777 == 0o600)
            #expect(lstat(e.manifest, &st) == 0 && st.st_mode & 0o777 == 0o600)
            #expect(try FileDigest.of(path: e.csv) == e.sha256)
            #expect(try String(contentsOfFile: e.manifest, encoding: .utf8).contains("\"sha256\": \"\(e.sha256)\""))
        }
        // Again: the same bytes, and logged again.
        let again = try DisclosureStage.run(w.db, request, now: "2026-11-27T08:00:00+01:00")
        #expect(again.map(\.sha256) == first.map(\.sha256))
        #expect(try w.db.scalar("SELECT count(*) FROM v_disclosure WHERE batch_date = '2026-11-27'") == 6)
        #expect(try w.db.scalar("SELECT count(*) FROM v_disclosure WHERE recipient = 'uvm' AND legal_basis = '§54 stk. 4' AND rows = 3 AND persons = 3") == 2)
        // No half file, no leftover under a temporary name.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
            "atp-skat_20261127.csv", "atp-skat_20261127.manifest.json", "dst_20261127.csv", "dst_20261127.manifest.json",
            "uvm_20261127.csv", "uvm_20261127.manifest.json"])
    }

    @Test func anOutputThatIsALinkIsRefused() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir)
        try FileManager.default.createDirectory(atPath: dir.file("elsewhere"), withIntermediateDirectories: true)
        symlink(dir.file("elsewhere"), dir.file("out"))
        let request = DisclosureStage.Request(batch: batch, recipients: [.uvm], out: dir.file("out"), codes: DisclosureCodes())
        #expect(throws: ReportError.self) { _ = try DisclosureStage.run(w.db, request, now: "x") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("elsewhere")).isEmpty)
        #expect(try w.db.scalar("SELECT count(*) FROM disclosure") == 0)
    }
}

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
                return (y + 18, m, d) > (2026, 11, 27) && (y, m, d) <= (2026, 11, 27)
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
        // Danmarks Statistik's pass runs in two halves by CPR number, on two connections: the
        // order and the contents below prove their joining only while both halves have persons.
        #expect(rows().contains { Int64($0.cpr)! < 1_600_000_000 } && rows().contains { Int64($0.cpr)! >= 1_600_000_000 })
        #expect(w.db.canOpenAnother)
        let out = dir.file("out")
        let request = DisclosureStage.Request(batch: batch, recipients: Recipient.allCases, out: out, codes: DisclosureCodes())
        let first = try DisclosureStage.run(w.db, request, now: "2026-11-27T07:00:00+01:00")
        let byRecipient = Dictionary(uniqueKeysWithValues: first.map { ($0.recipient, $0) })
        let uvm = try lines(byRecipient[.uvm]!.csv)
        #expect(uvm.first == "cpr;foranstalt;startdt;slutdt")
        #expect(Array(uvm.dropFirst()) == expected(.uvm))
        // The boundary child and the other child's measure beside 175; not the number whose 7th
        // digit makes it a birth in 2050, after the batch (the validator never lets one in).
        #expect(uvm.count == 3)
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
        #expect(byRecipient[.uvm]!.persons == 2 && byRecipient[.atpSkat]!.persons == 2)
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
        #expect(try w.db.scalar("SELECT count(*) FROM v_disclosure WHERE recipient = 'uvm' AND legal_basis = '§54 stk. 4' AND rows = 2 AND persons = 2") == 2)
        // No half file, no leftover under a temporary name.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
            "atp-skat_20261127.csv", "atp-skat_20261127.manifest.json", "dst_20261127.csv", "dst_20261127.manifest.json",
            "uvm_20261127.csv", "uvm_20261127.manifest.json"])
    }

    /// The passes sort with SQLite's default page cache, which bounds the sort's memory before
    /// it spills (the warehouse's 256 MB made the national peak 584 MB); the warehouse has its
    /// own back afterwards, and the same bytes either way.
    @Test func theExtractIsSortedInASmallCacheAndTheWarehousesIsRestored() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir)
        let warehouseCache = try w.db.scalar("PRAGMA cache_size")
        #expect(warehouseCache == -262_144)
        let inside = try w.db.withCache(kibibytes: 2000) { try w.db.scalar("PRAGMA cache_size") }
        #expect(inside == -2000)
        let request = DisclosureStage.Request(batch: batch, recipients: [.dst], out: dir.file("small"), codes: DisclosureCodes())
        let small = try DisclosureStage.run(w.db, request, now: "2026-11-27T07:00:00+01:00")
        #expect(try w.db.scalar("PRAGMA cache_size") == warehouseCache)
        var wide = request
        wide.out = dir.file("wide")
        let large = try w.db.withScratchOnDisk { try DisclosureStage.extract(w.db, wide, now: "2026-11-27T07:00:00+01:00") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: small[0].csv)) == Data(contentsOf: URL(fileURLWithPath: large[0].csv)))
    }

    @Test func rowsNotSortedByPersonWriteNothing() throws {
        let dir = TemporaryDirectory()
        let w = try warehouse(dir)
        let request = DisclosureStage.Request(batch: batch, recipients: [.dst], out: dir.file("out"), codes: DisclosureCodes())
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let unsorted = InForce.query(layout, wide: true).replacingOccurrences(of: "ORDER BY a.cprnr,", with: "ORDER BY a.cprnr DESC,")
        var part = [try ExtractPart(recipient: .dst, beside: dir.file("dst.csv"))]
        #expect(throws: DisclosureOrderError.self) {
            try DisclosureStage.pass(w.db, unsorted, request, .wide(layout), into: &part, [0])
        }
        // Sorted, the same pass takes every measure in force but personal assistance.
        try DisclosureStage.pass(w.db, InForce.query(layout, wide: true), request, .wide(layout), into: &part, [0])
        #expect(part[0].rows == expected(.dst).count)
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

    /// The narrowed reading of uvm and atp-skat may only ever leave out rows the rule would not
    /// take: on random CPR numbers (every century digit), codes, dates and batches, every row
    /// `includes` takes meets the SQL condition the stage reads with.
    @Test func theNarrowedReadingNeverLosesARowTheRuleTakes() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("narrowing.sqlite"))
        try db.execute("CREATE TABLE a (cprnr INTEGER, foranstalt INTEGER, startdt INTEGER, slutdt INTEGER)")
        var g = SplitMix64(seed: 54)
        let rule = DisclosureRule()
        var taken = 0
        for _ in 0..<3000 {
            let born = Day(year: Int.random(in: 1900...2040, using: &g), month: Int.random(in: 1...12, using: &g), day: Int.random(in: 1...28, using: &g))!
            let (y, m, d) = born.components
            let number = ((d * 100 + m) * 100 + y % 100) * 10_000 + Int.random(in: 0...9999, using: &g)
            let foranstalt = [110, 139, 140, 175].randomElement(using: &g)!
            let start = Day(year: Int.random(in: 2005...2030, using: &g), month: 1, day: 1)! + Int.random(in: 0...364, using: &g)
            let end = start + Int.random(in: 0...900, using: &g)
            let batch = Day(year: Int.random(in: 2019...2035, using: &g), month: 6, day: 1)! + Int.random(in: 0...200, using: &g)
            for r in [Recipient.uvm, .atpSkat] where rule.includes(r, cpr: number, foranstalt: foranstalt, start: start, end: end, batch: batch) {
                taken += 1
                try db.execute("DELETE FROM a")
                try db.execute("INSERT INTO a VALUES (\(number), \(foranstalt), \(start.ordinal), \(end.ordinal))")
                let met = try db.scalar("SELECT count(*) FROM a WHERE \(InForce.narrowing(r, batch: batch, codes: DisclosureCodes()))")
                #expect(met == 1, "\(r) takes a person born \(born.iso) (digits \(number / 10000 % 100)) on \(batch.iso), the reading does not")
            }
        }
        #expect(taken > 100, "the random rows reach both rules")
    }

    /// The extract's numbers and dates are written byte by byte for speed; they must read as the
    /// slow, obvious formatting does (String(format: "%.6f") trimmed, `Day.iso`, zero-padded).
    @Test func bytesWrittenInPlaceReadAsTheObviousFormatting() {
        var g = SplitMix64(seed: 2)
        func text(_ f: (inout [UInt8]) -> Void) -> String {
            var out: [UInt8] = []
            f(&out)
            return String(decoding: out, as: UTF8.self)
        }
        let edges: [Double] = [0, 37, 18.5, 0.1234567, 12.000001, 36.9999996, 1e-7, 13.9453125, 0.0000005, 0.0000015]
        // Multiples of 2⁻²⁰ hit exact ties of the sixth decimal, as the write-down's rates do.
        let dyadic: [Double] = (0..<2000).map { _ in Double(Int.random(in: 0..<40_000_000, using: &g)) / 1_048_576 }
        let random: [Double] = (0..<5000).map { _ in Double.random(in: 0..<40, using: &g) }
        // Rates as the write-down computes them: hours × 37 / total, and their averages.
        let rates: [Double] = (0..<5000).map { _ in
            let h = Double(Int.random(in: 1...40, using: &g)), t = Double(Int.random(in: 38...120, using: &g))
            let days = Double(Int.random(in: 1...400, using: &g)), part = Double(Int.random(in: 0...400, using: &g))
            return (h * 37 / t * part + h * days) / (part + days)
        }
        for x in edges + dyadic + random + rates {
            #expect(text { InForce.decimal(x, to: &$0) } == DisclosureFiles.decimal(x), "\(x)")
        }
        for _ in 0..<2000 {
            let d = Day(ordinal: Int32.random(in: -25_000...40_000, using: &g))
            #expect(text { InForce.iso(d, to: &$0) } == d.iso)
            let n = Int.random(in: -99_999...9_999_999_999, using: &g), width = Int.random(in: 1...10, using: &g)
            let padded = String(repeating: "0", count: max(0, width - String(n.magnitude).count)) + String(n.magnitude)
            #expect(text { InForce.digits(n, width: width, to: &$0) } == (n < 0 ? "-" : "") + padded)
        }
    }
}

public import AmforaCore
import CSQLite
import Foundation

/// Writes the §54 extracts (`AmforaCore/Disclose`) of one batch from the dataset in force for
/// it, and logs each in the warehouse (`v_disclosure`). Passes over the measures in force,
/// sorted by person by SQLite (whose sort spills to disk rather than holding the rows);
/// each person's measures are written down as the batch had them, then every extract asked for
/// takes the measures its rule lets through. Danmarks Statistik's pass runs in two halves of
/// the persons beside each other (`PassBeside`), joined in order.
public enum DisclosureStage {
    public struct Request: Sendable {
        public var batch: Day
        public var recipients: [Recipient]
        public var out: String
        public var codes: DisclosureCodes
        /// Where each recipient's files are uploaded to once written (none: written only).
        public var targets: [Recipient: DisclosureTarget]

        public init(batch: Day, recipients: [Recipient], out: String, codes: DisclosureCodes,
                    targets: [Recipient: DisclosureTarget] = [:]) {
            self.batch = batch
            self.recipients = recipients
            self.out = out
            self.codes = codes
            self.targets = targets
        }
    }

    /// One extract written: what the manifest and the log say about it.
    public struct Extract: Sendable, Equatable {
        public let recipient: Recipient
        public let csv: String
        public let manifest: String
        public let rows: Int
        public let persons: Int
        public let sha256: String
        public internal(set) var delivery: Delivery = .notAsked

        public var notDelivered: Bool {
            if case .failed = delivery { return true }
            return false
        }
    }

    /// What became of an extract's upload.
    public enum Delivery: Sendable, Equatable {
        case notAsked
        case delivered(to: String)
        /// The files stay written and logged, with no delivery: `amfora disclose … --to` again.
        case failed(to: String, reason: String)
    }

    /// The one line an extract gets in the output and the mail: counts, never a person.
    public static func line(_ e: Extract) -> String {
        let written = "\(e.rows) measures of \(e.persons) persons → \(e.csv)"
        switch e.delivery {
        case .notAsked: return "disclosed to \(e.recipient.rawValue) (\(e.recipient.legalBasis)): \(written)"
        case .delivered(let to): return "disclosed to \(e.recipient.rawValue) (\(e.recipient.legalBasis)): \(written), delivered to \(to)"
        case .failed(let to, let reason):
            return "NOT DELIVERED to \(e.recipient.rawValue) at \(to): \(reason); the extract is written (\(written)), run amfora disclose again to deliver it"
        }
    }

    /// Every pass's page cache in KiB (SQLite's default), which also bounds how much of its sort
    /// SQLite holds before it spills: with the warehouse's 256 MB the national peak was 584 MB;
    /// 16 and 64 MB were no faster nationally (25–29 s, as 2 MB).
    static let sortCache = 2000

    public static func run(_ db: Database, _ request: Request, now: String) throws -> [Extract] {
        // The sort by person spills to files rather than holding ten million rows in memory.
        // (A second sorter thread, PRAGMA threads = 2, saved 2 s of 55 and doubled the memory.)
        try db.withScratchOnDisk { try db.withCache(kibibytes: sortCache) { try extract(db, request, now: now) } }
    }

    static func extract(_ db: Database, _ request: Request, now: String) throws -> [Extract] {
        try DisclosureFiles.makeDirectory(request.out)
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let stamp = DisclosureFiles.stamp(request.batch)
        var writers = try request.recipients.map {
            try ExtractWriter($0, fields: DisclosureRule.fields($0, layout: layout),
                              path: (request.out as NSString).appendingPathComponent("\($0.rawValue)_\(stamp).csv"))
        }
        // Danmarks Statistik's pass reads every measure in force, with every field, and writes
        // each person's down; the others need neither, and read only the few rows whose birth
        // year and (for ATP and SKAT) code and dates can let them in.
        let wide = writers.indices.filter { writers[$0].recipient == .dst }
        let narrow = writers.indices.filter { writers[$0].recipient != .dst }
        let reading = InForce.Reading.wide(layout)
        // The second half of the persons, and the narrow pass, run beside the first half on
        // threads and connections of their own (the run lock keeps writers away, so all read
        // the same data): two cores sort and write, and the kernel shares them out.
        let file = db.canOpenAnother
        let second = try wide.first.flatMap { i in
            file ? PassBeside(db.path, InForce.query(layout, wide: true, half: .second), request, reading,
                              [try ExtractPart(recipient: .dst, beside: writers[i].path)]) : nil
        }
        let narrowSQL = InForce.query(layout, wide: false, only: narrow.map { writers[$0].recipient }, batch: request.batch, codes: request.codes)
        let beside = file && !narrow.isEmpty ? PassBeside(db.path, narrowSQL, request, .narrow, narrow.map { writers[$0] }) : nil
        do {
            if !wide.isEmpty {
                try pass(db, InForce.query(layout, wide: true, half: second == nil ? nil : .first), request, reading, into: &writers, wide)
            }
            if !narrow.isEmpty, beside == nil { try pass(db, narrowSQL, request, .narrow, into: &writers, narrow) }
        } catch {
            _ = try? second?.finish()
            _ = try? beside?.finish()
            throw error
        }
        if let second, let i = wide.first { try writers[i].append(second.finish()[0]) }
        if let beside {
            for (k, i) in narrow.enumerated() { writers[i] = try beside.finish()[k] }
        }
        let run = try db.scalar("SELECT count(*) FROM run WHERE batch_date = ?", [.int(Int64(request.batch.ordinal))]) ?? 0
        var extracts: [Extract] = []
        for i in writers.indices {
            var e = try writers[i].finish(batch: request.batch, createdAt: now, fromRun: run > 0)
            let logged = try DisclosureLog.record(db, e, batch: request.batch, createdAt: now)
            if let target = request.targets[e.recipient] {
                e.delivery = try deliver(e, to: target, logged: logged, db)
            }
            extracts.append(e)
        }
        return extracts
    }

    /// One pass over the rows `sql` selects (sorted by person) into the writers at `chosen`;
    /// `reading` says where the query has each value.
    static func pass<W: ExtractLines>(_ db: Database, _ sql: String, _ request: Request, _ reading: InForce.Reading,
                                      into writers: inout [W], _ chosen: [Int]) throws {
        let dst = !reading.shown.isEmpty
        let rule = DisclosureRule(codes: request.codes)
        var person: Int64?
        var measures: [InForce] = []
        // The person's lines up to their last field, one after the other: one buffer for all,
        // not an array per line (ten million allocations were a good part of the time).
        var prefixes: [UInt8] = []
        prefixes.reserveCapacity(1 << 16)
        func flush() throws {
            guard let p = person, !measures.isEmpty else { return }
            let written = dst ? WriteDown.person(measures.map(\.measure)).map(\.averageHours) : measures.map { _ in 0 }
            for w in chosen {
                var any = false
                let recipient = writers[w].recipient
                for (m, hours) in zip(measures, written)
                where rule.includes(recipient, cpr: Int(p), foranstalt: m.foranstalt, start: m.measure.start, end: m.measure.end, batch: request.batch) {
                    try writers[w].write { m.line(for: recipient, hoursWrittenDown: hours, prefixes: prefixes, to: &$0) }
                    any = true
                }
                if any { writers[w].persons += 1 }
            }
            measures.removeAll(keepingCapacity: true)
            prefixes.removeAll(keepingCapacity: true)
        }
        let rows = try db.prepare(sql)
        try rows.bind([.int(Int64(request.batch.ordinal))])
        while try rows.step() {
            let next = rows.int(reading.person)
            if next != person {
                // A person's measures are written down together: met twice, they would be split.
                if let person, next < person { throw DisclosureOrderError() }
                try flush()  // before the next person's bytes go into the buffer it clears
                person = next
            }
            measures.append(InForce(rows, reading, prefixes: &prefixes))
        }
        try flush()
    }
}

/// The rows did not come sorted by person, as the query asks: no extract is written from them.
struct DisclosureOrderError: Error, CustomStringConvertible {
    var description: String { "the measures in force did not come sorted by person; no extract was written (report this)" }
}

/// A pass (`DisclosureStage.pass`) on a thread and a read-only connection of its own, into
/// writers it hands back when done: Danmarks Statistik's second half into a part the first
/// half's file takes after its own lines, the narrow pass into its recipients' files.
final class PassBeside<W: ExtractLines> {
    private let read: ReadBeside<[W]>

    init(_ path: String, _ sql: String, _ request: DisclosureStage.Request, _ reading: InForce.Reading, _ writers: [W]) {
        read = ReadBeside(path) { db in
            var writers = writers
            try db.withScratchOnDisk {
                try db.withCache(kibibytes: DisclosureStage.sortCache) {
                    try DisclosureStage.pass(db, sql, request, reading, into: &writers, Array(writers.indices))
                }
            }
            for i in writers.indices { try writers[i].passEnded() }
            return writers
        }
    }

    /// Waits for the thread (once); its writers, or the error it met.
    func finish() throws -> [W] { try read.finish() }
}

extension DisclosureStage {
    /// Uploads one extract; the log row says where and when only once both files are in place.
    static func deliver(_ e: Extract, to target: DisclosureTarget, logged: Int64, _ db: Database) throws -> Delivery {
        do {
            try target.deliver(e)
        } catch {
            return .failed(to: target.display, reason: error.message)
        }
        try DisclosureLog.delivered(db, logged, to: target.display, at: Timestamp.now())
        return .delivered(to: target.display)
    }
}

/// A measure in force for the batch, as read for the extracts.
struct InForce {
    let person: Int64
    let foranstalt: Int?
    let measure: WriteDown.Measure
    /// Where Danmarks Statistik's line up to its last field (every field of layout 52.2 as the
    /// extract shows it, each followed by `;`) stands in the person's buffer, built byte by
    /// byte: ten million lines of 26 fields made as Strings took minutes. Empty when dst is not
    /// asked for.
    let dstPrefix: Range<Int>

    /// In force for batch ?1: first seen by it and not removed by then. Sorted as the files are:
    /// CPR, then Startdt, then Foranstalt (then the identity, so the order is total).
    /// `wide`: every field, for dst; else only what uvm and atp-skat need, and only the rows
    /// `only`'s recipients can take (`narrowing`), which keeps SQLite's sort by person small.
    static func query(_ layout: Layout, wide: Bool, half: Half? = nil, only: [Recipient] = [], batch: Day? = nil,
                      codes: DisclosureCodes = DisclosureCodes()) -> String {
        let columns = wide
            ? "a.version_id, " + layout.fields.map { "a.\"\($0.name.lowercased())\"" }.joined(separator: ", ")
            : "a.cprnr, CASE WHEN typeof(a.foranstalt) = 'integer' THEN a.foranstalt END, a.version_id, a.startdt, a.slutdt, "
              + "CASE WHEN typeof(a.timetal) = 'integer' THEN a.timetal ELSE 0 END"
        let narrowed = (wide ? "" : " AND (" + only.map { narrowing($0, batch: batch!, codes: codes) }.joined(separator: " OR ") + ")")
            + (half.map { " AND a.cprnr \($0.condition)" } ?? "")
        return """
            SELECT \(columns)
            FROM activity a
            WHERE a.first_batch <= ?1 AND (a.closed_in IS NULL OR a.closed_in > ?1)\(narrowed)
            ORDER BY a.cprnr, a.startdt, a.foranstalt, a.activity_id
            """
    }

    /// Half of the persons, by CPR number. It begins with the day of birth, and days 1–15 and
    /// 16–31 hold about half each (4.95 of 10.04 million measures in the national benchmark).
    enum Half {
        case first, second

        var condition: String {
            switch self {
            case .first: "< 1600000000"
            case .second: ">= 1600000000"
            }
        }
    }

    /// A condition every row `recipient` can take meets (`DisclosureRule.includes` still decides):
    /// the birth-year digits of the CPR number, and for ATP and SKAT the codes and the period.
    static func narrowing(_ recipient: Recipient, batch: Day, codes: DisclosureCodes) -> String {
        let years = (DisclosureRule.birthYearDigits(recipient, batch: batch) ?? [0...99])
            .map { "(a.cprnr / 10000) % 100 BETWEEN \($0.lowerBound) AND \($0.upperBound)" }.joined(separator: " OR ")
        guard recipient == .atpSkat else { return "(\(years))" }
        let period = DisclosureRule.wageSubsidyPeriod
        return "((\(years)) AND a.foranstalt IN (\(codes.wageSubsidy.sorted().map(String.init).joined(separator: ", ")))"
            + " AND a.startdt <= \(period.upperBound.ordinal) AND a.slutdt >= \(period.lowerBound.ordinal))"
    }

    /// How a field's integer value is shown in Danmarks Statistik's line; decided once per
    /// pass, not by comparing the field's name for every value of ten million lines.
    enum Shown {
        case cpr, komnr, postnummer, date, number

        init(_ f: FieldSpec) {
            switch (f.name, f.type) {
            case ("CPRnr", _): self = .cpr
            case ("Komnr", _): self = .komnr
            case ("Postnummer", _): self = .postnummer
            case (_, "date"): self = .date
            default: self = .number
            }
        }
    }

    /// Where a query (`query`) has the values a measure is read from. The wide one selects the
    /// version and the fields only, and takes the write-down's values from the fields: every
    /// column fewer is one fewer through SQLite's sort of ten million rows.
    struct Reading: Sendable {
        /// One entry per field of layout 52.2, from column `fields` on, when dst is asked for; else empty.
        let shown: [Shown]
        let fields: Int32
        let person, foranstalt, version, start, end, hours: Int32

        static let narrow = Reading(shown: [], fields: 6, person: 0, foranstalt: 1, version: 2, start: 3, end: 4, hours: 5)

        static func wide(_ layout: Layout) -> Reading {
            func column(_ name: String) -> Int32 { 1 + Int32(layout.fields.firstIndex { $0.name == name }!) }
            return Reading(shown: layout.fields.map(Shown.init), fields: 1, person: column("CPRnr"), foranstalt: column("Foranstalt"),
                           version: 0, start: column("Startdt"), end: column("Slutdt"), hours: column("Timetal"))
        }
    }

    init(_ row: Statement, _ reading: Reading, prefixes: inout [UInt8]) {
        person = row.int(reading.person)
        // A value kept with a warning is no code and no hours (as the write-down reads it).
        foranstalt = row.type(reading.foranstalt) == SQLITE_INTEGER ? Int(row.int(reading.foranstalt)) : nil
        measure = WriteDown.Measure(id: Int(row.int(reading.version)), start: Day(ordinal: Int32(row.int(reading.start))),
                                    end: Day(ordinal: Int32(row.int(reading.end))),
                                    hours: row.type(reading.hours) == SQLITE_INTEGER ? Int(row.int(reading.hours)) : 0)
        let start = prefixes.count
        for (i, f) in reading.shown.enumerated() {
            InForce.append(row, reading.fields + Int32(i), f, to: &prefixes)
            prefixes.append(UInt8(ascii: ";"))
        }
        dstPrefix = start..<prefixes.count
    }

    /// A value as the extract shows it: a day as ISO, the CPR number with its ten digits, the
    /// municipality with three and a postal code with four; a value kept with a warning as
    /// delivered; quoted where it holds the separator, a quote or a line break.
    static func append(_ row: Statement, _ c: Int32, _ f: Shown, to out: inout [UInt8]) {
        switch row.type(c) {
        case SQLITE_NULL: return
        case SQLITE_INTEGER: break
        default:
            let bytes = row.textBytes(c)
            guard bytes.contains(where: { $0 == 0x3B || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(0x22)
            for b in bytes {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
            return
        }
        let n = Int(row.int(c))
        switch f {
        case .cpr: digits(n, width: 10, to: &out)
        case .komnr: digits(n, width: 3, to: &out)
        case .postnummer: digits(n, width: 4, to: &out)
        case .date: iso(Day(ordinal: Int32(n)), to: &out)
        case .number: digits(n, width: 1, to: &out)
        }
    }

    /// A whole number with at least `width` (at most 20) digits, leading zeros, written in place.
    static func digits(_ n: Int, width: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { b in
            var i = b.count
            repeat {
                i -= 1
                b[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            while b.count - i < width, i > 0 {
                i -= 1
                b[i] = UInt8(ascii: "0")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i...]))
        }
    }

    /// `yyyy-mm-dd`, as `Day.iso` shows it.
    static func iso(_ d: Day, to out: inout [UInt8]) {
        let (y, m, day) = d.components
        digits(y, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        digits(m, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        digits(day, width: 2, to: &out)
    }

    /// A decimal point and up to six decimals, trailing zeros dropped (`18.5`, `37`), in place.
    static func decimal(_ x: Double, to out: inout [UInt8]) {
        // Near a tie of the sixth decimal the product x × 10⁶ may round the other way than
        // printf, which rounds the exact binary value: those few take printf itself.
        let scaled = x * 1_000_000
        guard x.isFinite, x.magnitude < 1e12, ((scaled - scaled.rounded(.down)) - 0.5).magnitude > 1e-6 else {
            out.append(contentsOf: DisclosureFiles.decimal(x).utf8)
            return
        }
        let micro = Int(scaled.rounded())
        if micro < 0 { out.append(UInt8(ascii: "-")) }
        digits(Int(micro.magnitude / 1_000_000), width: 1, to: &out)
        var fraction = Int(micro.magnitude % 1_000_000)
        guard fraction > 0 else { return }
        var width = 6
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        out.append(UInt8(ascii: "."))
        digits(fraction, width: width, to: &out)
    }

    /// The recipient's line, ending in a line feed, appended to `out`.
    func line(for recipient: Recipient, hoursWrittenDown: Double, prefixes: [UInt8], to out: inout [UInt8]) {
        let semicolon = UInt8(ascii: ";")
        switch recipient {
        case .uvm:
            Self.digits(Int(person), width: 10, to: &out)
            out.append(semicolon)
            if let foranstalt { Self.digits(foranstalt, width: 1, to: &out) }
            out.append(semicolon)
            Self.iso(measure.start, to: &out)
            out.append(semicolon)
            Self.iso(measure.end, to: &out)
        case .atpSkat:
            Self.digits(Int(person), width: 10, to: &out)
            out.append(semicolon)
            Self.iso(measure.start, to: &out)
            out.append(semicolon)
            Self.iso(measure.end, to: &out)
        case .dst:
            out.append(contentsOf: prefixes[dstPrefix])
            Self.decimal(hoursWrittenDown, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }
}

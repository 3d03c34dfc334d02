public import AmforaCore
import Foundation

/// Writes the §54 extracts (`AmforaCore/Disclose`) of one batch from the dataset in force for
/// it, and logs each in the warehouse (`v_disclosure`). One pass over the measures in force,
/// sorted by person by SQLite (which spills to disk, so memory does not grow with the rows);
/// each person's measures are written down as the batch had them, then every extract asked for
/// takes the measures its rule lets through.
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

    public static func run(_ db: Database, _ request: Request, now: String) throws -> [Extract] {
        // The sort by person spills to files rather than holding ten million rows in memory.
        try db.withScratchOnDisk { try extract(db, request, now: now) }
    }

    static func extract(_ db: Database, _ request: Request, now: String) throws -> [Extract] {
        try DisclosureFiles.makeDirectory(request.out)
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let rule = DisclosureRule(codes: request.codes)
        let stamp = DisclosureFiles.stamp(request.batch)
        var writers = try request.recipients.map {
            try ExtractWriter($0, fields: DisclosureRule.fields($0, layout: layout),
                              path: (request.out as NSString).appendingPathComponent("\($0.rawValue)_\(stamp).csv"))
        }
        var person: Int64?
        var measures: [InForce] = []
        func flush() throws {
            guard let p = person, !measures.isEmpty else { return }
            let written = WriteDown.person(measures.map(\.measure))
            for w in writers.indices {
                var any = false
                for (m, r) in zip(measures, written)
                where rule.includes(writers[w].recipient, cpr: Int(p), foranstalt: m.foranstalt, start: m.measure.start, end: m.measure.end, batch: request.batch) {
                    try writers[w].write(line: m.line(for: writers[w].recipient, hoursWrittenDown: r.averageHours))
                    any = true
                }
                if any { writers[w].persons += 1 }
            }
            measures.removeAll(keepingCapacity: true)
        }
        let rows = try db.prepare(InForce.query(layout, wide: request.recipients.contains(.dst)))
        try rows.bind([.int(Int64(request.batch.ordinal))])
        while try rows.step() {
            let m = InForce(rows, layout: layout, dst: request.recipients.contains(.dst))
            if m.person != person {
                try flush()
                person = m.person
            }
            measures.append(m)
        }
        try flush()
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
    /// Danmarks Statistik's line up to its last field (every field of layout 52.2 as the
    /// extract shows it, each followed by `;`), built byte by byte: ten million lines of 26
    /// fields made as Strings took minutes. Empty when dst is not asked for.
    let dstPrefix: [UInt8]

    /// In force for batch ?1: first seen by it and not removed by then. Sorted as the files are:
    /// CPR, then Startdt, then Foranstalt (then the identity, so the order is total).
    /// `wide`: every field, for dst; else only what uvm and atp-skat need, which keeps SQLite's
    /// sort by person narrow (a fifth of the time).
    static func query(_ layout: Layout, wide: Bool) -> String {
        let columns = wide ? ", " + layout.fields.map { "a.\"\($0.name.lowercased())\"" }.joined(separator: ", ") : ""
        return """
            SELECT a.cprnr, CASE WHEN typeof(a.foranstalt) = 'integer' THEN a.foranstalt END, a.version_id, a.startdt, a.slutdt,
                   CASE WHEN typeof(a.timetal) = 'integer' THEN a.timetal ELSE 0 END\(columns)
            FROM activity a
            WHERE a.first_batch <= ?1 AND (a.closed_in IS NULL OR a.closed_in > ?1)
            ORDER BY a.cprnr, a.startdt, a.foranstalt, a.activity_id
            """
    }

    init(_ row: Statement, layout: Layout, dst: Bool) {
        person = row.int(0)
        foranstalt = row.isNull(1) ? nil : Int(row.int(1))
        measure = WriteDown.Measure(id: Int(row.int(2)), start: Day(ordinal: Int32(row.int(3))), end: Day(ordinal: Int32(row.int(4))),
                                    hours: Int(row.int(5)))
        guard dst else { dstPrefix = []; return }
        var line: [UInt8] = []
        line.reserveCapacity(200)
        for (i, f) in layout.fields.enumerated() {
            InForce.append(row, Int32(6 + i), f, to: &line)
            line.append(UInt8(ascii: ";"))
        }
        dstPrefix = line
    }

    /// A value as the extract shows it: a day as ISO, the CPR number with its ten digits, the
    /// municipality with three and a postal code with four; a value kept with a warning as
    /// delivered; quoted where it holds the separator, a quote or a line break.
    static func append(_ row: Statement, _ c: Int32, _ f: FieldSpec, to out: inout [UInt8]) {
        if row.isNull(c) { return }
        guard row.isInteger(c) else {
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
        switch (f.name, f.type) {
        case ("CPRnr", _): digits(n, width: 10, to: &out)
        case ("Komnr", _): digits(n, width: 3, to: &out)
        case ("Postnummer", _): digits(n, width: 4, to: &out)
        case (_, "date"): out.append(contentsOf: Day(ordinal: Int32(n)).iso.utf8)
        default: digits(n, width: 1, to: &out)
        }
    }

    /// A whole number with at least `width` digits (leading zeros).
    static func digits(_ n: Int, width: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        var tmp: [UInt8] = []
        repeat {
            tmp.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        while tmp.count < width { tmp.append(UInt8(ascii: "0")) }
        out.append(contentsOf: tmp.reversed())
    }

    var cpr: String { CPR.digits(of: Int(person)) }

    func line(for recipient: Recipient, hoursWrittenDown: Double) -> [UInt8] {
        switch recipient {
        case .uvm: Array("\(cpr);\(foranstalt.map(String.init) ?? "");\(measure.start.iso);\(measure.end.iso)\n".utf8)
        case .atpSkat: Array("\(cpr);\(measure.start.iso);\(measure.end.iso)\n".utf8)
        case .dst: dstPrefix + Array((DisclosureFiles.decimal(hoursWrittenDown) + "\n").utf8)
        }
    }
}

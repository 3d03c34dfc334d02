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

        public init(batch: Day, recipients: [Recipient], out: String, codes: DisclosureCodes) {
            self.batch = batch
            self.recipients = recipients
            self.out = out
            self.codes = codes
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
    }

    /// The one line an extract gets in the output and the mail: counts, never a person.
    public static func line(_ e: Extract) -> String {
        "disclosed to \(e.recipient.rawValue) (\(e.recipient.legalBasis)): \(e.rows) measures of \(e.persons) persons → \(e.csv)"
    }

    public static func run(_ db: Database, _ request: Request, now: String) throws -> [Extract] {
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
                    try writers[w].write(m.values(for: writers[w].recipient, hoursWrittenDown: r.averageHours))
                    any = true
                }
                if any { writers[w].persons += 1 }
            }
            measures.removeAll(keepingCapacity: true)
        }
        let rows = try db.prepare(InForce.query(layout))
        try rows.bind([.int(Int64(request.batch.ordinal))])
        while try rows.step() {
            let m = InForce(rows, layout: layout)
            if m.person != person {
                try flush()
                person = m.person
            }
            measures.append(m)
        }
        try flush()
        let run = try db.scalar("SELECT count(*) FROM run WHERE batch_date = ?", [.int(Int64(request.batch.ordinal))]) ?? 0
        var extracts: [Extract] = []
        for w in writers {
            let e = try w.finish(batch: request.batch, createdAt: now, fromRun: run > 0)
            try DisclosureLog.record(db, e, batch: request.batch, createdAt: now)
            extracts.append(e)
        }
        return extracts
    }
}

/// A measure in force for the batch, as read for the extracts.
struct InForce {
    let person: Int64
    let foranstalt: Int?
    let measure: WriteDown.Measure
    /// Every field of layout 52.2 as the extract shows it.
    let fields: [String]

    /// In force for batch ?1: first seen by it and not removed by then. Sorted as the files are:
    /// CPR, then Startdt, then Foranstalt (then the identity, so the order is total).
    static func query(_ layout: Layout) -> String {
        let columns = layout.fields.map { "a.\"\($0.name.lowercased())\"" }.joined(separator: ", ")
        return """
            SELECT a.cprnr, CASE WHEN typeof(a.foranstalt) = 'integer' THEN a.foranstalt END, a.version_id, a.startdt, a.slutdt,
                   CASE WHEN typeof(a.timetal) = 'integer' THEN a.timetal ELSE 0 END, \(columns)
            FROM activity a
            WHERE a.first_batch <= ?1 AND (a.closed_in IS NULL OR a.closed_in > ?1)
            ORDER BY a.cprnr, a.startdt, a.foranstalt, a.activity_id
            """
    }

    init(_ row: Statement, layout: Layout) {
        person = row.int(0)
        foranstalt = row.isNull(1) ? nil : Int(row.int(1))
        measure = WriteDown.Measure(id: Int(row.int(2)), start: Day(ordinal: Int32(row.int(3))), end: Day(ordinal: Int32(row.int(4))),
                                    hours: Int(row.int(5)))
        fields = layout.fields.enumerated().map { i, f in InForce.shown(row, Int32(6 + i), f) }
    }

    /// A value as the extract shows it: a day as ISO, the CPR number with its ten digits, the
    /// municipality with three and a postal code with four; a value kept with a warning as delivered.
    static func shown(_ row: Statement, _ c: Int32, _ f: FieldSpec) -> String {
        if row.isNull(c) { return "" }
        guard row.isInteger(c) else { return row.text(c) ?? "" }
        let n = Int(row.int(c))
        switch (f.name, f.type) {
        case ("CPRnr", _): return CPR.digits(of: n)
        case ("Komnr", _): return ValidationOutput.pad3(n)
        case ("Postnummer", _): return n >= 0 && n < 10_000 ? String(String(n + 10_000).dropFirst()) : String(n)
        case (_, "date"): return Day(ordinal: Int32(n)).iso
        default: return String(n)
        }
    }

    func values(for recipient: Recipient, hoursWrittenDown: Double) -> [String] {
        switch recipient {
        case .uvm: [fields[0], foranstalt.map(String.init) ?? "", measure.start.iso, measure.end.iso]
        case .atpSkat: [fields[0], measure.start.iso, measure.end.iso]
        case .dst: fields + [DisclosureFiles.decimal(hoursWrittenDown)]
        }
    }
}

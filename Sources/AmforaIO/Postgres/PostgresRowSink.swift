import AmforaCore
import Foundation

/// Writes one delivery's rows into the PostgreSQL warehouse, inside the load's transaction: the
/// new versions by one `COPY` that streams while the delivery is matched, its findings and
/// quarantined lines by a `COPY` each after the last line (a connection carries one COPY at a
/// time), then what the load closed and the bookkeeping, as `RowSink` does in SQLite. Each
/// version gets the person's key (`PersonKey`), birth year and sex for the analysts.
final class PostgresRowSink: LoadSink {
    let connection: PostgresConnection
    let table: WarehouseTable
    let layout: Layout
    let name: DeliveryName
    let file: String
    let identity: RecordIdentity
    /// The key's HMAC, prepared once for the delivery's million persons.
    private let keyer: PersonKey.Keyer
    private let cpr: Int?
    private let identnr: Int?
    private var versions: CopyStream?
    private var failure: (any Error)?
    private var nextVersion: Int64
    private var findings: [Finding] = []
    private var quarantined: [(line: Int, bytes: [UInt8])] = []
    private(set) var written: [Int64] = []
    var recordsChanges = true
    var sql: any WarehouseSQL { connection }

    init(connection: PostgresConnection, layout: Layout, name: DeliveryName, file: String, personKey: PersonKey) throws {
        self.connection = connection
        table = WarehouseTable(name.kind)
        self.layout = layout
        self.name = name
        self.file = file
        keyer = personKey.keyer()
        identity = RecordIdentity(layout: layout)
        cpr = layout.index(of: "CPRnr")
        identnr = layout.fields.firstIndex { $0.kind == .identnr }
        // Version ids follow the table's highest, as SQLite's rowids do; the lock keeps a second
        // loader out until this transaction ends (readers are not held up).
        try connection.execute("LOCK TABLE amfora.\(table.name) IN SHARE ROW EXCLUSIVE MODE")
        nextVersion = (try connection.scalar("SELECT coalesce(max(version_id), 0) + 1 FROM amfora.\(table.name)")) ?? 1
    }

    var columns: [String] {
        ["version_id"] + layout.fields.map { RowSink.column($0.name) }
            + ["content_hash", "line_hash", "first_batch", "source_file", "line_no", "delivered_as"]
            + (table == .activity ? ["activity_id", "person_key", "birth_year", "sex"] : ["kind", "aid_type", "person_key"])
    }

    var isFull: Bool { false }

    func finding(_ f: Finding) { findings.append(f) }

    func quarantined(line: Int, bytes: UnsafeBufferPointer<UInt8>) { quarantined.append((line, Array(bytes))) }

    func added(_ r: RecordView, line: Int, hash: Int64, lineHash: Int64?) -> Int64 {
        if versions == nil, failure == nil {
            do { versions = try connection.copyIn("amfora.\(table.name)", columns: columns) } catch { failure = error }
        }
        let version = nextVersion
        nextVersion += 1
        written.append(version)
        guard let versions else { return version }  // check() reports the failed COPY
        var row = versions.row()
        row.append(version)
        var delivered: [(String, String)] = []
        for i in layout.fields.indices {
            switch r.values[i] {
            case .missing: row.null()
            case .invalid:
                // Only a warning lets a line load: the value is kept as delivered, in its column
                // when that holds text, and beside it when the column's type cannot.
                if layout.fields[i].type == "char" {
                    row.append(r.unmaskedRaw(i))
                } else {
                    row.null()
                    delivered.append((layout.fields[i].name.lowercased(), r.unmaskedRaw(i)))
                }
            case .number(let n): row.append(Int64(n))
            case .day(let d): row.append(Int64(d.ordinal))
            case .flag(let b): row.append(b ? 1 : 0 as Int64)
            case .text(let a, let e):
                if r.encoding == .utf8 {
                    row.append(utf8: UnsafeBufferPointer(rebasing: r.line[Int(a)..<Int(e)]))
                } else {
                    row.append(r.unmaskedRaw(i))
                }
            }
        }
        row.append(hash)
        row.append(lineHash)
        row.append(Int64(batch))
        row.append(file)
        row.append(Int64(line))
        row.append(delivered.isEmpty ? nil : Self.json(delivered))
        switch table {
        case .activity:
            row.append(identity.activityID(r))
            let person = cpr.flatMap { r[$0].number }
            row.append(person.map { keyer.of(cpr: $0) } ?? keyer.of(identifier: cpr.map { r.unmaskedRaw($0) } ?? ""))
            row.append(person.flatMap { CPR.birthDate(number: $0) }.map { Int64($0.components.year) })
            row.append(person.map { $0 % 2 == 1 ? "M" : "K" })
        case .aid:
            row.append(name.kind.rawValue)
            row.append(Int64(name.kind.aidType ?? 0))
            row.append(identnr.flatMap { r.string($0) }.map { keyer.of(identifier: $0) })
        }
        versions.add(row)
        return version
    }

    /// Ends the versions' COPY and writes the findings and quarantined lines.
    func check() throws {
        if let versions {
            self.versions = nil
            try versions.finish()
        }
        if let failure { throw failure }
        let scope: [Int64] = [Int64(batch), Int64(name.komnr)]
        if !findings.isEmpty {
            try connection.copy(into: "amfora.reject", columns: ["batch_date", "komnr", "kind", "file", "line_no", "severity", "rule", "field", "value", "message"]) { rows in
                for f in findings {
                    var row = rows.row()
                    scope.forEach { row.append($0) }
                    row.append(name.kind.rawValue)
                    row.append(file)
                    row.append(f.line.map(Int64.init))
                    row.append(f.severity.rawValue)
                    row.append(f.rule)
                    row.append(f.field)
                    row.append(f.value)
                    row.append(f.message)
                    rows.add(row)
                }
            }
            findings = []
        }
        if !quarantined.isEmpty {
            try connection.copy(into: "amfora.quarantine", columns: ["batch_date", "komnr", "kind", "file", "line_no", "raw"]) { rows in
                for q in quarantined {
                    var row = rows.row()
                    scope.forEach { row.append($0) }
                    row.append(name.kind.rawValue)
                    row.append(file)
                    row.append(Int64(q.line))
                    q.bytes.withUnsafeBufferPointer { row.append(bytes: $0) }
                    rows.add(row)
                }
            }
            quarantined = []
        }
    }

    func close(_ versions: [Int64]) throws {
        guard !versions.isEmpty else { return }
        let previous = try LastLoad.of(connection, name: name, before: batch)?.batch ?? Int64(batch)
        try connection.query("UPDATE amfora.\(table.name) SET closed_in = $1, last_batch = $2 WHERE version_id = ANY($3::bigint[])",
                             [String(batch), String(previous), connection.idList(versions)])
        guard table.holdsMeasures else { return }
        try connection.query("""
            INSERT INTO amfora.\(ClosedMeasures.recent) (activity_id, closed_in)
            SELECT DISTINCT activity_id, $1::integer FROM amfora.activity WHERE version_id = ANY($2::bigint[]) ON CONFLICT DO NOTHING
            """, [String(batch), connection.idList(versions)])
    }

    /// `{"column": "text", …}` with JSON's escapes.
    static func json(_ pairs: [(String, String)]) -> String {
        func quoted(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        return "{" + pairs.map { quoted($0.0) + ": " + quoted($0.1) }.joined(separator: ", ") + "}"
    }
}

import AmforaCore
import Foundation

/// The extract files: created new and owner-only (never through a link), written under a
/// temporary name and put in place whole, so a killed or failed disclosure leaves no half file
/// under the final name.
enum DisclosureFiles {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600

    static func stamp(_ d: Day) -> String { d.iso.replacingOccurrences(of: "-", with: "") }

    /// A decimal point and up to six decimals, trailing zeros dropped: `18.5`, `37`.
    static func decimal(_ x: Double) -> String {
        var s = String(format: "%.6f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The output directory, made 0700 if new; refused when it is a link or not a directory.
    static func makeDirectory(_ path: String) throws {
        try BatchReportWriter.makeDirectory(path, mode: directoryMode)
    }

}

/// One recipient's CSV being written, with its SHA-256 as it goes.
struct ExtractWriter {
    let recipient: Recipient
    let fields: [String]
    let path: String
    let temporary: String
    private let file: ReportFile
    private let digest = FileDigest()
    private var buffer: [UInt8] = []
    private(set) var rows = 0
    var persons = 0

    init(_ recipient: Recipient, fields: [String], path: String) throws {
        self.recipient = recipient
        self.fields = fields
        self.path = path
        temporary = (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".new-\(getpid())"
        file = try ReportFile(path: temporary, mode: DisclosureFiles.fileMode)
        buffer.reserveCapacity(1 << 20)
        append(fields.joined(separator: ";") + "\n")
    }

    /// One line, appended to the buffer by `build`: fields shown and separated, ending in a line feed.
    mutating func write(_ build: (inout [UInt8]) -> Void) throws {
        build(&buffer)
        rows += 1
        if buffer.count >= 1 << 20 { try drain() }
    }

    private mutating func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

    private mutating func drain() throws {
        buffer.withUnsafeBufferPointer { digest.update($0) }
        try file.write(bytes: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the CSV, writes the manifest, and puts both in place (the manifest last: a CSV
    /// without its manifest is visibly unfinished).
    mutating func finish(batch: Day, createdAt: String, fromRun: Bool) throws -> DisclosureStage.Extract {
        try drain()
        try file.close()
        let sha = digest.finish()
        let manifestPath = (path as NSString).deletingPathExtension + ".manifest.json"
        let manifest = DisclosureManifest(recipient: recipient, batch: batch, createdAt: createdAt, rows: rows, persons: persons,
                                          sha256: sha, fields: fields, file: (path as NSString).lastPathComponent, run: fromRun ? batch.iso : nil)
        let manifestTemporary = (manifestPath as NSString).deletingLastPathComponent + "/." + (manifestPath as NSString).lastPathComponent + ".new-\(getpid())"
        let m = try ReportFile(path: manifestTemporary, mode: DisclosureFiles.fileMode)
        try m.write(manifest.json)
        try m.close()
        for (from, to) in [(temporary, path), (manifestTemporary, manifestPath)] where rename(from, to) != 0 {
            throw ReportError(path: to, errno: errno)
        }
        return DisclosureStage.Extract(recipient: recipient, csv: path, manifest: manifestPath, rows: rows, persons: persons, sha256: sha)
    }
}

/// `<recipient>_<yyyymmdd>.manifest.json` (disclosures.md).
struct DisclosureManifest {
    let recipient: Recipient
    let batch: Day
    let createdAt: String
    let rows: Int
    let persons: Int
    let sha256: String
    let fields: [String]
    let file: String
    /// The batch of the warehouse run the data came from (nil: the batch was never run).
    let run: String?

    var json: String {
        func q(_ s: String) -> String { ValidationOutput.json(s) }
        return """
            {
              "recipient": \(q(recipient.rawValue)),
              "recipient_name": \(q(recipient.name)),
              "legal_basis": \(q(recipient.legalBasis)),
              "batch_date": \(q(batch.iso)),
              "created_at": \(q(createdAt)),
              "file": \(q(file)),
              "rows": \(rows),
              "persons": \(persons),
              "sha256": \(q(sha256)),
              "fields": [\(fields.map(q).joined(separator: ", "))],
              "warehouse_run": \(run.map(q) ?? "null")
            }

            """
    }
}

/// The disclosure log (`v_disclosure`): what was passed on to whom, when, under which paragraph.
enum DisclosureLog {
    /// The log row's id, for `delivered`.
    static func record(_ db: Database, _ e: DisclosureStage.Extract, batch: Day, createdAt: String) throws -> Int64 {
        let s = try db.prepare("""
            INSERT INTO disclosure (batch_date, recipient, legal_basis, file, sha256, rows, persons, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try s.bind([.int(Int64(batch.ordinal)), .text(e.recipient.rawValue), .text(e.recipient.legalBasis), .text(e.csv),
                    .text(e.sha256), .int(Int64(e.rows)), .int(Int64(e.persons)), .text(createdAt)])
        try s.run()
        return db.lastInsertRowID
    }

    static func delivered(_ db: Database, _ id: Int64, to: String, at: String) throws {
        let s = try db.prepare("UPDATE disclosure SET delivered_to = ?, delivered_at = ? WHERE id = ?")
        try s.bind([.text(to), .text(at), .int(id)])
        try s.run()
    }
}

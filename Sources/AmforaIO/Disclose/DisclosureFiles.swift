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

/// Where a pass writes a recipient's lines: the extract itself, or a part of it.
protocol ExtractLines {
    var recipient: Recipient { get }
    var persons: Int { get set }
    /// One line, appended by `build`: fields shown and separated, ending in a line feed.
    mutating func write(_ build: (inout [UInt8]) -> Void) throws
    /// The pass has written its last line to it.
    mutating func passEnded() throws
}

/// One recipient's CSV being written, with its SHA-256 as it goes.
struct ExtractWriter: ExtractLines {
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

    /// Nothing to do: `finish` closes the extract.
    func passEnded() {}

    /// A part's lines after those written so far, its rows and persons counted with them.
    mutating func append(_ part: ExtractPart) throws {
        try part.read { chunk in
            buffer.append(contentsOf: chunk)
            if buffer.count >= 1 << 20 { try drain() }
        }
        rows += part.rows
        persons += part.persons
    }

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

/// Lines written beside the extract, by a second pass over other persons, for the extract to
/// take after its own. Owner-only, and unlinked as soon as it is made: a killed disclosure
/// leaves nothing of it behind.
struct ExtractPart: ExtractLines {
    let recipient: Recipient
    private let file: PartFile
    private var buffer: [UInt8] = []
    private(set) var rows = 0
    var persons = 0

    init(recipient: Recipient, beside extract: String) throws {
        self.recipient = recipient
        let path = (extract as NSString).deletingLastPathComponent + "/." + (extract as NSString).lastPathComponent + ".part-\(getpid())"
        file = try PartFile(path)
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ build: (inout [UInt8]) -> Void) throws {
        build(&buffer)
        rows += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// The last lines to the file: the part is whole.
    mutating func passEnded() throws { try flush() }

    /// Every line written before `passEnded`, in order, a chunk at a time.
    func read(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try file.read(body)
    }
}

/// The part's file: open for writing and reading, with no name.
private final class PartFile: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private var written: off_t = 0

    init(_ path: String) throws {
        self.path = path
        unlink(path)
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, DisclosureFiles.fileMode)
        guard fd >= 0 else { throw ReportError(path: path, errno: errno) }
        unlink(path)
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { b in
            var done = 0
            while done < b.count {
                let n = pwrite(fd, b.baseAddress! + done, b.count - done, written)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw ReportError(path: path, errno: errno) }
                done += n
                written += off_t(n)
            }
        }
    }

    func read(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var at: off_t = 0
        while at < written {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, at) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw ReportError(path: path, errno: n < 0 ? errno : EIO) }
            try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<n])) }
            at += off_t(n)
        }
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

public import AmforaCore
import Foundation

/// Writes a batch's reports into `<reports>/<batch date>/`: `index.html` for people, CSV files
/// for Danish Excel, `summary.json` for machines, `run.json`/`run.txt` for the run itself.
///
/// The whole report is written into a staging directory beside it and then put in the batch's
/// place, so a reader never sees half a report, and a run killed while writing leaves only the
/// staging directory, which the next report removes. Reports hold birth dates (`ddmmyy-****`)
/// with municipality and measure: files are 0640 and directories 0750 whatever the umask.
public enum BatchReportWriter {
    static let fileMode: mode_t = 0o640
    static let directoryMode: mode_t = 0o750

    public static func directory(of batch: Day, in reports: String) -> String {
        (reports as NSString).appendingPathComponent(batch.iso)
    }

    public static func index(of batch: Day, in reports: String) -> String {
        (directory(of: batch, in: reports) as NSString).appendingPathComponent("index.html")
    }

    /// Writes the report of a batch (`BatchReportBuilder.build`) and, after a pass, the pass's
    /// own run.json and run.txt. Returns the batch's directory.
    @discardableResult
    public static func write(_ report: BatchReport, run result: RunResult?, warehouse db: any WarehouseSQL, to reports: String) throws -> String {
        let batch = report.batch
        try makeDirectory(reports)
        let final = directory(of: batch, in: reports)
        removeLeftovers(in: reports, batch: batch)
        let staging = (reports as NSString).appendingPathComponent(".\(batch.iso).new-\(getpid())")
        try makeDirectory(staging)
        do {
            try writeAll(report, result, db, into: staging)
            try putInPlace(staging, as: final, batch: batch, reports: reports)
            try writeFridaysIndex(reports)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return final
    }

    private static func writeAll(_ report: BatchReport, _ result: RunResult?, _ db: any WarehouseSQL, into dir: String) throws {
        func file(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        let batch = report.batch
        try writeFile(HTMLReport.render(report), to: file("index.html"))
        try makeDirectory(file("kommuner"))
        for komnr in Set(report.municipalities.map(\.komnr)) {
            try writeFile(MunicipalityPage.render(report, komnr: komnr), to: file(MunicipalityPage.fileName(komnr)))
        }
        try writeFile(JSONReport.render(report), to: file("summary.json"))
        try writeFile(CSVExport.municipalities(report), to: file(CSVExport.FileName.municipalities))
        try writeFile(CSVExport.rejectsByRule(report), to: file(CSVExport.FileName.rejectsByRule))
        try writeFile(CSVExport.stages(report), to: file(CSVExport.FileName.stages))
        try BatchReportBuilder.writeHistoryChanges(report, to: file(CSVExport.FileName.historyChanges))
        let rejects = file("rejects")
        try makeDirectory(rejects)
        _ = try BatchReportBuilder.writeRejectFiles(db, batch: Int64(batch.ordinal), to: rejects)
        if let result {
            try writeFile(RunSummary.json(result), to: file("run.json"))
            try writeFile(RunSummary.log(result), to: file("run.txt"))
        }
    }

    /// The staging directory takes the batch's name; the report it replaces goes.
    private static func putInPlace(_ staging: String, as final: String, batch: Day, reports: String) throws {
        FaultPoints.pass("publish report")
        let old = (reports as NSString).appendingPathComponent(".\(batch.iso).old-\(getpid())")
        var st = stat()
        if lstat(final, &st) == 0 {
            guard rename(final, old) == 0 else { throw ReportError(path: final, errno: errno) }
        }
        guard rename(staging, final) == 0 else { throw ReportError(path: final, errno: errno) }
        try? FileManager.default.removeItem(atPath: old)
    }

    /// `<reports>/index.html`, every Friday's report, newest first (written anew under a
    /// temporary name, then renamed).
    static func writeFridaysIndex(_ reports: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []
        let batches = names.compactMap { Day(iso: $0) }
        let path = (reports as NSString).appendingPathComponent("index.html")
        let temporary = (reports as NSString).appendingPathComponent(".index.html.new-\(getpid())")
        try writeFile(MunicipalityPage.fridaysIndex(batches), to: temporary)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ReportError(path: path, errno: errno)
        }
    }

    /// Staging and replaced directories of this batch left by a run that was killed.
    private static func removeLeftovers(in reports: String, batch: Day) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []
        for name in names where name.hasPrefix(".\(batch.iso).new-") || name.hasPrefix(".\(batch.iso).old-") || name.hasPrefix(".index.html.new-") {
            try? FileManager.default.removeItem(atPath: (reports as NSString).appendingPathComponent(name))
        }
    }

    /// Makes `path` (and its parents) with `mode`; refused when it is a link or not a directory.
    static func makeDirectory(_ path: String, mode: mode_t = directoryMode) throws {
        if mkdir(path, mode) != 0, errno != EEXIST {
            if errno == ENOENT {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } else {
                throw ReportError(path: path, errno: errno)
            }
        }
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ReportError(path: path, reason: "is not a directory")
        }
        chmod(path, mode)
    }

    public static func writeFile(_ text: String, to path: String) throws {
        let file = try ReportFile(path: path)
        try file.write(text)
        try file.close()
    }
}

/// A report file being written: created new (never through a link), owner- and group-readable,
/// made durable on close. Every failure is a `ReportError` naming the file and the cause.
final class ReportFile {
    let path: String
    private var fd: Int32

    init(path: String, mode: mode_t = BatchReportWriter.fileMode) throws {
        self.path = path
        unlink(path)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ReportError(path: path, errno: errno) }
        fchmod(fd, mode)
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    func write(bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    private func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw ReportError(path: path, errno: errno) }
            done += n
        }
    }

    func close() throws {
        let synced = fsync(fd) == 0
        let code = errno
        Foundation.close(fd)
        fd = -1
        guard synced else { throw ReportError(path: path, errno: code) }
    }
}

/// A report that could not be written, in the operator's words.
public struct ReportError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno code: Int32) {
        self.path = path
        reason = switch code {
        case ENOSPC, EDQUOT: "the disk is full"
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        default: String(cString: strerror(code))
        }
    }

    public var description: String {
        "cannot write the report \(path): \(reason); the warehouse is complete — free the cause and write the report again with `amfora report`"
    }
}

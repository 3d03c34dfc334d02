public import AmforaCore
import Foundation

/// Writes a batch's reports into `<reports>/<batch date>/`: `index.html` for people, CSV files
/// for Danish Excel, `summary.json` for machines, `run.json`/`run.txt` for the run itself. Each
/// file is written under a temporary name and renamed, so a reader never sees half a report.
public enum BatchReportWriter {
    @discardableResult
    public static func write(_ result: RunResult?, warehouse db: Database, batch: Day, to reports: String) throws -> String {
        let dir = (reports as NSString).appendingPathComponent(batch.iso)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        let report = try BatchReportBuilder.build(db, batch: batch, stages: result?.stages)
        try writeAtomically(HTMLReport.render(report), to: file("index.html"))
        try writeAtomically(JSONReport.render(report), to: file("summary.json"))
        try writeAtomically(CSVExport.municipalities(report), to: file(CSVExport.FileName.municipalities))
        try writeAtomically(CSVExport.rejectsByRule(report), to: file(CSVExport.FileName.rejectsByRule))
        try writeAtomically(CSVExport.stages(report), to: file(CSVExport.FileName.stages))
        try BatchReportBuilder.writeHistoryChanges(db, batch: Int64(batch.ordinal), to: file(CSVExport.FileName.historyChanges))
        let rejects = (dir as NSString).appendingPathComponent("rejects")
        try? FileManager.default.removeItem(atPath: rejects)
        try FileManager.default.createDirectory(atPath: rejects, withIntermediateDirectories: true)
        _ = try BatchReportBuilder.writeRejectFiles(db, batch: Int64(batch.ordinal), to: rejects)
        if let result {
            try writeAtomically(RunSummary.json(result), to: file("run.json"))
            try writeAtomically(RunSummary.text(result) + "\n", to: file("run.txt"))
        }
        return dir
    }

    public static func writeAtomically(_ text: String, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        try publish(tmp, as: path)
    }

    /// A file for streaming rows into, under its temporary name; `publish(path)` renames it.
    static func create(_ path: String) throws -> FileHandle {
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw FileAccessError.unreadable(tmp, "cannot create")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
    }

    static func publish(_ path: String) throws { try publish(path + ".tmp-\(getpid())", as: path) }

    static func publish(_ tmp: String, as path: String) throws {
        FaultPoints.pass("publish \((path as NSString).lastPathComponent)")
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw FileAccessError.unreadable(path, String(cString: strerror(errno)))
        }
    }
}

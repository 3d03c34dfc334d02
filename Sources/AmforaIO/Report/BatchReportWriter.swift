public import AmforaCore
import Foundation

/// Writes a batch's reports into `<reports>/<batch date>/`, each file written to a temporary
/// name and renamed, so a reader never sees half a report.
public enum BatchReportWriter {
    @discardableResult
    public static func write(_ result: RunResult, to reports: String) throws -> String {
        let dir = (reports as NSString).appendingPathComponent(result.batch.iso)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeAtomically(RunSummary.json(result), to: (dir as NSString).appendingPathComponent("summary.json"))
        try writeAtomically(RunSummary.text(result) + "\n", to: (dir as NSString).appendingPathComponent("summary.txt"))
        return dir
    }

    public static func writeAtomically(_ text: String, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw FileAccessError.unreadable(path, String(cString: strerror(errno)))
        }
    }
}

import AmforaCore
public import Foundation

/// A consistent copy of the warehouse, page by page into a new owner-only file beside the target,
/// checked (`integrity_check`, schema version) before it is put in place under its final name.
/// The caller holds the run lock, so no run writes meanwhile; readers may go on.
public enum WarehouseBackup {
    public struct Result: Sendable, Equatable {
        public let path: String
        public let bytes: Int64
        public let seconds: Double
        public let schemaVersion: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `to`: a file that does not exist yet, or an existing directory to put
    /// `amfora-<yyyy-mm-ddThhmmss>.sqlite` in (`intoDirectory`: only that, as for a backup after
    /// every run). Never overwrites, never follows a link.
    public static func take(_ warehouse: String, to: String, intoDirectory: Bool = false, now: Date = Date()) throws -> Result {
        let started = Date()
        let source = try Warehouse.openForReading(warehouse)
        let version = Int(try source.scalar("SELECT max(version) FROM schema_version") ?? 0)
        let target = try resolve(to, intoDirectory: intoDirectory, now: now)
        let directory = (target as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((target as NSString).lastPathComponent).partial-\(getpid())")
        // Owner-only from its first byte: SQLite would create it with the umask's mode.
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(FileSystem.errnoText())") }
        close(fd)
        do {
            // Page by page (SQLite's online backup API): VACUUM INTO rebuilds every index and
            // took 113 s of a national warehouse's 3.3 GB.
            try source.copyPages(to: temporary)
            try check(temporary, version: version)
            try sync(temporary)
            guard rename(temporary, target) == 0 else {
                throw Failure(description: "cannot put the backup in place as \(target): \(FileSystem.errnoText())")
            }
            FileSystem.syncDirectory(of: target)
        } catch {
            unlink(temporary)
            throw error
        }
        var st = stat()
        _ = lstat(target, &st)
        return Result(path: target, bytes: Int64(st.st_size), seconds: Date().timeIntervalSince(started), schemaVersion: version)
    }

    static func resolve(_ to: String, intoDirectory: Bool, now: Date) throws -> String {
        var st = stat()
        if lstat(to, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw Failure(description: "\(to) exists and is not a directory: a backup never overwrites a file (nor follows a link)")
            }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "Europe/Copenhagen")
            // Not yyyymmdd-hhmmss: its "261202-0605" has the shape of a CPR number, and is masked.
            f.dateFormat = "yyyy-MM-dd'T'HHmmss"
            let path = (to as NSString).appendingPathComponent("amfora-\(f.string(from: now)).sqlite")
            guard lstat(path, &st) != 0 else { throw Failure(description: "\(path) exists already: a backup never overwrites a file") }
            return path
        }
        guard !intoDirectory else { throw Failure(description: "the backup directory \(to) does not exist") }
        let parent = (to as NSString).deletingLastPathComponent
        guard lstat(parent.isEmpty ? "." : parent, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw Failure(description: "the directory of \(to) does not exist (or is a link)")
        }
        return to
    }

    /// The copy is whole (every page and index checks) and of the warehouse's schema.
    static func check(_ path: String, version: Int) throws {
        let copy = try Database(path: path, readOnly: true)
        let verdict = try copy.prepare("PRAGMA integrity_check(1)")
        guard try verdict.step(), verdict.text(0) == "ok" else {
            throw Failure(description: "the backup failed its integrity check (\(verdict.text(0) ?? "no answer")); it was removed")
        }
        let copied = Int(try copy.scalar("SELECT max(version) FROM schema_version") ?? -1)
        guard copied == version else {
            throw Failure(description: "the backup has schema version \(copied), the warehouse \(version); it was removed")
        }
    }

    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path) to sync it: \(FileSystem.errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(path): \(FileSystem.errnoText())") }
    }

    /// "backed up to PATH: 3.1 GB in 41 s (integrity ok, schema 13)".
    public static func line(_ r: Result) -> String {
        "backed up to \(r.path): \(ByteCountText.of(r.bytes)) in \(String(format: "%.0f", max(1, r.seconds.rounded()))) s (integrity ok, schema \(r.schemaVersion))"
    }
}

/// Sizes as an operator reads them.
enum ByteCountText {
    static func of(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}

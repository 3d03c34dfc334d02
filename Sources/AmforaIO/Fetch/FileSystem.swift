import Foundation

/// The few POSIX file operations the fetch stage needs to be crash-safe: a file is complete
/// on disk before its name appears, and the name is on disk before the state says so.
enum FileSystem {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Writes `bytes` to `path` whole or not at all: temp file, fsync, rename, fsync directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(SourceError) {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SourceError(.local, "cannot write \(temp): \(errnoText())") }
        var ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        ok = ok && fsync(fd) == 0
        let why = errnoText()
        close(fd)
        guard ok else {
            unlink(temp)
            throw SourceError(.local, "cannot write \(temp): \(why)")
        }
        try rename(temp, to: path)
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    /// rename(2) replaces the target atomically; the directory is synced so the new name survives a crash.
    static func rename(_ from: String, to: String) throws(SourceError) {
        guard Foundation.rename(from, to) == 0 else {
            throw SourceError(.local, "cannot rename \(from) to \(to): \(errnoText())")
        }
        syncDirectory(of: to)
    }

    static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func readAll(_ path: String) throws(SourceError) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { return nil }
            throw SourceError(.local, "cannot read \(path)")
        }
        return [UInt8](data)
    }
}

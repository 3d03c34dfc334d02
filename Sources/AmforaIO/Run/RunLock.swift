import Foundation

/// One writer at a time per warehouse: an exclusive `flock` on `<warehouse>.lock`. The kernel
/// releases it when the holder exits, however it exits (crash, kill -9), so a dead run never
/// blocks the next one. The file says what the holder does; when a second run arrives in the
/// moment between the first one's lock and its note, the kernel's lock table (`/proc/locks`)
/// still names the holder's pid.
public final class RunLock {
    public struct Held: Error, CustomStringConvertible {
        public let holder: String
        public var description: String {
            "another amfora process holds the warehouse lock (\(holder)); wait for it to finish, or check that process"
        }
    }

    private let fd: Int32

    public init(warehouse: String, purpose: String) throws {
        let path = warehouse + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileAccessError.unreadable(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = pread(fd, &buffer, buffer.count, 0)
            let note = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            let holder = note.isEmpty ? Self.lockHolder(fd).map { "pid \($0), just started" } ?? "a process that has just ended" : note
            throw Held(holder: holder)
        }
        let me = "pid \(getpid()), \(purpose), since \(Timestamp.now())\n"
        ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// The pid that holds a `flock` on the open file, from the kernel's lock table.
    static func lockHolder(_ fd: Int32) -> Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let device = String(format: "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev), UInt64(st.st_ino))
        for line in table.split(separator: "\n") {
            let f = line.split(separator: " ")
            // "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF"
            guard f.count >= 6, f[1] == "FLOCK", f[5] == device, let pid = Int(f[4]) else { continue }
            return pid
        }
        return nil
    }

    private static func major(_ dev: dev_t) -> UInt32 { UInt32((dev >> 8) & 0xfff) | UInt32((dev >> 32) & ~0xfff) }
    private static func minor(_ dev: dev_t) -> UInt32 { UInt32(dev & 0xff) | UInt32((dev >> 12) & ~0xff) }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

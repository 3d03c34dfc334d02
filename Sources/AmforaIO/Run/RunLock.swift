import Foundation

/// One run at a time per warehouse: an exclusive `flock` on `<warehouse>.lock`. The kernel
/// releases it when the holder exits, however it exits (crash, kill -9), so a dead run never
/// blocks the next one. The file says who holds it, for the message the second run prints.
public final class RunLock {
    public struct Held: Error, CustomStringConvertible {
        public let holder: String
        public var description: String {
            "another amfora run holds the warehouse lock (\(holder)); wait for it to finish, or check that process"
        }
    }

    private let fd: Int32

    public init(warehouse: String, purpose: String) throws {
        let path = warehouse + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileAccessError.unreadable(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "unknown holder"
            throw Held(holder: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let me = "pid \(getpid()), \(purpose), since \(Timestamp.now())\n"
        ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

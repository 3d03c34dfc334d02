public import AmforaCore
import Foundation

public enum FileAccessError: Error, CustomStringConvertible {
    case missing(String)
    case isDirectory(String)
    case unreadable(String, String)
    /// A symbolic link, FIFO, socket or device: never opened for reading, never followed.
    case notRegular(String, String)

    /// What is wrong, without the path (for a line that names the file already).
    public var reason: String {
        switch self {
        case .missing: "no such file"
        case .isDirectory: "is a directory, not a delivery file"
        case .notRegular(_, let what): "is \(what), not a delivery file"
        case .unreadable(_, let why): "cannot be read (\(why))"
        }
    }

    public var description: String {
        switch self {
        case .missing(let p): "\(p): no such file"
        case .isDirectory(let p): "\(p): is a directory, not a delivery file"
        case .notRegular(let p, let what): "\(p): is \(what), not a delivery file"
        case .unreadable(let p, let why): "\(p): cannot be read (\(why))"
        }
    }
}

/// Reads a file in fixed-size chunks into one reused buffer: memory does not grow with the file.
public enum FileChunks {
    public static let defaultChunkSize = 4 << 20

    /// Checks the path is a readable regular file before any pass over it.
    public static func checkReadable(_ path: String) throws {
        close(try openRegular(path))
    }

    /// What a file that is not a regular file is, in words (nil for a regular file).
    static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link (never followed)"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a special file"
        }
    }

    /// Opens a regular file for reading, and nothing else: a symbolic link is not followed
    /// (`O_NOFOLLOW`), and a FIFO or device is opened without blocking and refused by `fstat` of
    /// the opened descriptor, so that no other file can stand in for it between a check and the open.
    public static func openRegular(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw FileAccessError.missing(path) }
            var st = stat()
            if code == ELOOP || code == EMLINK, lstat(path, &st) == 0, let what = kind(of: st.st_mode) {
                throw FileAccessError.notRegular(path, what)
            }
            throw FileAccessError.unreadable(path, String(cString: strerror(code)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw FileAccessError.unreadable(path, why)
        }
        if let what = kind(of: st.st_mode) {
            close(fd)
            if (st.st_mode & S_IFMT) == S_IFDIR { throw FileAccessError.isDirectory(path) }
            throw FileAccessError.notRegular(path, what)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    public static func source(path: String, chunkSize: Int = defaultChunkSize) -> ChunkSource {
        return { consume in
            let fd = try openRegular(path)
            defer { close(fd) }
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer, chunkSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileAccessError.unreadable(path, String(cString: strerror(errno)))
                }
                if n == 0 { return }
                consume(UnsafeBufferPointer(start: buffer, count: n))
            }
        }
    }
}

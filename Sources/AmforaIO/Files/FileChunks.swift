public import AmforaCore
import Foundation

public enum FileAccessError: Error, CustomStringConvertible {
    case missing(String)
    case isDirectory(String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .missing(let p): "\(p): no such file"
        case .isDirectory(let p): "\(p): is a directory, not a delivery file"
        case .unreadable(let p, let why): "\(p): cannot be read (\(why))"
        }
    }
}

/// Reads a file in fixed-size chunks into one reused buffer: memory does not grow with the file.
public enum FileChunks {
    public static let defaultChunkSize = 4 << 20

    /// Checks the path is a readable regular file before any pass over it.
    public static func checkReadable(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw FileAccessError.missing(path) }
            throw FileAccessError.unreadable(path, String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw FileAccessError.isDirectory(path) }
    }

    public static func source(path: String, chunkSize: Int = defaultChunkSize) -> ChunkSource {
        return { consume in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileAccessError.unreadable(path, String(cString: strerror(errno))) }
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

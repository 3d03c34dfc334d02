import Foundation

/// Reads a pipe to its end on a thread of its own.
public final class PipeReader: @unchecked Sendable {
    private var data = [UInt8]()
    private let done = DispatchSemaphore(value: 0)

    public init(_ fd: Int32) {
        Thread { [self] in
            data = Self.readAll(fd)
            done.signal()
        }.start()
    }

    public func finish() -> [UInt8] {
        done.wait()
        return data
    }

    public static func readAll(_ fd: Int32) -> [UInt8] {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return out }
            out += buffer[0..<n]
        }
    }
}

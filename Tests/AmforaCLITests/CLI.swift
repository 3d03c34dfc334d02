import AmforaTestSupport
import Foundation

/// Runs the built `amfora` binary, as an operator would.
enum CLI {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        // The test bundle sits next to the executable in the build folder.
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("amfora"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("amfora"),
            repo.appendingPathComponent(".build/debug/amfora"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// `environment`: variables added to the test's own (the fault hooks, say); `umask`: the
    /// file-creation mask the command runs under, set by a shell in front of it.
    static func run(_ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:],
                    umask: String? = nil) throws -> Result {
        let p = Process()
        if let umask {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "umask \(umask); exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            p.executableURL = binary
            p.arguments = arguments
        }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting (a full pipe would block the child), with read(2) and
        // EINTR retried: FileHandle's own reading traps on an interrupted system call.
        let e = PipeReader(err.fileHandleForReading.fileDescriptor)
        let o = PipeReader.readAll(out.fileHandleForReading.fileDescriptor)
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e.finish(), as: UTF8.self))
    }

    /// A fresh directory removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("amfora-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }
}


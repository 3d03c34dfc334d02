public import Foundation

/// A fresh directory per test, removed afterwards.
public struct TemporaryDirectory: ~Copyable {
    public let url: URL
    public var path: String { url.path }

    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("amfora-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes lines (each ended by `ending`) in UTF-8 or Windows-1252.
    @discardableResult
    public func write(_ name: String, lines: [String], ending: String = "\n", windows1252: Bool = false,
                      inSubdirectory sub: String? = nil) -> String {
        var dir = url
        if let sub {
            dir = url.appendingPathComponent(sub)
            try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        let text = lines.map { $0 + ending }.joined()
        let path = dir.appendingPathComponent(name).path
        let bytes = windows1252 ? Bytes.cp1252(text) : Bytes.utf8(text)
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        return path
    }
}

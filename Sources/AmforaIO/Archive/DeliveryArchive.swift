import Foundation

/// Raw delivery files, kept byte for byte as delivered, named by their SHA-256
/// (`<archive>/<first two hex digits>/<sha256>`), so `v_batch.sha256` finds the file and an
/// identical redelivery is stored once. Owner-only, as the deliveries hold CPR numbers.
///
/// A delivery is archived by a hard link when the inbox is on the same file system — no copy of
/// 3.6 GB every Friday; the fetch stage writes each delivery as a new file (temporary name, then
/// rename), so the linked bytes are never rewritten — and by a copy otherwise.
public final class DeliveryArchive {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// The archive next to a warehouse file: `amfora.sqlite` → `amfora.archive/`.
    public convenience init(forWarehouse path: String) throws {
        try self.init(directory: (path as NSString).deletingPathExtension + ".archive")
    }

    public func path(for sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Keeps the file whose digest is `sha256` (already there: nothing to do).
    @discardableResult
    public func store(_ source: String, sha256: String) throws -> String {
        let final = path(for: sha256)
        if FileManager.default.fileExists(atPath: final) { return final }
        try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if link(source, final) == 0 || errno == EEXIST {
            chmod(final, 0o400)
            return final
        }
        // Another file system: copy to a temporary name, make it durable, then name it.
        let temporary = "\(directory)/.incoming-\(getpid())-\(UUID().uuidString)"
        defer { unlink(temporary) }
        let out = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
        guard out >= 0 else { throw FileAccessError.unreadable(temporary, String(cString: strerror(errno))) }
        var failure: (any Error)?
        try FileChunks.source(path: source)({ chunk in
            guard failure == nil, var p = chunk.baseAddress else { return }
            var left = chunk.count
            while left > 0 {
                let n = write(out, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = FileAccessError.unreadable(temporary, String(cString: strerror(errno)))
                    return
                }
                p += n
                left -= n
            }
        })
        let synced = fsync(out) == 0
        close(out)
        if let failure { throw failure }
        guard synced, rename(temporary, final) == 0 else {
            throw FileAccessError.unreadable(final, String(cString: strerror(errno)))
        }
        return final
    }
}

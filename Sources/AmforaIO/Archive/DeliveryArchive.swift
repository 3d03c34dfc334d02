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
        try self.init(directory: Self.directory(beside: path))
    }

    public static func directory(beside warehouse: String) -> String {
        (warehouse as NSString).deletingPathExtension + ".archive"
    }

    public func path(for sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Keeps the file whose digest is `sha256` (already there: nothing to do). The delivery is
    /// opened once, as a regular file and without following a link; the archive links or copies
    /// that open file, and its mode is set through the descriptor: no path is followed anywhere.
    @discardableResult
    public func store(_ source: String, sha256: String) throws -> String {
        let final = path(for: sha256)
        var st = stat()
        if lstat(final, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { return final }
        do {
            try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ArchiveError(path: (final as NSString).deletingLastPathComponent, errno: ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { Int32($0.code) } ?? EIO)
        }
        let input = try FileChunks.openRegular(source)
        defer { close(input) }
        if linkat(AT_FDCWD, "/proc/self/fd/\(input)", AT_FDCWD, final, AT_SYMLINK_FOLLOW) == 0 || errno == EEXIST {
            fchmod(input, 0o400)
            return final
        }
        // Another file system: copy to a temporary name, make it durable, then name it.
        let temporary = "\(directory)/.incoming-\(getpid())-\(UUID().uuidString)"
        defer { unlink(temporary) }
        let out = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
        guard out >= 0 else { throw ArchiveError(path: temporary, errno: errno) }
        defer { close(out) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, size)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw FileAccessError.unreadable(source, String(cString: strerror(errno))) }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(out, buffer + written, n - written)
                if w < 0, errno == EINTR { continue }
                guard w > 0 else { throw ArchiveError(path: temporary, errno: errno) }
                written += w
            }
        }
        guard fsync(out) == 0, rename(temporary, final) == 0 else { throw ArchiveError(path: final, errno: errno) }
        return final
    }
}

/// The archive could not keep a delivery: the warehouse's side failed (a full disk, say), not
/// the delivery, so the batch stops and the delivery's load is rolled back.
public struct ArchiveError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    init(path: String, errno code: Int32) {
        self.path = path
        reason = code == ENOSPC || code == EDQUOT ? "the disk is full" : String(cString: strerror(code))
    }

    public var description: String {
        "cannot write the archive file \(path): \(reason); the delivery's load was rolled back — free the cause, then run the same command again"
    }
}

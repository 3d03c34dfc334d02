import Foundation

/// Raw delivery files, kept byte for byte as delivered, named by their SHA-256
/// (`<archive>/<first two hex digits>/<sha256>`), so `v_batch.sha256` finds the file and an
/// identical redelivery is stored once. Written from the same read pass that parses the file;
/// files are owner-only, as the deliveries hold CPR numbers.
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

    /// A file being written; `commit` names it by its digest, `discard` removes it.
    public final class Writer {
        let temporary: String
        let archive: DeliveryArchive
        private var fd: Int32
        private var failed: (any Error)?

        init(archive: DeliveryArchive) throws {
            self.archive = archive
            temporary = "\(archive.directory)/.incoming-\(getpid())-\(UUID().uuidString)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw FileAccessError.unreadable(temporary, String(cString: strerror(errno))) }
        }

        deinit {
            if fd >= 0 { close(fd) }
            unlink(temporary)
        }

        public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard failed == nil, var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = Foundation.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = FileAccessError.unreadable(temporary, String(cString: strerror(errno)))
                    return
                }
                p += n
                left -= n
            }
        }

        /// Makes the file durable under its digest (keeping an identical one already there).
        @discardableResult
        public func commit(sha256: String) throws -> String {
            if let failed { throw failed }
            guard fsync(fd) == 0 else { throw FileAccessError.unreadable(temporary, String(cString: strerror(errno))) }
            close(fd)
            fd = -1
            let final = archive.path(for: sha256)
            try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if FileManager.default.fileExists(atPath: final) { return final }
            guard rename(temporary, final) == 0 else { throw FileAccessError.unreadable(final, String(cString: strerror(errno))) }
            return final
        }
    }

    public func writer() throws -> Writer { try Writer(archive: self) }
}

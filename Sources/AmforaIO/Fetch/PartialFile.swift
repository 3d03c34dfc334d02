import Foundation

/// A delivery being downloaded: a hidden file in the inbox (`.NAME.amfora-part`) that becomes
/// `NAME` only once complete and verified, by an atomic rename. Downstream stages never see a
/// half file, and a file is hashed as it is written, not read twice.
public final class PartialFile {
    public static let suffix = ".amfora-part"

    public let inbox: String
    public let name: String
    /// The size the server listed; more bytes than this is refused (a changed file or a server
    /// that ignored REST), so a hostile server cannot fill the disk.
    let expectedSize: Int64?
    public private(set) var count: Int64 = 0
    /// Why the last write was refused, for the error message.
    private(set) var refusal: SourceError?
    var onProgress: ((Int64) -> Void)?

    private var fd: Int32
    private var digest = FileDigest()

    var tempPath: String { inbox + "/." + name + Self.suffix }
    var finalPath: String { inbox + "/" + name }

    /// `name` must have passed RemoteName.problem: it has no '/', no '..' and no leading dot.
    init(inbox: String, name: String, expectedSize: Int64?) throws(SourceError) {
        self.inbox = inbox
        self.name = name
        self.expectedSize = expectedSize
        fd = -1
        fd = try Self.create(inbox + "/." + name + Self.suffix)
    }

    deinit { discard() }

    /// Personal data: readable by the owner only.
    private static func create(_ path: String) throws(SourceError) -> Int32 {
        unlink(path)  // a leftover of an earlier run, or a link someone planted: never written through
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SourceError(.local, "cannot create \(path): \(FileSystem.errnoText())") }
        return fd
    }

    /// Appends a chunk; false stops the transfer (see `refusal`).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let expectedSize, count + Int64(bytes.count) > expectedSize {
            refusal = SourceError(.tooMuchData, "the server sent more than the \(expectedSize) bytes it listed")
            return false
        }
        guard FileSystem.writeAll(fd, bytes) else {
            refusal = SourceError(.local, "cannot write \(tempPath): \(FileSystem.errnoText())")
            return false
        }
        digest.update(bytes.bindMemory(to: UInt8.self))
        count += Int64(bytes.count)
        onProgress?(count)
        return true
    }


    /// Forgets what was received, for a transfer that must start again at byte 0.
    func restart() throws(SourceError) {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw SourceError(.local, "cannot truncate \(tempPath): \(FileSystem.errnoText())")
        }
        count = 0
        refusal = nil
        digest = FileDigest()
    }

    func clearRefusal() { refusal = nil }

    /// Makes the delivery visible under its name; returns its SHA-256.
    func commit() throws(SourceError) -> String {
        guard fsync(fd) == 0 else { throw SourceError(.local, "cannot sync \(tempPath): \(FileSystem.errnoText())") }
        close(fd)
        fd = -1
        try FileSystem.rename(tempPath, to: finalPath)
        return digest.finish()
    }

    /// Removes the temporary file (a failed or abandoned transfer).
    func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(tempPath)
    }
}

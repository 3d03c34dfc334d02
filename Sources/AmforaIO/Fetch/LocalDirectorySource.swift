public import AmforaCore
import Foundation

/// Deliveries in a local (or mounted) directory: the same selection, completeness and
/// exactly-once rules as FTP, so a test, a mounted share and the server behave alike.
public final class LocalDirectorySource: DeliverySource {
    public let path: String

    public init(path: String) throws(SourceError) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw SourceError(.missingDirectory, "cannot list \(path): no such directory")
        }
        self.path = path
    }

    public var displayName: String { path }
    public var isPlaintext: Bool { false }
    public var canResume: Bool { true }

    /// readdir, not FileManager: names are taken as bytes, whatever their encoding.
    public func list(needsFacts _: (String) -> Bool) throws(SourceError) -> Listing {
        guard let dir = opendir(path) else {
            throw SourceError(.missingDirectory, "cannot list \(path): \(FileSystem.errnoText())")
        }
        defer { closedir(dir) }
        var entries: [RemoteEntry] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // gone since readdir
            let kind: RemoteEntry.Kind = switch st.st_mode & S_IFMT {
            case S_IFREG: .file
            case S_IFDIR: .directory
            default: .other(FileChunks.kind(of: st.st_mode) ?? "a special file")
            }
            entries.append(RemoteEntry(name: name, kind: kind, size: Int64(st.st_size), modified: Int64(st.st_mtim.tv_sec)))
        }
        return Listing(entries: entries)
    }

    public func currentFacts(of name: String) throws(SourceError) -> RemoteEntry? {
        var st = stat()
        guard lstat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return RemoteEntry(name: name, size: Int64(st.st_size), modified: Int64(st.st_mtim.tv_sec))
    }

    public func download(_ name: String, from offset: Int64, into file: PartialFile) throws(SourceError) {
        let source = path + "/" + name
        let fd: Int32
        do { fd = try FileChunks.openRegular(source) } catch FileAccessError.missing {
            throw SourceError(.fileGone, "cannot read \(source): no such file")
        } catch {
            throw SourceError(.local, "cannot read \(error)")
        }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var at = off_t(offset)
        while true {
            let n = pread(fd, buffer.baseAddress, size, at)
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceError(.other, "cannot read \(source): \(FileSystem.errnoText())", transient: true)
            }
            if n == 0 { return }
            guard file.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) else {
                throw file.refusal ?? SourceError(.local, "cannot write \(file.name)")
            }
            at += off_t(n)
        }
    }
}

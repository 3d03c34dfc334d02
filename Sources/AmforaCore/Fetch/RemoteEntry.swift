/// One entry of a delivery directory listing, as the server (or the local file system) describes
/// it. Size and modification time are optional because a server without MLSD may not say.
public struct RemoteEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file
        case directory
        /// Anything else the server reports (a link, a device, an `OS.unix=…` type).
        case other(String)
    }

    public let name: String
    public let kind: Kind
    /// Bytes.
    public let size: Int64?
    /// Whole seconds since 1970-01-01 UTC.
    public let modified: Int64?

    public init(name: String, kind: Kind = .file, size: Int64?, modified: Int64?) {
        self.name = name
        self.kind = kind
        self.size = size
        self.modified = modified
    }

    /// Same size and modification time: what "unchanged" means when the bytes are not at hand.
    public func sameFacts(as other: RemoteEntry) -> Bool {
        size == other.size && modified == other.modified
    }
}

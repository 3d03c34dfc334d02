/// Remote names are data, never paths: a name that could leave the inbox, hide itself or play
/// tricks on a terminal is refused before anything is written.
public enum RemoteName {
    /// NAME_MAX on Linux and the classic FTP limit.
    public static let maxBytes = 255

    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        case empty
        case tooLong(bytes: Int)
        case slash
        case backslash
        case dotDot
        case controlCharacter
        /// A leading dot: hidden files, upload temporaries (`.pureftpd-upload.*`), our own state.
        case hidden

        /// Hidden names are routine on servers; everything else is a name nobody should send.
        public var isHostile: Bool { self != .hidden }

        public var description: String {
            switch self {
            case .empty: "the name is empty"
            case .tooLong(let n): "the name is \(n) bytes long (at most \(RemoteName.maxBytes))"
            case .slash: "the name contains '/'"
            case .backslash: "the name contains '\\'"
            case .dotDot: "the name contains '..'"
            case .controlCharacter: "the name contains a control character"
            case .hidden: "the name starts with '.'"
            }
        }
    }

    /// Why `name` must not become a file in the inbox, or nil when it may.
    public static func problem(_ name: String) -> Problem? {
        if name.isEmpty { return .empty }
        // Control characters first: they are the most dangerous to echo back in later messages.
        if name.unicodeScalars.contains(where: isControl) { return .controlCharacter }
        if name.utf8.count > maxBytes { return .tooLong(bytes: name.utf8.count) }
        if name.contains("/") { return .slash }
        if name.contains("\\") { return .backslash }
        if name.contains("..") { return .dotDot }
        if name.hasPrefix(".") { return .hidden }
        return nil
    }

    /// `name` fit for a log line or a mail: quoted, with control characters, backslashes and
    /// bidirectional overrides escaped, so a hostile name cannot rewrite the operator's screen.
    public static func printable(_ name: String) -> String {
        var out = "\""
        for s in name.unicodeScalars {
            if isControl(s) || isBidiControl(s) {
                out += "\\u{" + String(s.value, radix: 16) + "}"
            } else if s == "\\" || s == "\"" {
                out += "\\" + String(s)
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out + "\""
    }

    /// C0, DEL and C1 (Unicode general category Cc).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F)
    }

    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value) || s.value == 0x200E || s.value == 0x200F
    }
}

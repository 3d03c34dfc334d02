/// The `~/.netrc` format (`machine H login U password P`, `default`, `macdef`), parsed here so
/// that the credentials go to libcurl as USERNAME/PASSWORD and never into a URL.
/// Quoted tokens (`"a b"`, `\"` inside) and `#` comments are accepted as curl accepts them.
public struct Netrc: Sendable {
    public struct Entry: Sendable, Equatable {
        /// nil for the `default` entry.
        public var machine: String?
        public var login: String?
        public var password: String?
    }

    public private(set) var entries: [Entry] = []

    public init(_ text: String) {
        var tokens = Self.tokens(text)[...]
        var current: Entry?
        while let token = tokens.popFirst() {
            switch token {
            case "machine":
                if let c = current { entries.append(c) }
                current = Entry(machine: tokens.popFirst() ?? "")
            case "default":
                if let c = current { entries.append(c) }
                current = Entry(machine: nil)
            case "login": current?.login = tokens.popFirst()
            case "password": current?.password = tokens.popFirst()
            case "account": _ = tokens.popFirst()
            case "macdef": _ = tokens.popFirst()  // the macro body was dropped by the tokenizer
            default: break
            }
        }
        if let c = current { entries.append(c) }
    }

    /// The first entry for `host` (case-insensitive), else the `default` entry.
    public func entry(for host: String) -> Entry? {
        entries.first { $0.machine?.lowercased() == host.lowercased() } ?? entries.first { $0.machine == nil }
    }

    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let raw = lines.popFirst() {
            var line = Substring(raw)
            while true {
                line = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
                guard let first = line.first, first != "#" else { break }
                if first == "\"" {
                    var token = "", escaped = false
                    line = line.dropFirst()
                    while let c = line.popFirst() {
                        if escaped { token.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { token.append(c) }
                    }
                    out.append(token)
                } else {
                    let token = line.prefix { $0 != " " && $0 != "\t" && $0 != "\r" }
                    line = line.dropFirst(token.count)
                    out.append(String(token))
                }
                // A macro body runs to the next empty line; it holds no credentials.
                if out.count >= 2, out[out.count - 2] == "macdef" {
                    while let next = lines.popFirst(), !next.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {}
                    break
                }
            }
        }
        return out
    }
}

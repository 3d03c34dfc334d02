/// A directory listing: its entries, and the lines that could not be read as entries (a name
/// with a line feed in it splits into two), which are reported, never guessed at.
public struct Listing: Sendable, Equatable {
    public var entries: [RemoteEntry]
    public var unparsed: [String]

    public init(entries: [RemoteEntry] = [], unparsed: [String] = []) {
        self.entries = entries
        self.unparsed = unparsed
    }
}

/// Machine-readable listings (RFC 3659 MLSD): `fact=value;fact=value; name`, one entry a line.
/// Facts are preferred to parsing LIST output, whose format is whatever the server's `ls` prints.
public enum MLSDListing {
    /// Parses a whole MLSD response body; lines end in CRLF or LF.
    /// Works on bytes because Swift treats CRLF as one character.
    public static func parse(_ body: [UInt8]) -> Listing {
        var parsed = Listing()
        for var line in body.split(separator: 0x0A, omittingEmptySubsequences: true) {
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { continue }
            switch parseLine(line) {
            case .entry(let e): parsed.entries.append(e)
            case .directoryItself: break
            case .unparsable: parsed.unparsed.append(String(decoding: line, as: UTF8.self))
            }
        }
        return parsed
    }

    enum Line: Equatable {
        case entry(RemoteEntry)
        /// The `cdir`/`pdir` entries (the directory itself and its parent) are not contents.
        case directoryItself
        case unparsable
    }

    static func parseLine(_ line: ArraySlice<UInt8>) -> Line {
        // The first space ends the facts; the name is everything after it, spaces included.
        guard let space = line.firstIndex(of: 0x20) else { return .unparsable }
        let name = String(decoding: line[(space + 1)...], as: UTF8.self)
        var facts: [String: String] = [:]
        for fact in line[..<space].split(separator: 0x3B) {  // ';'
            guard let eq = fact.firstIndex(of: 0x3D) else { return .unparsable }  // '='
            let key = String(decoding: fact[..<eq], as: UTF8.self).lowercased()
            facts[key] = String(decoding: fact[(eq + 1)...], as: UTF8.self)
        }
        let type = facts["type"]?.lowercased()
        let kind: RemoteEntry.Kind
        switch type {
        case "file", nil: kind = .file
        case "dir": kind = .directory
        case "cdir", "pdir": return .directoryItself
        case let other?: kind = .other(other)
        }
        return .entry(RemoteEntry(name: name, kind: kind, size: facts["size"].flatMap { Int64($0) },
                                  modified: facts["modify"].flatMap(FTPTime.epochSeconds)))
    }
}

/// The time values of MLSD `modify` and MDTM: `YYYYMMDDHHMMSS[.sss]`, always UTC (RFC 3659 2.3).
public enum FTPTime {
    public static func epochSeconds(_ text: some StringProtocol) -> Int64? {
        let whole = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard whole.count == 14, whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = Array(whole)
        func number(_ from: Int, _ count: Int) -> Int { Int(String(digits[from..<(from + count)]))! }
        let hour = number(8, 2), minute = number(10, 2), second = number(12, 2)
        guard let day = Day(year: number(0, 4), month: number(4, 2), day: number(6, 2)),
              hour < 24, minute < 60, second < 61 else { return nil }
        return Int64(day.ordinal) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}

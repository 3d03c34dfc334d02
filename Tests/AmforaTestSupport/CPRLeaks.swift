/// Full CPR numbers in any text a test scans (an output, a report, a file), found independently of
/// the program's own masking: ten consecutive digits (or six, a hyphen and four) whose first six
/// start with a plausible day and month, wherever they stand — inside a longer run of digits too.
public enum CPRLeaks {
    public static func find(in text: String) -> [String] {
        let chars = Array(text)
        func digit(_ i: Int) -> Int? { i < chars.count && chars[i].isASCII ? chars[i].wholeNumberValue : nil }
        func birth(_ i: Int) -> Bool {
            guard let a = digit(i), let b = digit(i + 1), let c = digit(i + 2), let d = digit(i + 3),
                  digit(i + 4) != nil, digit(i + 5) != nil else { return false }
            return (1...31).contains(a * 10 + b) && (1...12).contains(c * 10 + d)
        }
        var found: [String] = []
        for i in chars.indices where birth(i) {
            if (6..<10).allSatisfy({ digit(i + $0) != nil }) { found.append(String(chars[i..<(i + 10)])) }
            if i + 10 < chars.count, chars[i + 6] == "-", (7..<11).allSatisfy({ digit(i + $0) != nil }) {
                found.append(String(chars[i..<(i + 11)]))
            }
        }
        return found
    }
}

/// True when `text` holds a full CPR number anywhere (`CPRLeaks`).
public func containsFullCPR(_ text: String) -> Bool { !CPRLeaks.find(in: text).isEmpty }

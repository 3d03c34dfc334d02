/// One entry of a guideline code list, with the period in which it may be used.
public struct CodeEntry: Sendable, Hashable {
    public let code: Int
    /// Inclusive; nil when the code has always been valid.
    public let validFrom: Day?
    /// Exclusive; nil when open-ended.
    public let validTo: Day?
    /// What using the code with a start date outside its period costs.
    public let outsideSeverity: Severity
    /// The list's own extra column (Stedkode's O/P/S; current/legacy for Foranstalt).
    public let attribute: String
    public let label: String

    public func isValid(on day: Day) -> Bool {
        if let f = validFrom, day < f { return false }
        if let t = validTo, day >= t { return false }
        return true
    }
}

/// A code list with O(1) lookup by code (codes are small non-negative integers).
public struct CodeList: Sendable {
    public let name: String
    public let entries: [CodeEntry]
    private let slots: [Int32]   // code → index into entries, -1 if absent

    init(name: String, entries: [CodeEntry]) {
        self.name = name
        self.entries = entries
        var slots = [Int32](repeating: -1, count: (entries.map(\.code).max() ?? 0) + 1)
        for (i, e) in entries.enumerated() { slots[e.code] = Int32(i) }
        self.slots = slots
    }

    /// Membership without materialising the entry (the hot path asks only this).
    @inline(__always)
    public func contains(_ code: Int) -> Bool { code >= 0 && code < slots.count && slots[code] >= 0 }

    public subscript(code: Int) -> CodeEntry? {
        guard code >= 0, code < slots.count else { return nil }
        let i = slots[code]
        return i < 0 ? nil : entries[Int(i)]
    }

    /// The earliest day any code of the list is valid (nil if some code has no start).
    public var firstValidDay: Day? {
        let froms = entries.map(\.validFrom)
        if froms.contains(where: { $0 == nil }) { return nil }
        return froms.compactMap { $0 }.min()
    }
}

/// The code lists of guideline 52.1 (codelists.tsv) and the 98 municipalities (kommuner.tsv).
public struct CodeListCatalog: Sendable {
    public let lists: [String: CodeList]
    /// Municipality code → name (reference/kommuner.tsv; match on the code, never the name).
    public let municipalities: [Int: String]
    /// Hash of the tables it was read from: part of what a line's verdict depends on (`LineHasher`).
    public let fingerprint: UInt64

    public static let standard: CodeListCatalog = {
        do {
            return try CodeListCatalog(codeLists: ResourceTable.text(named: "codelists"),
                                       municipalities: ResourceTable.text(named: "kommuner"))
        } catch { fatalError("amfora's code lists are unusable: \(error)") }
    }()

    public init(codeLists tsv: String, municipalities kommuner: String) throws {
        var h = FNV()
        h.text(tsv)
        h.text(kommuner)
        fingerprint = h.value
        var grouped: [String: [CodeEntry]] = [:]
        for row in ResourceTable.rows(tsv, file: "codelists.tsv") {
            let c = row.cells
            guard let list = c["list"], let code = Int(c["code"] ?? ""),
                  let sev = Severity(rawValue: c["outside_severity"] ?? "") else {
                throw CatalogError.badRow(file: "codelists.tsv", line: row.line, reason: "bad list, code or severity")
            }
            func day(_ k: String) throws -> Day? {
                guard let s = c[k], !s.isEmpty else { return nil }
                guard let d = Day(iso: s) else {
                    throw CatalogError.badRow(file: "codelists.tsv", line: row.line, reason: "bad \(k) \(s)")
                }
                return d
            }
            grouped[list, default: []].append(CodeEntry(
                code: code, validFrom: try day("valid_from"), validTo: try day("valid_to"),
                outsideSeverity: sev, attribute: c["attribute"] ?? "", label: c["label"] ?? ""))
        }
        lists = grouped.mapValues { entries in CodeList(name: "", entries: entries) }
            .reduce(into: [:]) { acc, kv in acc[kv.key] = CodeList(name: kv.key, entries: kv.value.entries) }
        var m: [Int: String] = [:]
        for row in ResourceTable.rows(kommuner, file: "kommuner.tsv", header: false) where row.raw.count >= 2 {
            guard let code = Int(row.raw[0]) else {
                throw CatalogError.badRow(file: "kommuner.tsv", line: row.line, reason: "bad code \(row.raw[0])")
            }
            m[code] = row.raw[1]
        }
        municipalities = m
    }

    public subscript(list: String) -> CodeList? { lists[list] }
}

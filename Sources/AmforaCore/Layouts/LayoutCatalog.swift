import Foundation

public enum CatalogError: Error, CustomStringConvertible {
    case missingResource(String)
    case badRow(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingResource(let name): "resource \(name) is missing from the amfora bundle"
        case .badRow(let file, let line, let reason): "\(file):\(line): \(reason)"
        }
    }
}

/// Reads the tab-separated data files that ship with AmforaCore. Lines starting with `#` are
/// comments; the first other line is the header.
enum ResourceTable {
    static func text(named name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "tsv", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: "tsv") else {
            throw CatalogError.missingResource("\(name).tsv")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Rows as dictionaries keyed by the header's column names, with their 1-based line numbers.
    static func rows(_ text: String, file: String, header: Bool = true) -> [(line: Int, cells: [String: String], raw: [String])] {
        var out: [(Int, [String: String], [String])] = []
        var columns: [String]?
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard header else { out.append((i + 1, [:], cells)); continue }
            guard let cols = columns else { columns = cells; continue }
            var dict: [String: String] = [:]
            for (c, v) in zip(cols, cells) { dict[c] = v }
            out.append((i + 1, dict, cells))
        }
        return out
    }
}

/// All layout versions, from `layouts.tsv`. Adding a version is a change of that file only.
public struct LayoutCatalog: Sendable {
    public let layouts: [String: Layout]
    /// Hash of the table it was read from: part of what a line's verdict depends on (`LineHasher`).
    public let fingerprint: UInt64

    public static let standard: LayoutCatalog = {
        do { return try LayoutCatalog(tsv: ResourceTable.text(named: "layouts")) }
        catch { fatalError("amfora's layout table is unusable: \(error)") }
    }()

    public init(tsv: String) throws {
        var h = FNV()
        h.text(tsv)
        fingerprint = h.value
        var fieldsByLayout: [String: [FieldSpec]] = [:]
        var order: [String] = []
        for row in ResourceTable.rows(tsv, file: "layouts.tsv") {
            func cell(_ k: String) throws -> String {
                guard let v = row.cells[k] else {
                    throw CatalogError.badRow(file: "layouts.tsv", line: row.line, reason: "no column \(k)")
                }
                return v
            }
            let kindName = try cell("kind")
            guard let start = Int(try cell("start")), let length = Int(try cell("length")), start >= 1, length >= 1,
                  let kind = FieldKind(name: kindName), let severity = Severity(rawValue: try cell("severity")),
                  let item = Int(try cell("guideline_item")) else {
                throw CatalogError.badRow(file: "layouts.tsv", line: row.line, reason: "bad start, length, kind or severity")
            }
            let layoutID = try cell("layout")
            if fieldsByLayout[layoutID] == nil { order.append(layoutID) }
            let gName = row.cells["guideline_name"].flatMap { $0.isEmpty ? nil : $0 }
            let gWidth = row.cells["guideline_width"].flatMap { Int($0) }
            fieldsByLayout[layoutID, default: []].append(FieldSpec(
                name: try cell("field"), offset: start - 1, length: length, type: try cell("type"), kind: kind,
                severity: severity, required: try cell("required") == "yes", guidelineItem: item, guidelineName: gName, guidelineWidth: gWidth))
        }
        var layouts: [String: Layout] = [:]
        for id in order {
            let fields = fieldsByLayout[id]!
            // Fields must tile the record without gaps or overlaps, or columns would silently shift.
            var expected = 0
            for f in fields {
                guard f.offset == expected else {
                    throw CatalogError.badRow(file: "layouts.tsv", line: 0,
                                              reason: "\(id).\(f.name) starts at \(f.offset + 1), expected \(expected + 1)")
                }
                expected += f.length
            }
            layouts[id] = Layout(id: id, fields: fields)
        }
        self.layouts = layouts
    }

    public subscript(id: String) -> Layout? { layouts[id] }

    public func layout(for kind: RecordKind) -> Layout { layouts[kind.currentLayoutID]! }
}

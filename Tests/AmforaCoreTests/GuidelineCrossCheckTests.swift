import Foundation
import Testing
@testable import AmforaCore

/// The layouts and code lists were transcribed once from the guideline (../shared/seed) and the
/// spec (../shared/spec). These tests read those texts and check every code, label, date and
/// width against the data files, so a typo in a transcription cannot go unnoticed.
@Suite struct GuidelineCrossCheckTests {
    static let shared = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static func text(_ path: String) throws -> [String] {
        let url = shared.appendingPathComponent(path)
        let s = try String(contentsOf: url, encoding: .utf8)
        return s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func guideline() throws -> [String] { try text("seed/vejledning-indberetning-beskaeftigelse-2011.txt") }

    /// Lines strictly between the first line equal to/starting with `from` (after `after`) and the next starting with `to`.
    static func section(_ lines: [String], from: String, to: String, occurrence: Int = 1) -> [String] {
        var seen = 0
        guard let start = lines.indices.first(where: { i in
            if lines[i].hasPrefix(from) { seen += 1 }
            return lines[i].hasPrefix(from) && seen == occurrence
        }) else { return [] }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix(to) } ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// "label 60" → ("label", 60), for table rows that end in a code.
    static func trailingCode(_ line: String) -> (String, Int)? {
        guard let space = line.lastIndex(of: " "), let code = Int(line[line.index(after: space)...]) else {
            return Int(line).map { ("", $0) }
        }
        return (String(line[..<space]), code)
    }

    let catalog = CodeListCatalog.standard

    @Test func foranstaltTablesMatchTheGuideline() throws {
        let g = try Self.guideline()
        let item3 = Self.section(g, from: "3. For alle foranstaltninger: Foranstaltningstype", to: "4. For alle foranstaltninger")
        let current = Self.section(item3, from: "Foranstaltning Kode", to: "Forløb registreret og indberettet")
        let legacy = Self.section(item3, from: "Foranstaltning Kode", to: "Særligt vedr. voksenelever", occurrence: 2)
        func codes(_ lines: [String]) -> Set<Int> {
            Set(lines.compactMap { Self.trailingCode($0)?.1 }.filter { (100...199).contains($0) })
        }
        let list = try #require(catalog["foranstalt"])
        let ours = { (attrs: Set<String>) in Set(list.entries.filter { attrs.contains($0.attribute) }.map(\.code)) }
        #expect(codes(current).count == 16)
        #expect(codes(current) == ours(["current", "both"]))
        #expect(codes(legacy) == ours(["legacy", "both"]))

        // The cut-overs: "11. oktober 2010" for the new codes, "13. december 2010" the later vendor's.
        let text = item3.joined(separator: " ")
        #expect(text.contains("11. oktober 2010") && text.contains("13. december 2010"))
        for e in list.entries where e.attribute == "current" { #expect(e.validFrom == Day(iso: "2010-10-11")) }
        for e in list.entries where e.attribute == "legacy" { #expect(e.validTo == Day(iso: "2010-12-13")) }
    }

    @Test func hovedydelseMatchesTheGuideline() throws {
        let rows = Self.section(try Self.guideline(), from: "Forsørgelsesgrundlag Kode", to: "Særligt vedr. personer i løntilskud")
            .compactMap(Self.trailingCode).filter { !$0.0.isEmpty }
        let list = try #require(catalog["hovedydelse"])
        #expect(rows.count == 15)
        #expect(Set(rows.map(\.1)) == Set(list.entries.map(\.code)))
        for (label, code) in rows { #expect(list[code]?.label == label, "\(code)") }
    }

    @Test func stedkodeMatchesTheGuideline() throws {
        let rows = Self.section(try Self.guideline(), from: "Stedkode Off/Privat Kode", to: "14. For virksomhedsrettede")
            .compactMap(Self.trailingCode).filter { !$0.0.isEmpty }
        let list = try #require(catalog["stedkode"])
        #expect(rows.count == 20)
        #expect(Set(rows.map(\.1)) == Set(list.entries.map(\.code)))
        for (labelAndSector, code) in rows {
            let parts = labelAndSector.split(separator: " ")
            let sector = String(parts.last!), label = parts.dropLast().joined(separator: " ")
            #expect(list[code]?.label == label, "\(code)")
            #expect(list[code]?.attribute == sector, "\(code)")
        }
    }

    @Test func ministeromraadeMatchesTheGuidelineWithItsDates() throws {
        let rows = Self.section(try Self.guideline(), from: "Ministerområde Startdato Slutdato Kode", to: "17. For virksomhedsrettede")
            .filter { !$0.isEmpty }
        let list = try #require(catalog["ministeromraade"])
        #expect(rows.count == 21)
        #expect(list.entries.count == 21)
        for row in rows {
            let p = row.split(separator: " ")
            let code = try #require(Int(p[p.count - 1]))
            let entry = try #require(list[code], "\(code)")
            #expect(entry.validFrom == Day(iso: p[p.count - 3]), "\(code)")
            #expect(entry.validTo == Day(iso: p[p.count - 2]), "\(code)")
            #expect(entry.label == p.dropLast(3).joined(separator: " "), "\(code)")
        }
    }

    @Test func layoutWidthsMatchTheGuidelinesFormats() throws {
        let g = try Self.guideline()
        func declared(_ lines: [String]) -> [(String, Int)] {
            lines.compactMap { line in
                let p = line.split(separator: " ")
                guard p.count >= 3, ["Char", "Num", "num", "Boolean"].contains(p[1]), let w = Int(p[2]) else { return nil }
                return (String(p[0]), w)
            }
        }
        for (section, end, layoutID) in [("52.2. Formater", "§ 53.", "52.2-v1"), ("57.2. Formater", "§ 58.", "57.2-v1")] {
            let guideline = declared(Self.section(g, from: section, to: end))
            let layout = try #require(LayoutCatalog.standard[layoutID])
            let ours = layout.fields.compactMap { f in f.guidelineWidth.map { (f.guidelineName!, $0) } }
            #expect(guideline.map(\.0) == ours.map(\.0), "\(layoutID)")
            #expect(guideline.map(\.1) == ours.map(\.1), "\(layoutID)")
            for f in layout.fields { if let w = f.guidelineWidth { #expect(f.length == w, "\(f.name)") } }
        }
    }

    /// The column positions are the project's own (flat-files.md); the layout file must say the same.
    @Test func layoutPositionsMatchTheSpec() throws {
        let spec = try Self.text("spec/flat-files.md")
        for (heading, layoutID) in [("## Layout `52.2-v1`", "52.2-v1"), ("## Layout `57.2-v1`", "57.2-v1")] {
            let rows = Self.section(spec, from: heading, to: "##").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| pos") }
                .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            let layout = try #require(LayoutCatalog.standard[layoutID])
            #expect(rows.count == layout.fields.count, "\(layoutID)")
            for (row, f) in zip(rows, layout.fields) {
                #expect(Int(row[0]) == f.offset + 1, "\(f.name)")
                #expect(Int(row[1]) == f.length, "\(f.name)")
                #expect(row[2] == f.name)
                #expect(row[3] == f.type, "\(f.name)")
            }
        }
    }

    @Test func municipalitiesAreTheReferenceNinetyEight() throws {
        let rows = try Self.text("reference/kommuner.tsv").filter { !$0.isEmpty }.map { $0.split(separator: "\t") }
        #expect(rows.count == 98)
        #expect(catalog.municipalities.count == 98)
        for r in rows { #expect(catalog.municipalities[Int(r[0])!] == String(r[1])) }
        #expect(catalog.municipalities[411] == nil)  // Christiansø is not a municipality
    }
}

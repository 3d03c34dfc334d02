import Foundation
import Testing
@testable import AmforaCore
import AmforaTestSupport

/// A line is recognised only under everything its verdict depends on (`LineHasher`).
@Suite struct LineHasherTests {
    let activation = LayoutCatalog.standard["52.2-v1"]!
    let line = Bytes.utf8(LineBuilder.activation().text)

    func hash(_ bytes: [UInt8], build: UInt64 = 7, options: ValidationOptions = ValidationOptions(), layout: Layout? = nil,
              encoding: TextEncoding = .utf8, komnr: Int = 101, kind: RecordKind = .amfora) -> Int64 {
        let h = LineHasher(build: build, options: options, layout: layout ?? activation, encoding: encoding, komnr: komnr, kind: kind)
        return bytes.withUnsafeBufferPointer { h.hash($0) }
    }

    /// The code lists with one changed: 139 valid only before 2000.
    static func otherCodeLists() throws -> CodeListCatalog {
        let text = try ResourceTable.text(named: "codelists")
        let changed = text.replacingOccurrences(of: "foranstalt\t139\t\t\t", with: "foranstalt\t139\t\t2000-01-01\t")
        #expect(changed != text)
        return try CodeListCatalog(codeLists: changed, municipalities: ResourceTable.text(named: "kommuner"))
    }

    @Test func theSameLineUnderTheSameRulesHashesTheSame() {
        #expect(hash(line) == hash(line))
        #expect(hash(line) != 0 && hash([]) != 0)
    }

    @Test func everythingAVerdictDependsOnChangesTheHash() throws {
        let base = hash(line)
        let layouts = try LayoutCatalog(tsv: ResourceTable.text(named: "layouts") + "\n")
        var others: [(String, Int64)] = [
            ("build", hash(line, build: 8)),
            ("encoding", hash(line, encoding: .windows1252)),
            ("municipality", hash(line, komnr: 147)),
            ("kind", hash(line, kind: .hjaelp1)),
            ("layout", hash(line, layout: LayoutCatalog.standard["57.2-v1"]!)),
            ("code lists", hash(line, options: ValidationOptions(catalog: try Self.otherCodeLists()))),
            ("layout table", hash(line, options: ValidationOptions(layouts: layouts))),
        ]
        others.append(("nothing", base))
        for (what, h) in others.dropLast() { #expect(h != base, "a change of \(what) left the hash as it was") }
        #expect(others.last!.1 == base)
    }

    @Test func anyChangedByteChangesTheHash() {
        var rng = SystemRandomNumberGenerator()
        let base = hash(line)
        for i in line.indices {
            var changed = line
            changed[i] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(hash(changed) != base, "byte \(i)")
        }
        #expect(hash(line + [0x20]) != base, "a trailing blank")
        #expect(hash(Array(line.dropLast())) != base, "a byte fewer")
    }
}

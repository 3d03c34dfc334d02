import AmforaCore
import AmforaTestSupport
import Testing

@Suite struct RecordStoreTests {
    /// What a record view shows: every value, every field's raw text, the masked text.
    func describe(_ r: RecordView) -> [String] {
        r.layout.fields.indices.map { "\(r[$0]) \(r.unmaskedRaw($0)) \(r.raw($0)) \(r.string($0) ?? "nil")" }
    }

    func roundTrip(_ bytes: [UInt8]) throws {
        var seen: [(String, Int, Int64, Int64?)] = []
        var store: RecordStore?
        _ = try DeliveryValidator.validate(
            fileName: "AMFORA_101_20241108.txt", source: DeliveryValidator.memorySource(bytes, chunkSize: 97),
            onFinding: { _ in },
            onLine: { line in
                guard let r = line.record else { return }
                if store == nil { store = RecordStore(layout: r.layout) }
                let hash = RecordIdentity.contentHash(r)
                let lineHash: Int64? = line.number.isMultiple(of: 2) ? nil : hash &* 31
                store!.append(r, line: line.number, hash: hash, lineHash: lineHash)
                seen.append((describe(r).joined(separator: "\n"), line.number, hash, lineHash))
            })
        let s = try #require(store)
        #expect(s.count == seen.count)
        var k = 0
        s.forEach { r, line, hash, lineHash in
            #expect(describe(r).joined(separator: "\n") == seen[k].0)
            #expect(line == seen[k].1)
            #expect(hash == seen[k].2)
            #expect(lineHash == seen[k].3)
            #expect(RecordIdentity.contentHash(r) == hash)
            k += 1
        }
        #expect(k == seen.count)
    }

    @Test func recordsCopiedOutReadAsTheyWereParsed() throws {
        let lines = [
            LineBuilder.activation().text,
            "",
            LineBuilder.activation(["CPRnr": "0202851234", "Navn": "Åse Ærø", "Timetal": "45"]).text,
            LineBuilder.activation(["CPRnr": "0303801234", "Slutdt": "01-01-2024", "Adresse": ""]).text,
        ]
        try roundTrip(Bytes.utf8(lines.joined(separator: "\r\n") + "\r\n"))
        try roundTrip(Bytes.cp1252(lines.joined(separator: "\n") + "\n"))
    }

    @Test func anEmptyStoreHasNothingToGive() {
        let s = RecordStore(layout: LayoutCatalog.standard["52.2-v1"]!)
        var calls = 0
        s.forEach { _, _, _, _ in calls += 1 }
        #expect(calls == 0 && s.isEmpty && s.footprint == 0)
    }
}

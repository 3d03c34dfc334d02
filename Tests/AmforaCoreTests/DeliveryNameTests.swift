import Testing
@testable import AmforaCore

@Suite struct DeliveryNameTests {
    let kommuner = CodeListCatalog.standard.municipalities

    @Test func readsKindMunicipalityAndBatchDate() throws {
        let n = try DeliveryName.parse("AMFORA_101_20241108.txt", municipalities: kommuner).get()
        #expect(n == DeliveryName(kind: .amfora, komnr: 101, batchDate: Day(iso: "2024-11-08")!))
        #expect(try DeliveryName.parse("hjaelp2_492_20241108.DAT", municipalities: kommuner).get().kind == .hjaelp2)
        #expect(try DeliveryName.parse("HJAELP1_851_20241108.Txt", municipalities: kommuner).get().komnr == 851)
        #expect(n.fileName == "AMFORA_101_20241108.txt")
    }

    @Test(arguments: ["README.txt", "AMFORA_101_2024110.txt", "AMFORA_101_20241108.csv", "AMFORA_1010_20241108.txt",
                      "AMFORA_101_20241108", "HJAELP3_101_20241108.txt", "AMFORA-101-20241108.txt", "AMFORA_10a_20241108.txt",
                      ".AMFORA_101_20241108.txt.part"])
    func notADelivery(_ name: String) {
        guard case .failure(.notADelivery) = DeliveryName.parse(name, municipalities: kommuner) else {
            Issue.record("\(name) taken for a delivery")
            return
        }
    }

    @Test func unknownMunicipalityAndBadDate() {
        #expect(DeliveryName.parse("AMFORA_411_20241108.txt", municipalities: kommuner) == .failure(.unknownMunicipality(411)))
        #expect(DeliveryName.parse("AMFORA_101_20240230.txt", municipalities: kommuner) == .failure(.badDate("20240230")))
    }
}

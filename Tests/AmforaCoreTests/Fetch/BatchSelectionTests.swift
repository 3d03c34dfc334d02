import Testing
@testable import AmforaCore

@Suite struct BatchSelectionTests {
    let kommuner = CodeListCatalog.standard.municipalities
    let batch = Day(iso: "2024-11-08")!

    func file(_ name: String, size: Int64 = 10, modified: Int64 = 1000) -> RemoteEntry {
        RemoteEntry(name: name, size: size, modified: modified)
    }

    @Test func picksTheBatchsDeliveriesByName() {
        let s = BatchSelection([
            file("HJAELP1_147_20241108.TXT"), file("AMFORA_101_20241108.txt"), file("amfora_147_20241108.dat"),
            file("AMFORA_101_20241101.txt"), file("README.txt"), file("AMFORA_411_20241108.txt"),
            file(".pureftpd-upload.5f3a"), file("..\\AMFORA_101_20241108.txt"),
            RemoteEntry(name: "AMFORA_851_20241108.txt", kind: .directory, size: nil, modified: nil),
        ], batch: batch, municipalities: kommuner)
        #expect(s.deliveries.map(\.name) == ["AMFORA_101_20241108.txt", "amfora_147_20241108.dat", "HJAELP1_147_20241108.TXT"])
        #expect(s.ignored.map(\.reason) == [
            .otherBatch(Day(iso: "2024-11-01")!),
            .notADelivery("expected KIND_komnr_yyyymmdd, e.g. AMFORA_101_20241108.txt"),
            .notADelivery("municipality 411 in the file name is not one of the 98 municipality codes"),
            .hidden, .refused(.backslash), .notADelivery("a directory"),
        ])
    }

    @Test func doneMarkersAreNotReportedAsJunk() {
        let s = BatchSelection([file("AMFORA_101_20241108.txt"), file("amfora_101_20241108.txt.DONE"), file("notes.done")],
                               batch: batch, municipalities: kommuner)
        #expect(s.hasDoneMarker("AMFORA_101_20241108.txt"))
        #expect(!s.hasDoneMarker("AMFORA_147_20241108.txt"))
        #expect(s.ignored.map(\.name) == ["notes.done"])
    }

    @Test func aNameListedTwiceIsTrustedInNeitherCopy() {
        // "x\ntype=file;size=9; AMFORA_101_20241108.txt" on the server forges a second line.
        let s = BatchSelection([file("AMFORA_101_20241108.txt"), file("AMFORA_101_20241108.txt", size: 9),
                                file("AMFORA_147_20241108.txt")], batch: batch, municipalities: kommuner)
        #expect(s.deliveries.map(\.name) == ["AMFORA_147_20241108.txt"])
        #expect(s.ignored.map(\.reason) == [.listedTwice, .listedTwice])
        var summary = FetchSummary(source: "/in", batch: batch, plaintext: false)
        summary.ignored = s.ignored
        #expect(summary.exitCode == 1)
    }

    @Test func onlyBatchNamesNeedFactsInTheFallbackListing() {
        #expect(BatchSelection.mayMatter("AMFORA_101_20241108.txt", batch: batch, municipalities: kommuner))
        #expect(BatchSelection.mayMatter("AMFORA_101_20241108.txt.done", batch: batch, municipalities: kommuner))
        #expect(!BatchSelection.mayMatter("AMFORA_101_20241101.txt", batch: batch, municipalities: kommuner))
        #expect(!BatchSelection.mayMatter("README.txt", batch: batch, municipalities: kommuner))
        #expect(!BatchSelection.mayMatter(".AMFORA_101_20241108.txt", batch: batch, municipalities: kommuner))
    }
}

import Testing
@testable import AmforaCore

@Suite struct FetchReportTests {
    let kommuner = CodeListCatalog.standard.municipalities
    let batch = Day(iso: "2024-11-08")!

    func item(_ name: String, _ outcome: FetchSummary.Outcome) -> FetchSummary.Item {
        let d = try! DeliveryName.parse(name, municipalities: kommuner).get()
        return FetchSummary.Item(delivery: DeliveryEntry(entry: RemoteEntry(name: name, size: 10, modified: 0), delivery: d),
                                 outcome: outcome)
    }

    @Test func aGoodFridayIsAFewLines() {
        var s = FetchSummary(source: "ftp://h:21/out", batch: batch, plaintext: false)
        for k in kommuner.keys.sorted() {
            s.items.append(item("AMFORA_\(FetchReport.pad3(k))_20241108.txt", .fetched(bytes: 1_000_000, sha256: "x")))
        }
        s.ignored = [IgnoredEntry(name: "AMFORA_101_20241101.txt", reason: .otherBatch(batch + -7))]
        s.seconds = 2
        let lines = FetchReport.lines(s, municipalities: kommuner)
        #expect(lines.count <= 8)  // headline, ~5 wrapped lines of codes, the other-batch note
        #expect(lines[0] == "fetch 2024-11-08 from ftp://h:21/out (TLS): 98 fetched; 98.0 MB in 2.0 s (49.0 MB/s)")
        #expect(s.exitCode == 0)
    }

    @Test func whatNeedsAPersonIsNamed() {
        var s = FetchSummary(source: "ftp://h:21/out", batch: batch, plaintext: true)
        s.items = [item("AMFORA_101_20241108.txt", .failed("cannot fetch: the connection broke off")),
                   item("HJAELP1_101_20241108.txt", .fetched(bytes: 10, sha256: "x")),
                   item("AMFORA_147_20241108.txt", .incomplete(.tooYoung(ageSeconds: 5, minAge: 60)))]
        s.ignored = [IgnoredEntry(name: "x\u{1B}[2J", reason: .refused(.controlCharacter))]
        let text = FetchReport.lines(s, municipalities: kommuner).joined(separator: "\n")
        #expect(text.contains("101 København: \"AMFORA_101_20241108.txt\" failed: cannot fetch: the connection broke off; 1 more fetched"))
        #expect(text.contains("147 Frederiksberg: \"AMFORA_147_20241108.txt\" skipped, too recent"))
        #expect(text.contains("refused, not a safe file name: \"x\\u{1b}[2J\""))
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("PLAINTEXT"))
        #expect(s.exitCode == 1)
    }

    @Test func refusedNamesAndDuplicatesNeedAPersonHiddenOnesDoNot() {
        var s = FetchSummary(source: "/in", batch: batch, plaintext: false)
        s.ignored = [IgnoredEntry(name: ".ftpquota", reason: .hidden)]
        #expect(s.exitCode == 0)
        s.items = [item("AMFORA_101_20241108.txt", .fetched(bytes: 1, sha256: "a")),
                   item("amfora_101_20241108.dat", .fetched(bytes: 1, sha256: "b"))]
        #expect(s.duplicates == [["AMFORA_101_20241108.txt", "amfora_101_20241108.dat"]])
        #expect(s.exitCode == 1)
    }
}

import Testing
@testable import AmforaCore

@Suite struct FetchLedgerTests {
    let kommuner = CodeListCatalog.standard.municipalities
    let batch = Day(iso: "2024-11-08")!

    func record(_ name: String, size: Int64 = 100, modified: Int64? = 1_000, sha: String = "aa", batch: Day? = nil) -> FetchRecord {
        FetchRecord(name: name, size: size, modified: modified, sha256: sha, batchDate: batch ?? self.batch, fetchedAt: "t")
    }

    @Test func verdicts() {
        var ledger = FetchLedger()
        let r = record("AMFORA_101_20241108.txt")
        #expect(ledger.verdict(for: RemoteEntry(name: r.name, size: 100, modified: 1_000)) == .new)
        ledger.record(r)
        #expect(ledger.verdict(for: RemoteEntry(name: r.name, size: 100, modified: 1_000)) == .unchanged(r))
        #expect(ledger.verdict(for: RemoteEntry(name: r.name, size: 101, modified: 1_000)) == .changed(r))
        #expect(ledger.verdict(for: RemoteEntry(name: r.name, size: 100, modified: 1_060)) == .changed(r))
        // A server that gives no facts cannot show a change: not fetched twice.
        #expect(ledger.verdict(for: RemoteEntry(name: r.name, size: nil, modified: nil)) == .unchanged(r))
        // Names are exact: another spelling is another file.
        #expect(ledger.verdict(for: RemoteEntry(name: "amfora_101_20241108.txt", size: 100, modified: 1_000)) == .new)
    }

    @Test func forgetsOldBatches() {
        var ledger = FetchLedger()
        ledger.record(record("AMFORA_101_20240906.txt", batch: Day(iso: "2024-09-06")!))
        ledger.record(record("AMFORA_101_20241108.txt"))
        ledger.forget(batchesBefore: batch + -56)
        #expect(ledger.files.keys.sorted() == ["AMFORA_101_20241108.txt"])
    }

    @Test func planSortsEachDeliveryIntoOneBucket() {
        var ledger = FetchLedger()
        ledger.record(record("AMFORA_101_20241108.txt"))
        ledger.record(record("HJAELP1_101_20241108.txt"))
        let first = BatchSelection([
            RemoteEntry(name: "AMFORA_101_20241108.txt", size: 100, modified: 1_000),   // unchanged
            RemoteEntry(name: "HJAELP1_101_20241108.txt", size: 150, modified: 1_500),  // redelivered
            RemoteEntry(name: "AMFORA_147_20241108.txt", size: 100, modified: 1_000),   // new
            RemoteEntry(name: "AMFORA_851_20241108.txt", size: 100, modified: 1_000),   // growing
        ], batch: batch, municipalities: kommuner)
        #expect(FetchPlan.candidates(first, ledger: ledger).count == 3)
        let second = first.deliveries.map(\.entry).map {
            $0.name.hasPrefix("AMFORA_851") ? RemoteEntry(name: $0.name, size: 300, modified: 1_010) : $0
        }
        let plan = FetchPlan(first: first, second: second, ledger: ledger, now: 5_000, policy: CompletenessPolicy(minAge: 60))
        #expect(plan.unchanged.map(\.name) == ["AMFORA_101_20241108.txt"])
        #expect(plan.transfers.map(\.name) == ["HJAELP1_101_20241108.txt", "AMFORA_147_20241108.txt"])
        #expect(plan.transfers.map { $0.previous != nil } == [true, false])
        #expect(plan.incomplete.map(\.delivery.name) == ["AMFORA_851_20241108.txt"])
        #expect(plan.incomplete.first?.reason == .changedBetweenListings(sizeBefore: 100, sizeAfter: 300))
    }

    @Test func retryDelaysDoubleUpToACap() {
        let p = RetryPolicy(retries: 5, initialDelay: 2, maxDelay: 10)
        #expect((1...5).map(p.delay(beforeRetry:)) == [2, 4, 8, 10, 10])
    }
}

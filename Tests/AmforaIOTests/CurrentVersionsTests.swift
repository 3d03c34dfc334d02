import AmforaCore
@testable import AmforaIO
import Testing

@Suite struct CurrentVersionsTests {
    /// Against a plain model (hash → versions), over random hashes with repeats and misses,
    /// through growth from the smallest table.
    @Test func takesEachVersionOnceAndLeavesTheRest() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var table = CurrentVersions()
            var model: [Int64: [Int64]] = [:]
            let distinct = (0..<Int.random(in: 1...400, using: &rng)).map { _ in Int64.random(in: .min ... .max, using: &rng) }
            var version: Int64 = 0
            for _ in 0..<distinct.count * 2 {
                let h = distinct.randomElement(using: &rng)!
                version += 1
                table.add(hash: h, version: version)
                model[h, default: []].append(version)
            }
            #expect(table.count == Int(version))
            for _ in 0..<distinct.count * 3 {
                let h = Bool.random(using: &rng) ? distinct.randomElement(using: &rng)! : Int64.random(in: .min ... .max, using: &rng)
                let got = table.take(h)
                if let got {
                    let i = model[h]?.firstIndex(of: got)
                    #expect(i != nil, "took a version that was not there or was taken already")
                    if let i { model[h]!.remove(at: i) }
                } else {
                    #expect(model[h, default: []].isEmpty, "missed a version that was there")
                }
            }
            #expect(table.remaining == model.values.flatMap { $0 }.sorted())
        }
    }

    @Test func anEmptyTableHasNothing() {
        var t = CurrentVersions(capacity: 0)
        #expect(t.isEmpty)
        #expect(t.take(42) == nil)
        #expect(t.remaining.isEmpty)
    }
}

@Suite struct IdentityTrackerTests {
    @Test func groupsIdentitiesDeliveredMoreThanOnce() {
        var t = IdentityTracker()
        for (id, v) in [(7, 1), (3, 2), (7, 3), (9, 4), (3, 5), (7, 6)] as [(Int64, Int64)] { t.add(id, version: v) }
        #expect(t.duplicates() == [[1, 3, 6], [2, 5]])
        // Placeholders resolved to the versions written later, then sorted.
        #expect(t.duplicates { $0 == 1 ? 10 : $0 } == [[2, 5], [3, 6, 10]])
    }

    @Test func noDuplicatesNoGroups() {
        var t = IdentityTracker()
        for v in 1...100 { t.add(Int64(v * 31), version: Int64(v)) }
        #expect(t.duplicates().isEmpty)
    }
}

@Suite struct PreparationScheduleTests {
    func job(_ bytes: Int) -> PreparationPool.Job {
        PreparationPool.Job(entry: Inbox.Entry(name: DeliveryName(kind: .amfora, komnr: 101, batchDate: Day(iso: "2024-11-08")!),
                                               path: "f\(bytes)"),
                            options: ValidationOptions(), bytes: bytes)
    }

    @Test func largestAndSmallestTakeTurns() {
        #expect(PreparationPool.schedule([5, 1, 9, 3, 7].map(job)).map(\.bytes) == [9, 1, 7, 3, 5])
        #expect(PreparationPool.schedule([2, 8, 4, 6].map(job)).map(\.bytes) == [8, 2, 6, 4])
        #expect(PreparationPool.schedule([]).isEmpty)
    }
}

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

    /// Repeats (by line hash) and matches by content, interleaved at random, against a model:
    /// each version is taken at most once, by either key, with its identity; what neither took
    /// is left. Lines repeat and versions share content, as identical records do. With the index
    /// by line built at the first line not found near the cursor, a repeat is found wherever it is.
    @Test func repeatsAndContentMatchesTakeEachVersionOnce() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            var table = CurrentVersions(lineIndexAfter: 1)
            let contents = (0..<Int.random(in: 1...50, using: &rng)).map { _ in Int64.random(in: .min ... .max, using: &rng) }
            let lines = (0..<Int.random(in: 1...80, using: &rng)).map { _ in Int64.random(in: 1 ... .max, using: &rng) }
            var contentOfLine: [Int64: Int64] = [:]
            var model: [(version: Int64, hash: Int64, line: Int64?)] = []
            for v in 1...Int64.random(in: 1...300, using: &rng) {
                var line: Int64? = Bool.random(using: &rng) ? lines.randomElement(using: &rng)! : nil
                if Int.random(in: 0..<10, using: &rng) == 0 { line = nil }
                // The same line always has the same content.
                let hash = line.map { l in contentOfLine[l] ?? { contentOfLine[l] = contents.randomElement(using: &rng)!; return contentOfLine[l]! }() }
                    ?? contents.randomElement(using: &rng)!
                table.add(hash: hash, version: v, line: line, activity: v * 10)
                model.append((v, hash, line))
            }
            var taken = Set<Int64>(), repeats = 0
            for _ in 0..<(model.count * 2) {
                if Bool.random(using: &rng) {
                    let line = Bool.random(using: &rng) ? lines.randomElement(using: &rng)! : Int64.random(in: 1 ... .max, using: &rng)
                    let left = model.filter { $0.line == line && !taken.contains($0.version) }
                    if let (v, activity) = table.takeRepeat(lineHash: line) {
                        #expect(left.contains { $0.version == v }, "took a version without that line, or one taken already")
                        #expect(activity == v * 10)
                        taken.insert(v)
                        repeats += 1
                    } else {
                        #expect(left.isEmpty, "missed a version with that line")
                    }
                } else {
                    let hash = contents.randomElement(using: &rng)!
                    let left = model.filter { $0.hash == hash && !taken.contains($0.version) }
                    if let v = table.take(hash) {
                        #expect(left.contains { $0.version == v })
                        taken.insert(v)
                    } else {
                        #expect(left.isEmpty)
                    }
                }
            }
            #expect(table.repeats == repeats && table.matched == repeats)
            #expect(table.remaining == model.map(\.version).filter { !taken.contains($0) })
        }
    }

    /// A delivery in last Friday's order: each line is found at or just after the version after
    /// the previous one, also past removed versions.
    @Test func aDeliveryInLastFridaysOrderIsMatchedInOrder() {
        var table = CurrentVersions(capacity: 4)
        for v in Int64(1)...1000 { table.add(hash: v &* 7919, version: v, line: v == 500 ? 499 : v, activity: v) }
        var got: [Int64] = []
        // Versions 200–202 are removed; last Friday's file had line 499 twice, this one has the
        // second copy at the end.
        for line in Int64(1)...1000 where line != 500 && !(200...202).contains(line) {
            if let (v, _) = table.takeRepeat(lineHash: line) { got.append(v) }
        }
        #expect(got == Array(1...199) + Array(203...499) + Array(501...1000))
        #expect(table.repeats == got.count && table.matched == got.count)
        // Far from the cursor, and one such line is too few to build an index by line: the line
        // is parsed and matched by content instead.
        #expect(table.takeRepeat(lineHash: 499) == nil)
        #expect(table.take(500 &* 7919) == 500)
        #expect(table.remaining == [200, 201, 202])
    }

    /// A delivery in another order: an eighth of the lines (here 500 of 4000) are not found
    /// near the cursor and are matched by content; then the index by line is built and every
    /// other line is recognised wherever it is.
    @Test func aDeliveryInAnotherOrderBuildsTheIndexByLine() {
        var table = CurrentVersions()
        let n: Int64 = 4000
        for v in 1...n { table.add(hash: v &* 7919, version: v, line: v, activity: v) }
        var repeats = 0, byContent = 0
        for line in (1...n).shuffled() {
            if let (v, _) = table.takeRepeat(lineHash: line) {
                #expect(v == line)
                repeats += 1
            } else {
                #expect(table.take(line &* 7919) == line)
                byContent += 1
            }
        }
        #expect(byContent == 499, "the 500th line not found near the cursor builds the index and is found by it")
        #expect(repeats + byContent == Int(n) && table.remaining.isEmpty)
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

    @Test func jobsAreListedLargestFirst() {
        #expect(PreparationPool.schedule([5, 1, 9, 3, 7].map(job)).map(\.bytes) == [9, 7, 5, 3, 1])
        #expect(PreparationPool.schedule([2, 8, 4, 6].map(job)).map(\.bytes) == [8, 6, 4, 2])
        #expect(PreparationPool.schedule([]).isEmpty)
    }
}

import Testing
@testable import AmforaCore

@Suite struct CompletenessTests {
    let entry = RemoteEntry(name: "AMFORA_101_20241108.txt", size: 100, modified: 1_000)
    let policy = CompletenessPolicy(minAge: 60, requireDoneMarker: false)

    func check(_ second: Completeness.SecondLook, now: Int64 = 2_000, marker: Bool = false,
               policy: CompletenessPolicy? = nil) -> Incomplete? {
        Completeness.check(entry, second: second, hasDoneMarker: marker, now: now, policy: policy ?? self.policy)
    }

    @Test func stillAndOldEnoughIsComplete() {
        #expect(check(.seen(entry)) == nil)
        #expect(check(.notTaken) == nil)
    }

    @Test func growingBetweenListings() {
        let grown = RemoteEntry(name: entry.name, size: 200, modified: 1_001)
        #expect(check(.seen(grown)) == .changedBetweenListings(sizeBefore: 100, sizeAfter: 200))
        let touched = RemoteEntry(name: entry.name, size: 100, modified: 1_001)
        #expect(check(.seen(touched)) == .changedBetweenListings(sizeBefore: 100, sizeAfter: 100))
        #expect(check(.absent) == .vanished)
    }

    @Test func tooYoungIncludingAServerClockAhead() {
        #expect(check(.notTaken, now: 1_059) == .tooYoung(ageSeconds: 59, minAge: 60))
        #expect(check(.notTaken, now: 1_060) == nil)
        #expect(check(.notTaken, now: 900) == .tooYoung(ageSeconds: -100, minAge: 60))
        #expect(check(.notTaken, now: 900, policy: CompletenessPolicy(minAge: 0)) == nil)
    }

    @Test func doneMarkerWhenAskedFor() {
        let strict = CompletenessPolicy(minAge: 0, requireDoneMarker: true)
        #expect(check(.notTaken, policy: strict) == .noDoneMarker)
        #expect(check(.notTaken, marker: true, policy: strict) == nil)
    }
}

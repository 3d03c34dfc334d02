import AmforaTestSupport
import Testing
@testable import AmforaCore

@Suite struct ReconcilerTests {
    let batch = Day(iso: "2024-11-08")!

    func v(_ id: Int64, cpr: Int = 101901234, foranstalt: Int = 139, start: String, end: String = "2024-12-31",
           hold: String? = nil, hours: String? = "37", navn: String? = "Bøgh") -> Reconciler.Version {
        Reconciler.Version(versionID: id, cpr: cpr, komnr: 101, foranstalt: foranstalt, start: Day(iso: start)!, end: Day(iso: end)!,
                           holdID: hold, fields: ["Startdt": start, "Slutdt": end, "Timetal": hours, "Navn": navn, "HoldID": hold])
    }

    func run(_ added: [Reconciler.Version], _ gone: [Reconciler.Version], duplicates: [[Int64]] = [],
             seen: Set<Int64> = []) -> Reconciler.Outcome {
        Reconciler.reconcile(added: added, gone: gone, duplicates: duplicates, batch: batch) { seen.contains($0.versionID) }
    }

    @Test func sameIdentityIsAChangeWithItsFields() {
        let o = run([v(2, start: "2024-10-01", hours: "30")], [v(1, start: "2024-10-01")])
        #expect(o.entries == [.init(change: .changed, current: 2, previous: 1, changedFields: ["Timetal"], historyChange: false)])
    }

    /// The fields differing between two versions, kept by one layout's order (the loads' way)
    /// or by name (any other), are those whose values differ, blank counting as a value: on
    /// random pairs, against the definition over dictionaries.
    @Test func theChangedFieldsAreThoseWhoseValuesDiffer() {
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let order = Reconciler.Version.Fields.Order(layout)
        var g = SplitMix64(seed: 52)
        for _ in 0..<300 {
            func values() -> [String?] { order.names.map { _ in [nil, "1", "2", ""].randomElement(using: &g)! } }
            func version(_ f: Reconciler.Version.Fields) -> Reconciler.Version {
                Reconciler.Version(versionID: 1, cpr: 1, komnr: 101, foranstalt: 1, start: batch, end: batch, holdID: nil, fields: f)
            }
            let a = values(), b = values()
            let byName = { (x: [String?]) in Dictionary(uniqueKeysWithValues: zip(order.names, x)) }
            let expected = order.names.indices.filter { a[$0] != b[$0] }.map { order.names[$0] }.sorted()
            #expect(Reconciler.changedFields(version(.init(order, values: a)), version(.init(order, values: b))) == expected)
            #expect(Reconciler.changedFields(version(.init(order, values: a)), version(.init(byName(b)))) == expected)
            // A field one side lacks counts as blank there.
            var fewer = byName(b)
            let dropped = Int.random(in: 0..<order.names.count, using: &g)
            fewer.removeValue(forKey: order.names[dropped])
            let expectedFewer = order.names.indices.filter { a[$0] != ($0 == dropped ? nil : b[$0]) }.map { order.names[$0] }
            #expect(Reconciler.changedFields(version(.init(order, values: a)), version(.init(fewer))) == expectedFewer)
        }
        #expect(order.names == layout.fields.map(\.name).sorted() && order.fields.map { layout.fields[$0].name } == order.names)
    }

    @Test func blankToValueAndBackAreChanges() {
        #expect(run([v(2, start: "2024-10-01", navn: nil)], [v(1, start: "2024-10-01")]).entries.first?.changedFields == ["Navn"])
        #expect(run([v(2, start: "2024-10-01")], [v(1, start: "2024-10-01", navn: nil)]).entries.first?.changedFields == ["Navn"])
    }

    @Test func aMovedStartDatePairsClosestFirstOneToOne() {
        // Two old measures, two moved ones: each pairs with its nearest start, never both with one.
        let o = run([v(11, start: "2024-10-03"), v(12, start: "2024-10-20")],
                    [v(1, start: "2024-10-01"), v(2, start: "2024-10-18")])
        let pairs = o.entries.map { ($0.current!, $0.previous!) }.sorted { $0.0 < $1.0 }
        #expect(pairs.map(\.0) == [11, 12] && pairs.map(\.1) == [1, 2])
        #expect(o.entries.allSatisfy { $0.change == .changed && $0.changedFields.contains("Startdt") })
    }

    @Test func noOverlapNoPairing() {
        let o = run([v(2, start: "2025-02-01", end: "2025-03-01")], [v(1, start: "2024-10-01", end: "2024-11-01")])
        #expect(o.count(.new) == 1 && o.count(.removed) == 1 && o.count(.changed) == 0)
    }

    @Test func differentHoldIDsAreDifferentMeasures() {
        let o = run([v(2, foranstalt: 161, start: "2024-10-01", hold: "B"), v(3, foranstalt: 161, start: "2024-10-01", hold: "A")],
                    [v(1, foranstalt: 161, start: "2024-10-01", hold: "A", hours: "20")])
        #expect(o.entries.contains(.init(change: .changed, current: 3, previous: 1, changedFields: ["Timetal"], historyChange: false)))
        #expect(o.entries.contains { $0.change == .new && $0.current == 2 })
        // A HoldID on one side only does not stop the pairing.
        #expect(run([v(2, foranstalt: 161, start: "2024-10-01", hold: "A")], [v(1, foranstalt: 161, start: "2024-10-01")]).count(.changed) == 1)
    }

    @Test func duplicatesAreReportedNotPairedAtRandom() {
        let o = run([v(2, start: "2024-10-01", hours: "30"), v(3, start: "2024-10-01", hours: "20")], [v(1, start: "2024-10-01")],
                    duplicates: [[2, 3]])
        #expect(o.duplicateIdentities == [[2, 3]])
        #expect(o.count(.changed) == 0)
        #expect(o.count(.new) == 2 && o.count(.removed) == 1)
    }

    @Test func aMeasureThatComesBackReappears() {
        let o = run([v(5, start: "2024-01-01")], [], seen: [5])
        #expect(o.entries == [.init(change: .reappeared, current: 5, previous: nil, changedFields: [], historyChange: false)])
    }

    @Test func historyChangesEndedMoreThan28DaysBeforeTheBatch() {
        // Batch 2024-11-08: the cut-off is 2024-10-11.
        #expect(run([], [v(1, start: "2024-01-01", end: "2024-10-10")]).historyChanges == 1)
        #expect(run([], [v(1, start: "2024-01-01", end: "2024-10-11")]).historyChanges == 0)
        #expect(run([v(2, start: "2024-01-01", end: "2024-10-01", hours: "20")], [v(1, start: "2024-01-01", end: "2024-10-01")]).historyChanges == 1)
        #expect(run([v(2, start: "2023-01-01", end: "2023-02-01")], []).historyChanges == 0)  // new is not a history change
    }

    @Test func orderOfInputDoesNotChangeTheOutcome() {
        let added = [v(11, start: "2024-10-03"), v(12, start: "2024-10-20"), v(13, cpr: 5, start: "2024-01-01")]
        let gone = [v(1, start: "2024-10-01"), v(2, start: "2024-10-18"), v(3, cpr: 6, start: "2024-01-01")]
        #expect(run(added, gone) == run(added.reversed(), gone.reversed()))
    }
}

/// This Friday against last Friday for one municipality and kind (reconciliation.md). Deliveries
/// are full datasets, so the week's news is their difference; the warehouse already knows which
/// versions are new this batch and which disappeared, and this pairs them up:
/// 1. the same measure (CPR, Komnr, Foranstalt, Startdt, and HoldID when both carry one) →
///    changed, with the fields that differ;
/// 2. left over on both sides, same CPR, Komnr and Foranstalt with overlapping periods → the same
///    measure with a moved start date, paired one-to-one, closest start date first;
/// 3. otherwise new (or reappeared, when the measure was delivered before and had gone) or removed.
/// Identities that occur twice in this Friday's delivery are reported, never paired at random.
public enum Reconciler {
    /// One record version as the reconciliation sees it.
    public struct Version: Sendable, Equatable {
        public var versionID: Int64
        public let cpr: Int
        public let komnr: Int
        public let foranstalt: Int
        public let start: Day
        public let end: Day
        public let holdID: String?
        /// Every field by its layout name; nil is blank (NULL-safe comparison: blank ≠ value).
        public let fields: Fields

        public init(versionID: Int64, cpr: Int, komnr: Int, foranstalt: Int, start: Day, end: Day, holdID: String?,
                    fields: [String: String?]) {
            self.init(versionID: versionID, cpr: cpr, komnr: komnr, foranstalt: foranstalt, start: start, end: end, holdID: holdID,
                      fields: Fields(fields))
        }

        public init(versionID: Int64, cpr: Int, komnr: Int, foranstalt: Int, start: Day, end: Day, holdID: String?,
                    fields: Fields) {
            self.versionID = versionID
            self.cpr = cpr
            self.komnr = komnr
            self.foranstalt = foranstalt
            self.start = start
            self.end = end
            self.holdID = holdID
            self.fields = fields
        }

        var measure: MeasureKey { MeasureKey(cpr: cpr, komnr: komnr, foranstalt: foranstalt) }

        /// A version's fields: the names in order, one array shared by every version of a layout
        /// (`Fields.Order`), and the values beside them. A dictionary per version held 2.5 KB, and
        /// a national Friday keeps half a million added versions from the load to the reconciliation.
        public struct Fields: Sendable, Equatable {
            public let names: [String]
            public let values: [String?]

            /// Which of a layout's fields come in which place: by name.
            public struct Order: Sendable {
                public let names: [String]
                /// The layout's index of each name's field.
                public let fields: [Int]

                public init(_ layout: Layout) {
                    fields = layout.fields.indices.sorted { layout.fields[$0].name < layout.fields[$1].name }
                    names = fields.map { layout.fields[$0].name }
                }
            }

            /// `values` in `order`'s places.
            public init(_ order: Order, values: [String?]) {
                precondition(values.count == order.names.count, "one value for each field")
                names = order.names
                self.values = values
            }

            public init(_ byName: [String: String?]) {
                names = byName.keys.sorted()
                values = names.map { byName[$0] ?? nil }
            }

            public subscript(name: String) -> String?? {
                names.firstIndex(of: name).map { values[$0] }
            }
        }
        func overlaps(_ o: Version) -> Bool { start <= o.end && o.start <= end }
    }

    struct MeasureKey: Hashable { let cpr: Int, komnr: Int, foranstalt: Int }

    public enum Change: String, Sendable {
        case changed, new, removed, reappeared
    }

    public struct Entry: Sendable, Equatable {
        public let change: Change
        /// The version in force now (nil for removed).
        public let current: Int64?
        /// The version in force last Friday (nil for new and reappeared).
        public let previous: Int64?
        public let changedFields: [String]
        /// Changed or removed, and the measure had ended more than 28 days before the batch date:
        /// it alters statistics already published.
        public let historyChange: Bool

        public init(change: Change, current: Int64?, previous: Int64?, changedFields: [String], historyChange: Bool) {
            self.change = change
            self.current = current
            self.previous = previous
            self.changedFields = changedFields
            self.historyChange = historyChange
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var entries: [Entry] = []
        /// Identities delivered more than once this Friday, as groups of version ids.
        public var duplicateIdentities: [[Int64]] = []

        public init() {}

        public func count(_ c: Change) -> Int { entries.filter { $0.change == c }.count }
        public var historyChanges: Int { entries.filter(\.historyChange).count }
    }

    /// Days before the batch date after which a change counts as a history change.
    public static let historyDays = 28

    /// - Parameters:
    ///   - added: versions first seen this batch.
    ///   - gone: versions in force last Friday that are not any more.
    ///   - duplicates: versions in force now that share one identity, grouped (found before diffing).
    ///   - seenBefore: whether a measure (by its identity) was delivered in some earlier batch.
    public static func reconcile(added: [Version], gone: [Version], duplicates: [[Int64]], batch: Day,
                                 seenBefore: (Version) -> Bool) -> Outcome {
        var out = Outcome()
        out.duplicateIdentities = duplicates
        let duplicated = Set(duplicates.flatMap { $0 })
        var leftAdded = added.filter { !duplicated.contains($0.versionID) }
        var leftGone = gone
        let cutoff = batch + (-historyDays)
        func history(_ old: Version) -> Bool { old.end < cutoff }

        // 1. Exact identity, one-to-one. Within one CPR/Komnr/Foranstalt/Startdt, equal HoldIDs
        //    pair first; a single version left on each side pairs unless both carry different HoldIDs.
        let goneByIdentity = Dictionary(grouping: leftGone) { IdentityKey($0) }
        let addedByIdentity = Dictionary(grouping: leftAdded) { IdentityKey($0) }
        var pairedAdded = Set<Int64>(), pairedGone = Set<Int64>()
        func pair(_ new: Version, _ old: Version) {
            out.entries.append(Entry(change: .changed, current: new.versionID, previous: old.versionID,
                                     changedFields: changedFields(old, new), historyChange: history(old)))
            pairedAdded.insert(new.versionID)
            pairedGone.insert(old.versionID)
        }
        for (key, news) in addedByIdentity {
            guard let olds = goneByIdentity[key] else { continue }
            for new in news {
                guard let h = new.holdID else { continue }
                let sameHold = olds.filter { $0.holdID == h && !pairedGone.contains($0.versionID) }
                if sameHold.count == 1, news.filter({ $0.holdID == h }).count == 1 { pair(new, sameHold[0]) }
            }
            let restNew = news.filter { !pairedAdded.contains($0.versionID) }
            let restOld = olds.filter { !pairedGone.contains($0.versionID) }
            if restNew.count == 1, restOld.count == 1 {
                let (new, old) = (restNew[0], restOld[0])
                if new.holdID == nil || old.holdID == nil || new.holdID == old.holdID { pair(new, old) }
            }
        }
        leftAdded.removeAll { pairedAdded.contains($0.versionID) }
        leftGone.removeAll { pairedGone.contains($0.versionID) }

        // 2. Moved start dates: same measure, overlapping periods, closest start first.
        var candidates: [(distance: Int, new: Version, old: Version)] = []
        let goneByMeasure = Dictionary(grouping: leftGone) { $0.measure }
        for new in leftAdded {
            for old in goneByMeasure[new.measure] ?? [] where new.overlaps(old) {
                candidates.append((abs(new.start - old.start), new, old))
            }
        }
        candidates.sort { ($0.distance, $0.new.versionID, $0.old.versionID) < ($1.distance, $1.new.versionID, $1.old.versionID) }
        for c in candidates where !pairedAdded.contains(c.new.versionID) && !pairedGone.contains(c.old.versionID) {
            out.entries.append(Entry(change: .changed, current: c.new.versionID, previous: c.old.versionID,
                                     changedFields: changedFields(c.old, c.new), historyChange: history(c.old)))
            pairedAdded.insert(c.new.versionID)
            pairedGone.insert(c.old.versionID)
        }

        // 3. The rest: new (or reappeared) and removed. Duplicates are new or reappeared too.
        for new in added where !pairedAdded.contains(new.versionID) {
            out.entries.append(Entry(change: seenBefore(new) ? .reappeared : .new, current: new.versionID, previous: nil,
                                     changedFields: [], historyChange: false))
        }
        for old in gone where !pairedGone.contains(old.versionID) {
            out.entries.append(Entry(change: .removed, current: nil, previous: old.versionID, changedFields: [],
                                     historyChange: history(old)))
        }
        out.entries.sort { ($0.change.rawValue, $0.current ?? $0.previous ?? 0) < ($1.change.rawValue, $1.current ?? $1.previous ?? 0) }
        return out
    }

    /// The fields whose values differ, blank counting as a value of its own.
    static func changedFields(_ a: Version, _ b: Version) -> [String] {
        let x = a.fields, y = b.fields
        // One layout's versions share their names (the common case, compared by buffer first).
        if x.names == y.names { return x.names.indices.filter { x.values[$0] != y.values[$0] }.map { x.names[$0] } }
        return Set(x.names).union(y.names).filter { (x[$0] ?? nil) != (y[$0] ?? nil) }.sorted()
    }

    /// CPR, Komnr, Foranstalt, Startdt. HoldID counts only when both sides carry one, which a
    /// dictionary key cannot express: step 1 compares it within the group.
    struct IdentityKey: Hashable {
        let measure: MeasureKey
        let start: Int32
        init(_ v: Version) {
            measure = v.measure
            start = v.start.ordinal
        }
    }
}

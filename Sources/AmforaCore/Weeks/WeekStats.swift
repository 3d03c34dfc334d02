/// The figures the office publishes (`v_week_stats`): per ISO week × municipality × Foranstalt,
/// the persons, measures and hours before and after the write-down — the sums `v_activity_week`
/// gives for that week, kept as a table and changed by each run only where the batch changed them.
///
/// A run subtracts each recomputed person's earlier stretches and adds their new ones. The
/// amounts are integers (hour-days, and micro-hour-days after the write-down) so that what is
/// added and subtracted again cancels exactly, and a week nothing changed in stays untouched.
/// Each stretch costs a few entries in a difference array per group, however many weeks it spans.
public struct WeekStatsDelta {
    public struct Group: Hashable, Sendable {
        public let komnr: Int
        public let foranstalt: Int?
    }

    /// One changed week of one group: the change to each of its figures.
    public struct Change: Equatable, Sendable {
        public let week: Int
        public let group: Group
        public var persons: Int
        public var measures: Int
        /// Σ hours a week × days in the week: `hours` = hourDays / 7.
        public var hourDays: Int64
        /// Σ round(rate × 10⁶) × days: `hours_written_down` = microHourDays / 7 / 10⁶.
        public var microHourDays: Int64
    }

    struct Cell {
        var persons: Int64 = 0, measures: Int64 = 0, hourDays: Int64 = 0, microHourDays: Int64 = 0

        mutating func add(_ c: Cell) {
            persons += c.persons
            measures += c.measures
            hourDays += c.hourDays
            microHourDays += c.microHourDays
        }

        var isZero: Bool { persons == 0 && measures == 0 && hourDays == 0 && microHourDays == 0 }
    }

    /// A difference array over the weeks a group has seen so far.
    struct Differences {
        var base: Int
        var cells: [Cell]

        init(around week: Int) {
            base = week
            cells = [Cell](repeating: Cell(), count: 2)
        }

        mutating func reach(_ week: Int) {
            if week < base {
                cells.insert(contentsOf: [Cell](repeating: Cell(), count: base - week), at: 0)
                base = week
            } else if week - base >= cells.count {
                cells.append(contentsOf: [Cell](repeating: Cell(), count: week - base - cells.count + 1))
            }
        }

        /// Adds to every week from `from` through `through`.
        mutating func add(_ from: Int, _ through: Int, _ change: (inout Cell, Int64) -> Void, _ amount: Int64) {
            guard from <= through, amount != 0 else { return }
            reach(from)
            reach(through + 1)
            change(&cells[from - base], amount)
            change(&cells[through + 1 - base], -amount)
        }
    }

    public let calendar: WeekCalendar
    var groups: [Group: Differences] = [:]

    public init(calendar: WeekCalendar = .warehouse) {
        self.calendar = calendar
    }

    /// Adds (`sign` 1) or subtracts (−1) one person's measure stretches — all of that person's,
    /// since a person counts once per week and group however many measures they have in it.
    public mutating func add(person stretches: [MeasureStretch], sign: Int64) {
        var measureWeeks: [Int64: (group: Group, first: Int, last: Int)] = [:]
        for s in stretches {
            guard let (first, last) = clippedWeeks(s.start, s.end) else { continue }
            let g = Group(komnr: s.komnr, foranstalt: s.foranstalt)
            let micro = Int64((s.rateAfterWriteDown * 1_000_000).rounded())
            addDays(g, s.start, s.end, Int64(s.hours) * sign, \.hourDays)
            addDays(g, s.start, s.end, micro * sign, \.microHourDays)
            if let m = measureWeeks[s.versionID] {
                measureWeeks[s.versionID] = (g, min(m.first, first), max(m.last, last))
            } else {
                measureWeeks[s.versionID] = (g, first, last)
            }
        }
        var personWeeks: [Group: [(first: Int, last: Int)]] = [:]
        for m in measureWeeks.values {
            groups[m.group, default: Differences(around: m.first)].add(m.first, m.last, { $0.measures += $1 }, sign)
            personWeeks[m.group, default: []].append((m.first, m.last))
        }
        for (g, ranges) in personWeeks {
            for r in merged(ranges) { groups[g, default: Differences(around: r.first)].add(r.first, r.last, { $0.persons += $1 }, sign) }
        }
    }

    /// Every week whose figures changed, by week, then municipality, then Foranstalt.
    public func changes() -> [Change] {
        // Counted first and sorted in place: nationally the list is 1.9 million changes, and
        // its growth and a sorted copy were a few hundred megabytes at the write-down's peak.
        var count = 0
        forEachChangedWeek { _, _, _ in count += 1 }
        var out: [Change] = []
        out.reserveCapacity(count)
        forEachChangedWeek { g, week, c in
            out.append(Change(week: week, group: g, persons: Int(c.persons), measures: Int(c.measures),
                              hourDays: c.hourDays, microHourDays: c.microHourDays))
        }
        out.sort { ($0.week, $0.group.komnr, $0.group.foranstalt ?? -1) < ($1.week, $1.group.komnr, $1.group.foranstalt ?? -1) }
        return out
    }

    /// Each group's weeks whose figures changed, with the change: the running sums of its
    /// difference array, where they are not zero.
    private func forEachChangedWeek(_ body: (Group, Int, Cell) -> Void) {
        for (g, d) in groups {
            var running = Cell()
            for (i, c) in d.cells.enumerated() {
                running.add(c)
                if !running.isZero { body(g, d.base + i, running) }
            }
        }
    }

    /// The stretch's weeks within the calendar, or nil when it lies outside it.
    func clippedWeeks(_ start: Day, _ end: Day) -> (Int, Int)? {
        guard end >= start else { return nil }
        let first = max(WeekCalendar.week(of: start), calendar.first), last = min(WeekCalendar.week(of: end), calendar.last)
        return first <= last ? (first, last) : nil
    }

    /// `perDay` on each day from `start` to `end`: partial first and last weeks, whole weeks between.
    mutating func addDays(_ g: Group, _ start: Day, _ end: Day, _ perDay: Int64, _ field: WritableKeyPath<Cell, Int64>) {
        guard perDay != 0, let (first, last) = clippedWeeks(start, end) else { return }
        let s = max(start, WeekCalendar.monday(of: first)), e = min(end, WeekCalendar.monday(of: last) + 6)
        let update: (inout Cell, Int64) -> Void = { $0[keyPath: field] += $1 }
        // In place: a copy taken out of the dictionary would copy the array on every stretch.
        func add(_ d: inout Differences) {
            if first == last {
                d.add(first, first, update, perDay * Int64(e - s + 1))
            } else {
                d.add(first, first, update, perDay * Int64(WeekCalendar.monday(of: first) + 6 - s + 1))
                d.add(last, last, update, perDay * Int64(e - WeekCalendar.monday(of: last) + 1))
                d.add(first + 1, last - 1, update, perDay * 7)
            }
        }
        add(&groups[g, default: Differences(around: first)])
    }

    func merged(_ ranges: [(first: Int, last: Int)]) -> [(first: Int, last: Int)] {
        var out: [(first: Int, last: Int)] = []
        for r in ranges.sorted(by: { $0.first < $1.first }) {
            if let l = out.last, r.first <= l.last + 1 {
                out[out.count - 1].last = max(l.last, r.last)
            } else {
                out.append(r)
            }
        }
        return out
    }
}

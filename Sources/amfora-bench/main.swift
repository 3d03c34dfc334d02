import AmforaCore
import Foundation

// The write-down alone (AmforaCore/WriteDown), without the warehouse around it: persons with
// a realistic mix of overlapping measures, deterministic, timed in-process.
//   swift run -c release amfora-bench [records]

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let records = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000_000
var rng = SplitMix(state: 2011)
let origin = Day(year: 2007, month: 1, day: 1)!
var persons: [[WriteDown.Measure]] = []
var made = 0
while made < records {
    // Most persons have one or two measures; some have many, overlapping.
    let n = [1, 1, 1, 2, 2, 3, 4, 6].randomElement(using: &rng)!
    let base = Int.random(in: 0...7000, using: &rng)
    persons.append((0..<n).map { i in
        let start = base + Int.random(in: 0...200, using: &rng)
        return WriteDown.Measure(id: made + i, start: origin + start, end: origin + (start + Int.random(in: 0...400, using: &rng)),
                                 hours: [5, 10, 15, 20, 25, 30, 37].randomElement(using: &rng)!)
    })
    made += n
}
let clock = ContinuousClock()
let started = clock.now
var writtenDown = 0
for p in persons {
    for (m, r) in zip(p, WriteDown.person(p)) where r.averageHours < Double(m.hours) { writtenDown += 1 }
}
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "write-down: %d records of %d persons in %.2f s = %.0f records/s (%d written down)",
             made, persons.count, seconds, Double(made) / seconds, writtenDown))

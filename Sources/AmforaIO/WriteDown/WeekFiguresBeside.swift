import AmforaCore
import Foundation

/// The week figures' corrections (`WeekStatsDelta`) computed on a thread of their own while the
/// write-down reads measures and writes stretches on the caller's: a Friday's quarter of a
/// million persons' earlier and new stretches took the writer 2.3 s, and sorting out the
/// changed weeks another second. Persons are handed over in batches; the thread is a serial
/// queue, so each `queue.sync` waits for all work handed over before it.
final class WeekFiguresBeside: @unchecked Sendable {
    private let queue = DispatchQueue(label: "amfora.week-figures")
    /// Touched only on `queue`.
    private var delta = WeekStatsDelta()
    private var sorted: [WeekStatsDelta.Change]?
    /// Touched only by the caller.
    private var batch: [(stretches: [MeasureStretch], sign: Int64)] = []
    private static let batchSize = 2048

    /// Subtracts (`sign` −1) or adds (1) one person's stretches, as `WeekStatsDelta.add`.
    func add(person stretches: [MeasureStretch], sign: Int64) {
        guard !stretches.isEmpty else { return }
        batch.append((stretches, sign))
        if batch.count >= Self.batchSize { handOver() }
    }

    /// Begins sorting out the changed weeks once every person handed over is added: called
    /// after the last `add`, before the caller's own writing, so that the two overlap.
    func finishAdding() {
        handOver()
        queue.async { [self] in sorted = delta.changes() }
    }

    /// Every changed week, as `WeekStatsDelta.changes` (waits for `finishAdding`'s work).
    func changes() -> [WeekStatsDelta.Change] {
        queue.sync { sorted ?? [] }
    }

    private func handOver() {
        guard !batch.isEmpty else { return }
        let persons = batch
        batch = []
        queue.async { [self] in
            for p in persons { delta.add(person: p.stretches, sign: p.sign) }
        }
    }
}

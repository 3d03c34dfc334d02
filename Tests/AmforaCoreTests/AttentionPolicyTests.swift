import AmforaTestSupport
import Foundation
import Testing
@testable import AmforaCore

/// The one rule for "needs a person", and the deadline judged once.
@Suite struct AttentionPolicyTests {
    static let batch = Day(iso: "2024-11-08")!

    func report(_ rows: [BatchReport.MunicipalityRow], judgement: DeadlineJudgement = .complete(margin: 3600)) -> BatchReport {
        var r = BatchReport(batch: Self.batch, generatedAt: "", deadline: "", marginSeconds: 0, national: .init(),
                            municipalities: rows, rejectsByRule: [], historyChanges: [], fridays: [], stages: [])
        r.judgement = judgement
        return r
    }

    func row(_ komnr: Int, _ kind: RecordKind = .amfora, _ state: DeliveryState = .loaded,
             rejected: Int = 0, of delivered: Int = 100) -> BatchReport.MunicipalityRow {
        var m = BatchReport.MunicipalityRow(komnr: komnr, name: "", kind: kind, status: state)
        m.rejected = rejected
        m.deliveredRecords = delivered
        return m
    }

    @Test func aCleanBatchNeedsNobody() {
        let p = AttentionPolicy()
        #expect(!p.verdict(report([row(101), row(101, .hjaelp1), row(147)])).needsPerson)
    }

    @Test func failedHeldAndAnAbsentActivationFileNeedAPerson() {
        let p = AttentionPolicy()
        for state in [DeliveryState.failed, .held, .stale, .missing] {
            let v = p.verdict(report([row(101), row(147, .amfora, state)]))
            #expect(v.needsPerson, "\(state)")
            #expect(v.items.map(\.row?.komnr) == [147])
        }
    }

    /// Aid grants are reported "løbende" (guideline 58.1): an absent aid file is reported, not an alarm.
    @Test func anAbsentAidFileIsNoAlarmUnlessConfigured() {
        let rows = [row(101), row(101, .hjaelp1, .stale), row(101, .hjaelp2, .missing)]
        #expect(!AttentionPolicy().verdict(report(rows)).needsPerson)
        var c = RunConfig()
        c.alarmMissingAid = true
        #expect(c.attentionPolicy.verdict(report(rows)).items.count == 2)
        // A failed or held aid file is always for a person.
        #expect(AttentionPolicy().verdict(report([row(101, .hjaelp1, .failed)])).needsPerson)
    }

    @Test func quarantinedLinesNeedAPersonOnlyAboveTheThreshold() {
        let p = AttentionPolicy(rejectThreshold: 0.05)
        #expect(!p.verdict(report([row(101, rejected: 5, of: 100)])).needsPerson)   // 5 %: at the threshold
        #expect(p.verdict(report([row(101, rejected: 6, of: 100)])).items.map(\.reason) == [.rejects])
    }

    /// Duplicate identities and lateness are in the report, never an alarm by themselves.
    @Test func flagsAloneAreNoAlarm() {
        var m = row(101)
        m.duplicates = 3
        m.late = true
        m.flags = ["3 identities delivered more than once", "late: loaded after 06:00"]
        #expect(!AttentionPolicy().verdict(report([m])).needsPerson)
    }

    @Test func aMissedDeadlineNeedsAPerson() {
        #expect(AttentionPolicy().verdict(report([row(101)], judgement: .complete(margin: -60))).items.map(\.reason) == [.deadline])
        // Incomplete at 06:00: what it lacks needs a person (named delivery by delivery), not the judgement itself.
        #expect(!AttentionPolicy().verdict(report([row(101)], judgement: .incomplete(judgedSecondsAfter: 60))).needsPerson)
        #expect(AttentionPolicy().verdict(report([row(101), row(147, .amfora, .stale)], judgement: .incomplete(judgedSecondsAfter: 60))).items.map(\.reason) == [.notDelivered])
        #expect(!AttentionPolicy().verdict(report([row(101)], judgement: .replay)).needsPerson)
        #expect(!AttentionPolicy().verdict(report([row(101)], judgement: .open(secondsLeft: 600))).needsPerson)
    }

    /// The rows the report marks are exactly those the verdict names.
    @Test func theRowsMarkedAreTheVerdictsRows() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let rows = (0..<12).map { i in
                row(100 + i, RecordKind.allCases.randomElement(using: &rng)!, DeliveryState.allCases.randomElement(using: &rng)!,
                    rejected: Int.random(in: 0...10, using: &rng), of: 100)
            }
            var r = report(rows)
            AttentionPolicy().decide(&r)
            let named = Set(r.verdict.items.compactMap { $0.row.map { "\($0.komnr)\($0.kind)" } })
            let marked = Set(r.municipalities.filter(\.needsPerson).map { "\($0.komnr)\($0.kind)" })
            #expect(named == marked)
            #expect(r.verdict.needsPerson == !marked.isEmpty)
        }
    }
}

@Suite struct DeadlineJudgementTests {
    let due = Deadline.due(for: Day(iso: "2024-11-08")!)

    @Test func completeBefore06IsOnTimeAndStaysSo() {
        let j = DeadlineJudgement.judge(stored: nil, due: due, passStarted: due - 9000, now: due - 8000, complete: true)
        #expect(j == .complete(margin: 8000))
        // The 06:30 catch-up pass changes nothing.
        let later = DeadlineJudgement.judge(stored: j, due: due, passStarted: due + 1800, now: due + 1900, complete: true)
        #expect(later == j)
        #expect(!later.isMissed)
        #expect(j.text == "on time: complete 2 h 13 min before 06:00")
    }

    @Test func incompleteIsOpenUntil06ThenJudgedOnce() {
        let early = DeadlineJudgement.judge(stored: nil, due: due, passStarted: due - 9000, now: due - 8000, complete: false)
        #expect(early == .open(secondsLeft: 8000))
        #expect(!early.isFinal)
        let after = DeadlineJudgement.judge(stored: early, due: due, passStarted: due + 1800, now: due + 1860, complete: false)
        #expect(after == .incomplete(judgedSecondsAfter: 1860))
        #expect(after.isMissed)
        // A delivery arriving later does not undo the judgement.
        #expect(DeadlineJudgement.judge(stored: after, due: due, passStarted: due + 3600, now: due + 3700, complete: true) == after)
    }

    @Test func completedAfter06IsAMissByThatMuch() {
        let j = DeadlineJudgement.judge(stored: .open(secondsLeft: 10), due: due, passStarted: due + 60, now: due + 1800, complete: true)
        #expect(j == .complete(margin: -1800))
        #expect(j.text == "DEADLINE MISSED: complete 30 min after 06:00")
    }

    @Test func aRunADayAfterTheDeadlineIsAReplay() {
        let j = DeadlineJudgement.judge(stored: nil, due: due, passStarted: due + 86_401, now: due + 90_000, complete: true)
        #expect(j == .replay)
        #expect(!j.isMissed)
        // …but a batch judged on its Friday keeps that judgement when rerun on Tuesday.
        let friday = DeadlineJudgement.complete(margin: 600)
        #expect(DeadlineJudgement.judge(stored: friday, due: due, passStarted: due + 4 * 86_400, now: due + 4 * 86_400, complete: true) == friday)
    }

    @Test func storedAndReadBackTheSame() {
        for j in [DeadlineJudgement.complete(margin: 61), .complete(margin: -61), .incomplete(judgedSecondsAfter: 5), .replay, .open(secondsLeft: 9)] {
            let (kind, seconds) = j.stored
            #expect(DeadlineJudgement(kind: kind, seconds: seconds) == j)
        }
    }

    @Test func durationsReadTheSameEverywhere() {
        #expect(DeadlineJudgement.duration(72 * 60) == "1 h 12 min")
        #expect(DeadlineJudgement.duration(45 * 60) == "45 min")
        #expect(DeadlineJudgement.duration(-45 * 60) == "45 min")
    }
}

@Suite struct BatchDateTests {
    let tuesday = ISO8601DateFormatter().date(from: "2024-11-12T10:00:00Z")!

    @Test func onlyFridaysUpToTheComingOne() throws {
        #expect(try BatchDate.parse("2024-11-15", now: tuesday) == Day(iso: "2024-11-15"))
        #expect(try BatchDate.parse("2024-11-08", now: tuesday) == Day(iso: "2024-11-08"))
        #expect(throws: BatchDate.Refused.self) { try BatchDate.parse("2024-11-22", now: tuesday) }  // after the coming Friday
        #expect(throws: BatchDate.Refused.self) { try BatchDate.parse("2024-11-14", now: tuesday) }  // a Thursday
        #expect(throws: BatchDate.Refused.self) { try BatchDate.parse("15-11-2024", now: tuesday) }
    }

    /// Only run and fetch start a batch; the others speak of the last one run.
    @Test func defaults() throws {
        #expect(try BatchDate.forNewBatch(nil, now: tuesday) == Day(iso: "2024-11-15"))
        #expect(try BatchDate.forExistingBatch(nil, otherwise: Day(iso: "2024-11-08"), now: tuesday) == Day(iso: "2024-11-08"))
        #expect(throws: BatchDate.Refused.self) { try BatchDate.forExistingBatch(nil, otherwise: nil, now: tuesday) }
    }
}

@Suite struct HoldRuleConfigTests {
    @Test func theMostSpecificOverrideWins() throws {
        let c = try RunConfig(text: """
            shrink_minimum = 12
            shrink_minimum.HJAELP1 = 3
            shrink_minimum.851 = 40
            shrink_minimum.851.HJAELP1 = 1
            shrink_threshold.AMFORA = 0.2
            """)
        #expect(c.shrinkMinimum(101, .amfora) == 12)
        #expect(c.shrinkMinimum(101, .hjaelp1) == 3)
        #expect(c.shrinkMinimum(851, .amfora) == 40)
        #expect(c.shrinkMinimum(851, .hjaelp1) == 1)
        #expect(c.shrinkThreshold(101, .amfora) == 0.2)
        #expect(c.shrinkThreshold(101, .hjaelp2) == 0.10)
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "shrink_minimum.851.OTHER = 1") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "municipalities = 101, 999") }
        #expect(try RunConfig(text: "municipalities = 851, 101,147").expectedMunicipalities == [101, 147, 851])
    }
}

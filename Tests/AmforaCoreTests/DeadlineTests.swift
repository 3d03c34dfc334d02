import Foundation
import Testing
@testable import AmforaCore

@Suite struct DeadlineTests {
    func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    @Test func sixOClockCopenhagenInWinterAndSummer() {
        // Winter (CET, UTC+1) and summer (CEST, UTC+2).
        #expect(Deadline.due(for: Day(iso: "2026-11-27")!) == utc("2026-11-27T05:00:00Z"))
        #expect(Deadline.due(for: Day(iso: "2026-07-03")!) == utc("2026-07-03T04:00:00Z"))
        // The Fridays around the switches: last Sunday of March and of October.
        #expect(Deadline.due(for: Day(iso: "2026-03-27")!) == utc("2026-03-27T05:00:00Z"))
        #expect(Deadline.due(for: Day(iso: "2026-04-03")!) == utc("2026-04-03T04:00:00Z"))
        #expect(Deadline.due(for: Day(iso: "2026-10-23")!) == utc("2026-10-23T04:00:00Z"))
        #expect(Deadline.due(for: Day(iso: "2026-10-30")!) == utc("2026-10-30T05:00:00Z"))
    }

    @Test func theDefaultBatchIsTheComingFridayInCopenhagen() {
        #expect(Deadline.defaultBatch(now: utc("2026-11-25T12:00:00Z")) == Day(iso: "2026-11-27"))   // Wednesday
        #expect(Deadline.defaultBatch(now: utc("2026-11-27T04:30:00Z")) == Day(iso: "2026-11-27"))   // Friday morning
        #expect(Deadline.defaultBatch(now: utc("2026-11-28T09:00:00Z")) == Day(iso: "2026-12-04"))   // Saturday
        // Thursday 23:30 UTC is already Friday 00:30 in Copenhagen.
        #expect(Deadline.defaultBatch(now: utc("2026-11-26T23:30:00Z")) == Day(iso: "2026-11-27"))
    }

    @Test func marginIsSecondsToTheDeadline() {
        let batch = Day(iso: "2026-11-27")!
        #expect(Deadline.margin(for: batch, at: utc("2026-11-27T04:00:00Z")) == 3600)
        #expect(Deadline.margin(for: batch, at: utc("2026-11-27T05:30:00Z")) == -1800)
    }
}

@Suite struct RunConfigTests {
    @Test func readsEveryKey() throws {
        let c = try RunConfig(text: """
            # amfora.conf
            source = "ftp://ftp.example.invalid/amfora"
            warehouse = /srv/amfora/amfora.sqlite   # trailing comment
            reports = /srv/amfora/reports
            allow_plaintext = false
            ca_file = /etc/amfora/ca.pem
            min_age = 120
            shrink_threshold = 0.15
            shrink_threshold.101 = 0.05
            encoding.492 = "Windows-1252"
            deadline_warning_minutes = 45
            workers = 3
            """)
        #expect(c.source == "ftp://ftp.example.invalid/amfora")
        #expect(c.warehouse == "/srv/amfora/amfora.sqlite")
        #expect(c.minAge == 120)
        #expect(c.shrinkThreshold == 0.15)
        #expect(c.shrinkThresholdFor == ["101": 0.05])
        #expect(c.encodingFor == [492: .windows1252])
        #expect(c.deadlineWarningMinutes == 45)
        #expect(c.workers == 3)
        #expect(try RunConfig(text: "").workers == 0)
    }

    @Test func refusesCredentialsAndUnknownKeys() {
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "password = hunter2") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "user = amfora") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "sourse = /tmp") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "encoding.101 = latin1") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "just words") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "workers = -1") }
        #expect(throws: RunConfig.ParseError.self) { try RunConfig(text: "workers = 1.5") }
    }
}

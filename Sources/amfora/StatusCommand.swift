import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the current or last batch did, per municipality, and the margin to the 06:00 deadline."
    )

    @OptionGroup var options: RunOptions

    @Flag(help: "List every municipality, not only those that need a person.")
    var all = false

    func run() throws {
        do { try show() } catch let e as ExitCode { throw e } catch { throw Terminal.fail(OperatorMessage.of(error)) }
    }

    private func show() throws {
        let config = try options.loadConfig()
        let path = options.resolvedWarehouse(config)
        // A reader: it never waits for a run's lock, and reads what the run has committed.
        let db = try Warehouse.openForReading(path)
        let batch: Int64
        if let d = options.batchDate.flatMap({ Day(iso: $0) }) {
            batch = Int64(d.ordinal)
        } else if let last = try db.scalar("SELECT max(batch_date) FROM run") {
            batch = last
        } else {
            say("no batch has run yet")
            return
        }
        let run = try db.prepare("SELECT status, started_at, finished_at, margin_seconds FROM run WHERE batch_date = ?")
        try run.bind([.int(batch)])
        let day = Day(ordinal: Int32(batch))
        if try run.step() {
            let margin = run.isNull(3) ? nil : Int(run.int(3))
            let when = margin.map { $0 >= 0 ? "\($0 / 3600) h \($0 % 3600 / 60) min before 06:00" : "\(-$0 / 60) min after 06:00 (deadline missed)" } ?? "not finished"
            say("batch \(day.iso): \(run.text(0) ?? "?"), started \(run.text(1) ?? "?"), finished \(run.text(2) ?? "-"), \(when)")
        }
        let rows = try db.prepare("""
            SELECT komnr, kind, status, coalesce(records, 0), coalesce(rejected, 0), coalesce(warnings, 0), coalesce(message, '')
            FROM delivery WHERE batch_date = ? ORDER BY komnr, kind
            """)
        try rows.bind([.int(batch)])
        var counts: [String: Int] = [:]
        var lines: [String] = []
        let names = CodeListCatalog.standard.municipalities
        while try rows.step() {
            let status = rows.text(2) ?? "?"
            counts[status, default: 0] += 1
            let rejected = Int(rows.int(4))
            guard all || status != "loaded" || rejected > 0 else { continue }
            guard all || status != "missing" || rows.text(1) == "AMFORA" else { continue }
            let k = Int(rows.int(0))
            lines.append([ValidationOutput.pad3(k), (names[k] ?? "").padding(toLength: 18, withPad: " ", startingAt: 0),
                          (rows.text(1) ?? "").padding(toLength: 8, withPad: " ", startingAt: 0),
                          status.padding(toLength: 8, withPad: " ", startingAt: 0),
                          String(rows.int(3)).leftPadded(9), String(rejected).leftPadded(8), String(rows.int(5)).leftPadded(8),
                          "  " + CPR.scrub(rows.text(6) ?? "").prefix(70)].joined(separator: " "))
        }
        say(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        if !lines.isEmpty {
            say("kom municipality       kind     status     records rejected warnings")
            lines.forEach { say($0) }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

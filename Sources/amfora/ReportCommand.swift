import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a batch's reports again from the warehouse (HTML, CSV for Danish Excel, JSON).",
        discussion: "Default batch: the last one run. The files go to <reports>/<batch date>/."
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        let config = try options.loadConfig()
        let path = options.resolvedWarehouse(config)
        do {
            _ = try Warehouse.openForReading(path)  // says so when there is none, without creating one
            // Read-write: the report records the batch's write-down totals for next Friday's
            // comparison, so it takes the run's lock; a run under way writes the report itself.
            let lock = try RunLock(warehouse: path, purpose: "amfora report")
            defer { withExtendedLifetime(lock) {} }
            let warehouse = try Warehouse(path: path)
            let batch: Day
            if let d = options.batchDate.flatMap({ Day(iso: $0) }) {
                batch = d
            } else if let last = try warehouse.db.scalar("SELECT max(batch_date) FROM run") {
                batch = Day(ordinal: Int32(last))
            } else {
                throw Terminal.fail("no batch has run yet")
            }
            let dir = try BatchReportWriter.write(nil, warehouse: warehouse.db, batch: batch, to: options.resolvedReports(config))
            say("\((dir as NSString).appendingPathComponent("index.html"))")
        } catch let e as ExitCode {
            throw e
        } catch let e as RunLock.Held {
            throw Terminal.fail("\(e.description); a run writes its own report when it finishes, so `amfora report` is needed only after it")
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }
}

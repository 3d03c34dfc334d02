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
        guard FileManager.default.fileExists(atPath: path) else { throw Terminal.fail("no warehouse at \(path)") }
        do {
            // Read-write: the report records the batch's write-down totals for next Friday's comparison.
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
            print("\((dir as NSString).appendingPathComponent("index.html"))")
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Terminal.fail("\(error)")
        }
    }
}

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a batch's reports again from the warehouse (HTML, CSV for Danish Excel, JSON).",
        discussion: """
        The batch: --batch-date, else the last batch run. The files go to <reports>/<batch date>/. \
        A run writes its own report; this is for an earlier batch, or after a report could not be written.

        Example:
          amfora report --batch-date 2026-11-20
        """
    )

    @OptionGroup var options: WarehouseOptions
    @OptionGroup var reportsOption: ReportsOptions

    func run() throws {
        do {
            let config = try options.loadConfig()
            let path = try options.resolvedWarehouse(config, postgres: true)
            // Says so when there is none (an SQLite file), and creates none.
            let batch = try options.existingBatch(path, config)
            // The report records the batch's write-down totals for next Friday's comparison, so
            // it writes, and takes the run's lock; a run under way writes the report itself.
            let (warehouse, lock) = try RunWarehouse.open(path, config: config, purpose: "amfora report")
            defer { withExtendedLifetime(lock) {} }
            let db = warehouse.sql
            let report = try BatchReportBuilder.build(db, batch: batch, policy: config.attentionPolicy)
            let reports = reportsOption.resolved(config)
            try BatchReportWriter.write(report, run: nil, warehouse: db, to: reports)
            say(BatchReportWriter.index(of: batch, in: reports))
        } catch let e as RunLock.Held {
            throw Terminal.fail("\(e.description); a run writes its own report when it finishes, so `amfora report` is needed only after it")
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }
}

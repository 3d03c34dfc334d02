import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The batch as the warehouse holds it: the headline, what needs a person, and the deliveries.",
        discussion: """
        A reader: it works while a run is writing and changes nothing. The batch: --batch-date, \
        else the last batch run. --json prints the same facts as the report's summary.json. Exit \
        status: 0 nothing needs a person; 1 something does; 2 no warehouse or no batch.

        Example:
          amfora status --config /etc/amfora/amfora.conf
          amfora status --municipality 851 --json
        """
    )

    @OptionGroup var options: WarehouseOptions
    @Option(help: "Only this municipality's deliveries, e.g. 851.") var municipality: Int?
    @Flag(help: "List every delivery, not only those that need a person.") var all = false
    @Flag(help: "The batch as JSON (the facts of summary.json).") var json = false

    func run() throws {
        let report: BatchReport
        do {
            let config = try options.loadConfig()
            let path = try options.resolvedWarehouse(config, postgres: true)
            let batch = try options.existingBatch(path, config)
            report = try BatchReportBuilder.build(RunWarehouse.openForReading(path, config: config), batch: batch, policy: config.attentionPolicy)
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
        if json {
            say(JSONReport.render(report), terminator: "")
        } else {
            say(StatusText.render(report, width: Terminal.width, municipality: municipality, all: all))
        }
        if report.verdict.needsPerson { throw ExitCode(1) }
    }
}

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct MaintainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Refresh the planner's statistics, truncate the write-ahead log, and (--vacuum) give free pages back.",
        discussion: """
        Under the run lock. Also deletes archived raw deliveries older than archive.keep_weeks \
        (default 13) that no held delivery needs, and says how many. --vacuum rewrites the whole \
        warehouse (it needs as much free disk as the warehouse is big, and time): worth it after a \
        large rerun freed many pages.
        """
    )

    @OptionGroup var options: WarehouseOptions
    @Flag(help: "Also VACUUM: rewrite the file without its free pages.") var vacuum = false

    func run() throws {
        do {
            let config = try options.loadConfig()
            let path = try options.resolvedWarehouse(config)
            var st = stat()
            guard lstat(path, &st) == 0 else { throw CLIError("no warehouse at \(path)") }
            for line in try Self.maintain(path, config, vacuum: vacuum) { say(line) }
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }

    /// Retention, then upkeep, under the run lock; a line each.
    static func maintain(_ path: String, _ config: RunConfig, vacuum: Bool) throws -> [String] {
        let lock = try RunLock(warehouse: path, purpose: "amfora maintain")
        defer { withExtendedLifetime(lock) {} }
        let warehouse = try Warehouse(path: path)
        let kept = try ArchiveRetention.apply(warehouse.db, archive: DeliveryArchive(directory: RunWarehouse.archiveDirectory(path, config: config)), keepWeeks: config.archiveKeepWeeks)
        return [ArchiveRetention.line(kept, keepWeeks: config.archiveKeepWeeks),
                WarehouseMaintenance.line(try WarehouseMaintenance.run(warehouse, vacuum: vacuum))]
    }
}

import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the warehouse consistently, check the copy, and keep it owner-only.",
        discussion: """
        Takes the run lock (no run writes meanwhile; readers go on), copies with SQLite's online \
        backup API into a new file (0600), checks it (integrity_check, schema version) and only then \
        puts it under its name. --to is a new file, or a directory to put \
        amfora-<yyyy-mm-ddThhmmss>.sqlite in; nothing is ever overwritten. Restoring: README, "Backups".

        Examples:
          amfora backup --to /srv/backup/amfora/
          amfora backup --to /srv/backup/amfora-2026-11-27.sqlite
        """
    )

    @OptionGroup var options: WarehouseOptions
    @Option(help: "A new file, or a directory (default: backup.to in the config).") var to: String?

    func run() throws {
        do {
            let config = try options.loadConfig()
            guard let target = to ?? config.backupDirectory else {
                throw CLIError("no target: give --to PATH, or set backup.to in the config file")
            }
            say(try Self.take(options.resolvedWarehouse(config), to: target))
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }

    /// One backup under the run lock; its line for the output and the mail.
    static func take(_ warehouse: String, to target: String, intoDirectory: Bool = false) throws -> String {
        let lock = try RunLock(warehouse: warehouse, purpose: "amfora backup")
        defer { withExtendedLifetime(lock) {} }
        return WarehouseBackup.line(try WarehouseBackup.take(warehouse, to: target, intoDirectory: intoDirectory))
    }
}

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
            let path = options.resolvedWarehouse(config)
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
        let kept = try ArchiveRetention.apply(warehouse.db, archive: DeliveryArchive(forWarehouse: path), keepWeeks: config.archiveKeepWeeks)
        return [ArchiveRetention.line(kept, keepWeeks: config.archiveKeepWeeks),
                WarehouseMaintenance.line(try WarehouseMaintenance.run(warehouse, vacuum: vacuum))]
    }
}

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
            say(try Self.take(try options.resolvedWarehouse(config), to: target))
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

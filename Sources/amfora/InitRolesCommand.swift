import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct InitRolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-roles",
        abstract: "Set up a PostgreSQL warehouse: its roles, schemas and tables, and the person key.",
        discussion: """
        Run once, as a user who may create roles (and again after an upgrade; it only adds what is \
        missing). Creates the group roles amfora_loader (owns and writes), amfora_analyst (reads the \
        schema analyst: a person_key, birth year and sex instead of the CPR number) and \
        amfora_disclosure (reads the schema disclosure, for the §54 extracts); makes the connecting \
        user a member of amfora_loader; migrates the tables; and creates the person key file \
        (0400) if it is missing. Keep a copy of that file: without it persons get new keys. The \
        password comes from ~/.pgpass, PGPASSFILE or PGPASSWORD, never from the URL.

        Then give people their role, e.g.: GRANT amfora_analyst TO alice;

        Example:
          amfora init-roles --warehouse postgresql://dba@db.example:5432/amfora?sslmode=verify-full \\
              --person-key /etc/amfora/person.key
        """
    )

    @Option(help: "Config file (key = value; see README). Default: amfora.conf if it exists.") var config: String?
    @Option(help: "The PostgreSQL warehouse, postgresql://[user@]host[:port]/database (default: warehouse in the config).")
    var warehouse: String?
    @Option(help: "The person key file (default: person_key_file in the config); created if missing.")
    var personKey: String?

    func run() throws {
        do {
            let c = try ConfigFile.load(config)
            guard let url = warehouse ?? c.warehouse, PostgresLocation.isPostgres(url) else {
                throw CLIError("init-roles sets up a PostgreSQL warehouse: give --warehouse postgresql://host/database (an SQLite warehouse needs no roles)")
            }
            guard let keyPath = personKey ?? c.personKeyFile else {
                throw CLIError("give --person-key FILE (or person_key_file in the config): the key that turns CPR numbers into person keys")
            }
            let location = try PostgresLocation(url)
            var lines = try PostgresRoles.initialise(location)
            let key: PersonKey
            if FileManager.default.fileExists(atPath: keyPath) || (try? FileManager.default.destinationOfSymbolicLink(atPath: keyPath)) != nil {
                key = try PersonKey.load(keyPath)
            } else if try PostgresWarehouse.hasPersonKey(location) {
                throw CLIError("the person key file \(keyPath) is missing, but the warehouse was loaded with a key: restore the file from its copy (a new key would give every person a new person_key); nothing was changed")
            } else {
                key = try PersonKey.create(keyPath)
                lines.append("created the person key file \(keyPath) (0400): keep a copy where the warehouse's backups are")
            }
            _ = try PostgresWarehouse(location, personKey: key)
            lines.append("the warehouse \(location) is at schema version \(PostgresWarehouse.schemaVersion)")
            say(lines.joined(separator: "\n"))
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }
}

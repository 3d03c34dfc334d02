import ArgumentParser
import Foundation

@main
struct Amfora: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amfora",
        abstract: "Weekly ingest of the municipalities' AMFORA activation and aid deliveries.",
        discussion: "Pipeline: fetch → parse → normalise → validate → write-down → load → reconcile → report.",
        subcommands: [ValidateCommand.self, FetchCommand.self, RunCommand.self, RerunCommand.self, ResumeCommand.self, StatusCommand.self, AcceptCommand.self, ReportCommand.self, DiscloseCommand.self, BackupCommand.self, MaintainCommand.self, InitRolesCommand.self]
    )

    /// interfaces.md: bad arguments are exit 2 ("the job could not do its work"), not the
    /// argument parser's usual 64, so cron and operators see one code for "fix the call".
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("amfora: \(e.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

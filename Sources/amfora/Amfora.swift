import ArgumentParser

@main
struct Amfora: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amfora",
        abstract: "Weekly ingest of the municipalities' AMFORA activation and aid deliveries.",
        discussion: "Pipeline: fetch → parse → normalise → validate → write-down → load → reconcile → report.",
        subcommands: [ValidateCommand.self]
    )
}

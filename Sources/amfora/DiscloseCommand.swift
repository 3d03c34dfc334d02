import AmforaCore
import AmforaIO
import ArgumentParser
import Foundation

struct DiscloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disclose",
        abstract: "Write the §54 extracts for Danmarks Statistik, the Ministry of Education, and ATP and SKAT.",
        discussion: """
        From the dataset in force for the batch (--batch-date, else the last batch run): stale and \
        held municipalities with the dataset still in force, quarantined lines never, personal \
        assistance (Foranstalt 175, §54 stk. 3) to no one. Each recipient gets <recipient>_<yyyymmdd>.csv \
        and a manifest in --out (0700; files 0600), and a row in v_disclosure. The extract is the \
        one place a full CPR number leaves amfora: it is never printed, only counted.

        Examples:
          amfora disclose --recipient all --out disclosures/
          amfora disclose --recipient uvm --batch-date 2026-11-20 --out /srv/amfora/udlevering
        """
    )

    @OptionGroup var options: WarehouseOptions
    @Option(help: "dst, uvm, atp-skat or all.") var recipient: String
    @Option(help: "Directory for the extracts (default: disclose.out in the config).") var out: String?

    func validate() throws {
        guard Recipient.parse(recipient) != nil else { throw ValidationError("--recipient must be dst, uvm, atp-skat or all, not \(recipient)") }
    }

    func run() throws {
        do {
            let config = try options.loadConfig()
            guard let dir = out ?? config.disclosureDirectory else {
                throw CLIError("no output directory: give --out DIR, or set disclose.out in the config file")
            }
            let path = options.resolvedWarehouse(config)
            let batch = try options.existingBatch(path)
            let lock = try RunLock(warehouse: path, purpose: "amfora disclose")
            defer { withExtendedLifetime(lock) {} }
            let request = DisclosureStage.Request(batch: batch, recipients: Recipient.parse(recipient)!, out: dir, codes: config.disclosureCodes)
            for e in try DisclosureStage.run(Warehouse(path: path).db, request, now: Timestamp.now()) {
                say(DisclosureStage.line(e))
            }
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
    }
}

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

        With --to (or disclose.to.<recipient> in the config) each extract and its manifest are \
        uploaded under a temporary name and renamed when whole, over TLS as for fetching \
        (ftp:// with explicit TLS, ftps:// implicit; plain FTP only with --allow-plaintext), \
        credentials from ~/.netrc, --netrc-file or AMFORA_FTP_USER/AMFORA_FTP_PASSWORD. An \
        upload that fails says NOT DELIVERED and exits 1; running the command again delivers.

        Examples:
          amfora disclose --recipient all --out disclosures/
          amfora disclose --recipient uvm --batch-date 2026-11-20 --out /srv/amfora/udlevering
          amfora disclose --recipient atp-skat --out disclosures/ --to ftp://sftp.example.dk/ind/amfora/
        """
    )

    @OptionGroup var options: WarehouseOptions
    @Option(help: "dst, uvm, atp-skat or all.") var recipient: String
    @Option(help: "Directory for the extracts (default: disclose.out in the config).") var out: String?
    @Option(help: "Upload the extracts to this ftp:// (explicit TLS) or ftps:// directory (default: disclose.to.<recipient> in the config).")
    var to: String?
    @OptionGroup var security: FTPSecurityOptions

    func validate() throws {
        guard Recipient.parse(recipient) != nil else { throw ValidationError("--recipient must be dst, uvm, atp-skat or all, not \(recipient)") }
    }

    func run() throws {
        var extracts: [DisclosureStage.Extract] = []
        do {
            let config = try options.loadConfig()
            guard let dir = out ?? config.disclosureDirectory else {
                throw CLIError("no output directory: give --out DIR, or set disclose.out in the config file")
            }
            let path = try options.resolvedWarehouse(config)
            let recipients = Recipient.parse(recipient)!
            let urls = to.map { url in Dictionary(uniqueKeysWithValues: recipients.map { ($0, url) }) } ?? config.disclosureTargets
            extracts = try Self.disclose(path, batch: options.existingBatch(path, config), recipients, out: dir, urls: urls,
                                         connection: security.connection(config), codes: config.disclosureCodes)
        } catch {
            throw Terminal.fail(OperatorMessage.of(error))
        }
        for e in extracts { say(DisclosureStage.line(e)) }
        if extracts.contains(where: \.notDelivered) { throw ExitCode(1) }
    }

    /// The extracts of one batch under the run lock, uploaded where a URL is given; for the
    /// command and for the disclosure after a run.
    static func disclose(_ warehouse: String, batch: Day, _ recipients: [Recipient], out: String, urls: [Recipient: String],
                         connection: ConnectionOptions, codes: DisclosureCodes) throws -> [DisclosureStage.Extract] {
        let lock = try RunLock(warehouse: warehouse, purpose: "amfora disclose")
        defer { withExtendedLifetime(lock) {} }
        let targets = try DisclosureTarget.open(urls, for: recipients, connection: connection)
        let request = DisclosureStage.Request(batch: batch, recipients: recipients, out: out, codes: codes, targets: targets)
        return try DisclosureStage.run(Warehouse(path: warehouse).db, request, now: Timestamp.now())
    }
}

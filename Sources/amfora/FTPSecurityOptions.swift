import AmforaCore
import AmforaIO
import ArgumentParser

/// How `fetch` and `run` reach an FTP server securely; each can also come from the config file.
struct FTPSecurityOptions: ParsableArguments {
    @Flag(help: "Allow ftp:// without TLS. The summary says so.")
    var allowPlaintext = false

    @Option(help: "A CA certificate (PEM) to trust for the FTP server, beside the system's.")
    var caFile: String?

    @Option(help: "netrc file with the FTP credentials (must not be readable by group or others).")
    var netrcFile: String?

    /// Connection settings with the command line over the config file, libcurl's defaults otherwise.
    func connection(_ c: RunConfig) -> ConnectionOptions {
        var o = ConnectionOptions(c)
        o.caFile = caFile ?? c.caFile
        o.allowPlaintext = allowPlaintext || c.allowPlaintext
        o.netrcFile = netrcFile ?? c.netrcFile
        return o
    }
}

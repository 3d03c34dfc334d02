import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// `amfora disclose` and the opt-in disclosure after a run: counts in the output, never a CPR
/// number; a disclosure that cannot be made needs a person.
@Suite struct DiscloseCommandTests {
    let batch = Day(iso: "2024-11-08")!
    let now = ["AMFORA_TEST_NOW": "2024-11-08T03:30:00+01:00"]

    /// Two municipalities; one child under 18 and one adult.
    func inbox(_ dir: borrowing TemporaryDirectory) {
        for komnr in [101, 147] {
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: batch).fileName, lines: [
                LineBuilder.activation(["Komnr": ValidationOutput.pad3(komnr), "CPRnr": komnr == 101 ? "0303105123" : "0101701234"]).text,
            ], inSubdirectory: "inbox")
        }
    }

    @Test func theCommandPrintsCountsAndWritesTheExtracts() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let common = ["--warehouse", dir.file("w.sqlite")]
        let run = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", batch.iso, "--reports", dir.file("reports")] + common, environment: now)
        #expect(run.status <= 1, "\(run.stdout)\(run.stderr)")
        let r = try CLI.run(["disclose", "--recipient", "all", "--out", dir.file("out")] + common, environment: now)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("disclosed to uvm (§54 stk. 4): 1 measures of 1 persons"), "\(r.stdout)")
        #expect(!r.stdout.contains("0303105123") && !r.stdout.contains("0101701234"))
        let uvm = try String(contentsOfFile: dir.file("out/uvm_20241108.csv"), encoding: .utf8)
        #expect(uvm.hasPrefix("cpr;foranstalt;startdt;slutdt\n0303105123;"))
        let bad = try CLI.run(["disclose", "--recipient", "police", "--out", dir.file("out")] + common)
        #expect(bad.status == 2 && bad.stderr.contains("dst, uvm, atp-skat or all"))
    }

    @Test func afterARunTheConfiguredRecipientsAreOneLineEachAndAFailureNeedsAPerson() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        let config = dir.file("amfora.conf")
        try "disclose.after_run = uvm\ndisclose.out = \(dir.file("out"))\nmunicipalities = 101, 147\n".write(toFile: config, atomically: true, encoding: .utf8)
        let args = ["run", "--config", config, "--source", dir.file("inbox"), "--batch-date", batch.iso,
                    "--warehouse", dir.file("w.sqlite"), "--reports", dir.file("reports")]
        let r = try CLI.run(args, environment: now)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("disclosed to ") }.count == 1, "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.file("out/uvm_20241108.manifest.json")))
        // The output directory is now a file: the disclosure cannot be made, and a person is needed.
        try FileManager.default.removeItem(atPath: dir.file("out"))
        try "x".write(toFile: dir.file("out"), atomically: true, encoding: .utf8)
        let failed = try CLI.run(["rerun", "--municipality", "101"] + args.dropFirst(), environment: now)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("NOT DISCLOSED"), "\(failed.stdout)")
    }

    @Test func toUploadsOverTLSWithCredentialsFromTheEnvironmentOnly() throws {
        let dir = TemporaryDirectory()
        inbox(dir)
        try FileManager.default.createDirectory(atPath: dir.file("ftp/ind"), withIntermediateDirectories: true)
        let server = try FTPTestServer(root: dir.file("ftp"), extra: ["--writable"])
        let common = ["--warehouse", dir.file("w.sqlite")]
        let run = try CLI.run(["run", "--source", dir.file("inbox"), "--batch-date", batch.iso, "--reports", dir.file("reports")] + common, environment: now)
        #expect(run.status <= 1, "\(run.stdout)\(run.stderr)")
        let r = try CLI.run(["disclose", "--recipient", "uvm", "--out", dir.file("out"), "--to", server.url("ind/"),
                             "--ca-file", server.caFile ?? ""] + common, environment: now.merging(server.environment) { $1 })
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("delivered to ftp://127.0.0.1:\(server.port)/ind/"), "\(r.stdout)")
        #expect(!r.stdout.contains(server.password) && !r.stderr.contains(server.password))
        #expect(FileManager.default.contents(atPath: dir.file("ftp/ind/uvm_20241108.csv")) == FileManager.default.contents(atPath: dir.file("out/uvm_20241108.csv")))
        let withPassword = try CLI.run(["disclose", "--recipient", "uvm", "--out", dir.file("out"),
                                        "--to", "ftp://amfora:\(server.password)@127.0.0.1:\(server.port)/ind/"] + common, environment: now)
        #expect(withPassword.status == 2 && withPassword.stderr.contains("--to must not contain a user name or password"), "\(withPassword.stderr)")
        #expect(!withPassword.stderr.contains(server.password))
    }
}

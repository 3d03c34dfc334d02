import AmforaCore
import AmforaTestSupport
import Foundation
import Testing

/// `amfora fetch` as an operator calls it: exit codes and what lands in the inbox.
@Suite struct FetchCommandTests {
    @Test func aLocalSourceFetchesDeliveriesOnlyAndOnce() throws {
        let dir = TemporaryDirectory()
        let friday = Day(iso: "2024-11-08")!
        dir.write(DeliveryName(kind: .amfora, komnr: 101, batchDate: friday).fileName, lines: [LineBuilder.activation().text],
                  inSubdirectory: "source")
        dir.write("README.txt", lines: ["not a delivery"], inSubdirectory: "source")
        let args = ["fetch", "--source", dir.file("source"), "--inbox", dir.file("inbox"), "--batch-date", friday.iso,
                    "--min-age", "0", "--listing-interval", "0"]
        let first = try CLI.run(args)
        #expect(first.status == 0 || first.status == 1, "\(first.stdout)\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("inbox/AMFORA_101_20241108.txt")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("inbox/README.txt")), "the inbox receives deliveries only")
        #expect(first.stdout.contains("README.txt"), "what is not a delivery is reported: \(first.stdout)")
        let modified = try FileManager.default.attributesOfItem(atPath: dir.file("inbox/AMFORA_101_20241108.txt"))[.modificationDate] as! Date
        let second = try CLI.run(args)
        #expect(second.status == first.status)
        let again = try FileManager.default.attributesOfItem(atPath: dir.file("inbox/AMFORA_101_20241108.txt"))[.modificationDate] as! Date
        #expect(again == modified, "an unchanged file is not fetched twice")
    }

    @Test func anUnreachableServerIsExitTwoWithWhatWasTried() throws {
        let dir = TemporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["AMFORA_FTP_USER"] = "amfora"
        environment["AMFORA_FTP_PASSWORD"] = "not-shown-\(UUID().uuidString.prefix(6))"
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["fetch", "--source", "ftp://127.0.0.1:9/amfora", "--inbox", dir.file("inbox"), "--batch-date", "2024-11-08",
                       "--retries", "0", "--connect-timeout", "3"]
        p.environment = environment
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        let text = String(decoding: PipeReader.readAll(err.fileHandleForReading.fileDescriptor), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2, "\(text)")
        #expect(text.contains("127.0.0.1"), "\(text)")
        #expect(!text.contains(environment["AMFORA_FTP_PASSWORD"]!))
    }
}

import AmforaCore
import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// The whole weekly job from a real FTP server on loopback: `amfora run --source ftp://…`.
@Suite struct RunFromFTPTests {
    @Test func runFetchesOverExplicitTLSThenLoads() throws {
        let dir = TemporaryDirectory()
        let friday = Day(iso: "2024-11-08")!
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for komnr in [101, 147] {
            let lines = [LineBuilder.activation(["Komnr": String(komnr)]).text]
            dir.write(DeliveryName(kind: .amfora, komnr: komnr, batchDate: friday).fileName, lines: lines, inSubdirectory: "root")
        }
        let server = try FTPTestServer(root: root, tls: "explicit")
        defer { server.stop() }
        let config = dir.file("amfora.conf")
        try "min_age = 0\nca_file = \(server.caFile!)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["run", "--config", config, "--source", server.url(), "--batch-date", friday.iso,
                       "--warehouse", dir.file("w/amfora.sqlite"), "--reports", dir.file("reports"), "--inbox", dir.file("inbox")]
        p.environment = ProcessInfo.processInfo.environment.merging(server.environment) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: PipeReader.readAll(out.fileHandleForReading.fileDescriptor), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1, "past deadline and 96 municipalities missing: \(text)")
        #expect(!text.contains(server.password), "the password never shows")
        #expect(text.contains("2 deliveries loaded"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: dir.file("inbox/AMFORA_101_20241108.txt")))
        let db = try AmforaIO.Database(path: dir.file("w/amfora.sqlite"), readOnly: true)
        #expect(try db.scalar("SELECT count(*) FROM v_activity") == 2)
    }
}

import AmforaCore
@testable import AmforaIO
import AmforaTestSupport
import Foundation
import Testing

/// Delivering the extracts to a recipient's FTP server: against the real loopback server the
/// fetch tests start (scripts/ftp_test_server.py, writable here), with the same TLS and
/// credential rules as fetching. A dropped upload leaves nothing under the final name and no
/// delivery in the log; a retry completes it.
@Suite struct DisclosureDeliveryTests {
    let stage = DisclosureStageTests()
    let recipients: [Recipient] = [.dst, .uvm]

    func server(_ dir: borrowing TemporaryDirectory, tls: String = "explicit", extra: [String] = []) throws -> FTPTestServer {
        try FileManager.default.createDirectory(atPath: dir.file("ftp/ind"), withIntermediateDirectories: true)
        return try FTPTestServer(root: dir.file("ftp"), tls: tls, extra: ["--writable"] + extra)
    }

    func target(_ s: FTPTestServer, _ dir: borrowing TemporaryDirectory, plaintext: Bool = false, retries: Int = 1) throws -> DisclosureTarget {
        var c = ConnectionOptions()
        c.caFile = s.caFile
        c.allowPlaintext = plaintext
        c.connectTimeout = 3
        c.responseTimeout = 5
        c.lowSpeedTime = 5
        return try DisclosureTarget.open(s.url("ind/"), connection: c, environment: s.environment, home: dir.path,
                                         retry: RetryPolicy(retries: retries, initialDelay: 0.01, maxDelay: 0.01))
    }

    func disclose(_ w: Warehouse, _ dir: borrowing TemporaryDirectory, to t: DisclosureTarget) throws -> [DisclosureStage.Extract] {
        let targets = Dictionary(uniqueKeysWithValues: recipients.map { ($0, t) })
        let request = DisclosureStage.Request(batch: stage.batch, recipients: recipients, out: dir.file("out"), codes: DisclosureCodes(),
                                              targets: targets)
        return try DisclosureStage.run(w.db, request, now: "2026-11-27T05:00:00+01:00")
    }

    func names(_ dir: borrowing TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.file("ftp/ind")).sorted()
    }

    func log(_ w: Warehouse) throws -> [(String, String?, String?)] {
        let s = try w.db.prepare("SELECT recipient, delivered_to, delivered_at FROM v_disclosure ORDER BY rowid")
        var out: [(String, String?, String?)] = []
        while try s.step() { out.append((s.text(0)!, s.text(1), s.text(2))) }
        return out
    }

    @Test func bothFilesArriveWholeUnderTheirNamesAndTheLogSaysWhereAndWhen() throws {
        let dir = TemporaryDirectory()
        let s = try server(dir)
        let w = try stage.warehouse(dir)
        let extracts = try disclose(w, dir, to: try target(s, dir))
        #expect(extracts.allSatisfy { $0.delivery == .delivered(to: "ftp://127.0.0.1:\(s.port)/ind/") }, "\(extracts.map(\.delivery))")
        #expect(try names(dir) == ["dst_20261127.csv", "dst_20261127.manifest.json", "uvm_20261127.csv", "uvm_20261127.manifest.json"])
        for e in extracts {
            for path in [e.csv, e.manifest] {
                let remote = dir.file("ftp/ind/" + (path as NSString).lastPathComponent)
                #expect(FileManager.default.contents(atPath: remote) == FileManager.default.contents(atPath: path))
            }
        }
        let rows = try log(w)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.1 == "ftp://127.0.0.1:\(s.port)/ind/" && $0.2 != nil })
        #expect(extracts.map(DisclosureStage.line).allSatisfy { $0.contains("delivered to ftp://127.0.0.1:\(s.port)/ind/") })
    }

    @Test func aDroppedUploadLeavesNoFileUnderTheFinalNameAndARetryCompletesIt() throws {
        let dir = TemporaryDirectory()
        // Every attempt at dst's CSV (the first and the one retry) breaks off after 1000 bytes.
        let s = try server(dir, extra: ["--drop-upload", "dst_20261127.csv:1000:2", "--connections", dir.file("events")])
        let w = try stage.warehouse(dir)
        let extracts = try disclose(w, dir, to: try target(s, dir))
        #expect(extracts.first { $0.recipient == .dst }?.notDelivered == true)
        let size = try FileManager.default.attributesOfItem(atPath: dir.file("out/dst_20261127.csv"))[.size] as? Int
        #expect((size ?? 0) > 1000, "the CSV must be larger than the point of the drop")
        let names1 = try names(dir)
        #expect(!names1.contains("dst_20261127.csv") && !names1.contains("dst_20261127.manifest.json"), "\(names1)")
        #expect(!names1.contains { $0.hasSuffix(".part") }, "the broken temporary is removed: \(names1)")
        #expect(names1.contains("uvm_20261127.csv"), "the other recipient is delivered")
        let events = (try? String(contentsOfFile: dir.file("events"), encoding: .utf8)) ?? ""
        #expect(events.components(separatedBy: "drop ").count - 1 == 2, "both attempts were dropped: \(events)")
        let first = try log(w)
        #expect(first.first { $0.0 == "dst" }?.1 == nil)
        #expect(first.first { $0.0 == "uvm" }?.1 != nil)

        // The server no longer drops: running the disclosure again delivers it, and logs it again.
        let again = try disclose(w, dir, to: try target(s, dir))
        #expect(again.allSatisfy { if case .delivered = $0.delivery { true } else { false } })
        #expect(FileManager.default.contents(atPath: dir.file("ftp/ind/dst_20261127.csv")) == FileManager.default.contents(atPath: dir.file("out/dst_20261127.csv")))
        #expect(try log(w).filter { $0.0 == "dst" }.map { $0.1 != nil } == [false, true])
    }

    @Test func oneDropIsRetriedAtOnce() throws {
        let dir = TemporaryDirectory()
        let s = try server(dir, extra: ["--drop-upload", "dst_20261127.csv:1000:1", "--connections", dir.file("events")])
        let w = try stage.warehouse(dir)
        let extracts = try disclose(w, dir, to: try target(s, dir, retries: 1))
        let events = (try? String(contentsOfFile: dir.file("events"), encoding: .utf8)) ?? ""
        #expect(events.contains("drop .dst_20261127.csv.part"), "the server dropped the first attempt: \(events)")
        #expect(extracts.allSatisfy { if case .delivered = $0.delivery { true } else { false } }, "\(extracts.map(\.delivery))")
        #expect(FileManager.default.contents(atPath: dir.file("ftp/ind/dst_20261127.csv")) == FileManager.default.contents(atPath: dir.file("out/dst_20261127.csv")))
    }

    @Test func aDroppedUploadSaysNotDeliveredWithoutACPR() throws {
        let dir = TemporaryDirectory()
        let s = try server(dir, extra: ["--drop-upload", "uvm_20261127.csv:10:5"])
        let w = try stage.warehouse(dir)
        let extracts = try disclose(w, dir, to: try target(s, dir, retries: 0))
        let uvm = try #require(extracts.first { $0.recipient == .uvm })
        #expect(uvm.notDelivered)
        let line = DisclosureStage.line(uvm)
        #expect(line.hasPrefix("NOT DELIVERED to uvm at ftp://127.0.0.1:\(s.port)/ind/"), "\(line)")
        #expect(!containsFullCPR(line), "\(line)")
        #expect(!line.contains(s.password))
    }

    @Test func plainFTPOnlyWhenAllowed() throws {
        let dir = TemporaryDirectory()
        let s = try server(dir, tls: "none")
        let w = try stage.warehouse(dir)
        let refused = try disclose(w, dir, to: try target(s, dir, retries: 0))
        #expect(refused.allSatisfy { $0.notDelivered })
        #expect(DisclosureStage.line(refused[0]).contains("does not offer TLS"), "\(DisclosureStage.line(refused[0]))")
        #expect(try names(dir).isEmpty)
        let allowed = try disclose(w, dir, to: try target(s, dir, plaintext: true))
        #expect(!allowed.contains { $0.notDelivered })
        #expect(try names(dir).count == 4)
    }

    @Test func aPasswordInTheURLIsRefused() {
        #expect(throws: SourceError.self) {
            _ = try DisclosureTarget.open("ftp://amfora:secret@127.0.0.1:21/ind/", connection: ConnectionOptions(), environment: [:], home: "/nonexistent")
        }
        do {
            _ = try DisclosureTarget.open("sftp://127.0.0.1/ind/", connection: ConnectionOptions(), environment: [:], home: "/nonexistent")
            Issue.record("sftp:// accepted")
        } catch {
            #expect(error.message.contains("--to must be ftp:// or ftps://"), "\(error.message)")
        }
    }
}

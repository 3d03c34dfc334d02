import AmforaTestSupport
import Foundation
import Testing

@Suite struct ValidateCommandTests {
    static let cleanLine: String = {
        // 52.2-v1, 361 characters, a company-based measure for municipality 101.
        var s = "0101901234" + "101" + "139" + "01-02-2024" + "31-07-2024" + "37" + "10" + "0"
        s += String(repeating: " ", count: 20 + 36 + 20 + 7)
        s += "60" + "13748136" + "1012345678"
        s += "Bøgh & Søn ApS".padding(toLength: 50, withPad: " ", startingAt: 0)
        s += "Ærøvej 5".padding(toLength: 50, withPad: " ", startingAt: 0) + "8000"
        s += "Aarhus C".padding(toLength: 50, withPad: " ", startingAt: 0) + "  " + " 913210"
        s += String(repeating: " ", count: 8 + 10 + 36)
        return s
    }()

    @Test func aCleanFileExitsZero() throws {
        #expect(Self.cleanLine.count == 361)
        try CLI.withTemporaryDirectory { dir in
            let f = dir.appendingPathComponent("AMFORA_101_20241108.txt")
            try (Self.cleanLine + "\r\n").write(to: f, atomically: true, encoding: .utf8)
            let r = try CLI.run(["validate", f.path])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("AMFORA  101 København  UTF-8  1 records  0 errors  0 warnings"), "\(r.stdout)")
        }
    }

    @Test func jsonHasTheInterfaceShapeAndNoFullCPR() throws {
        try CLI.withTemporaryDirectory { dir in
            let f = dir.appendingPathComponent("AMFORA_101_20241108.txt")
            let bad = Self.cleanLine.replacingOccurrences(of: "0101901234", with: "3102901234")  // impossible birth date
            try (Self.cleanLine + "\n" + bad + "\n").write(to: f, atomically: true, encoding: .utf8)
            let r = try CLI.run(["validate", "--json", f.path])
            #expect(r.status == 1)
            #expect(!containsFullCPR(r.stdout), "\(r.stdout)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            let file = (obj["files"] as! [[String: Any]])[0]
            for key in ["file", "kind", "komnr", "batch_date", "encoding", "lines", "records", "errors", "warnings", "findings"] {
                #expect(file[key] != nil, "\(key)")
            }
            #expect(file["komnr"] as? String == "101")
            #expect(file["batch_date"] as? String == "2024-11-08")
            #expect(file["records"] as? Int == 2)
            let finding = (file["findings"] as! [[String: Any]])[0]
            #expect(finding["line"] as? Int == 2)
            #expect(finding["field"] as? String == "CPRnr")
            #expect(finding["rule"] as? String == "cpr.birthdate")
            #expect(finding["severity"] as? String == "error")
            #expect(finding["value"] as? String == "310290-****")
            #expect(finding["message"] is String)
        }
    }

    /// Garbage in gives findings or a clear message, never a crash or a hang.
    @Test func garbageIn() throws {
        try CLI.withTemporaryDirectory { dir in
            var rng = SystemRandomNumberGenerator()
            let random = Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try random.write(to: dir.appendingPathComponent("AMFORA_101_20241108.txt"))
            try Data(repeating: 0, count: 10_000).write(to: dir.appendingPathComponent("AMFORA_147_20241108.txt"))
            try Data(repeating: UInt8(ascii: "x"), count: 5 << 20).write(to: dir.appendingPathComponent("AMFORA_151_20241108.txt"))
            try Data().write(to: dir.appendingPathComponent("AMFORA_153_20241108.txt"))
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("AMFORA_155_20241108.txt"), withIntermediateDirectories: false)
            let files = ["AMFORA_101_20241108.txt", "AMFORA_147_20241108.txt", "AMFORA_151_20241108.txt", "AMFORA_153_20241108.txt",
                         "AMFORA_155_20241108.txt", "AMFORA_157_20241108.txt"].map { dir.appendingPathComponent($0).path }
            let r = try CLI.run(["validate"] + files)
            #expect(r.status == 2, "a directory and a missing file are unusable input")
            #expect(r.stdout.contains("is a directory"))
            #expect(r.stdout.contains("no such file"))
            #expect(r.stdout.contains("line.long"))
            #expect(r.stdout.contains("line.encoding"))
            #expect(r.stdout.contains("file.empty"))
            let json = try CLI.run(["validate", "--json"] + files)
            #expect(json.status == 2)
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "JSON must stay well-formed")
        }
    }

    @Test func notADeliveryIsReportedNotGuessedAt() throws {
        try CLI.withTemporaryDirectory { dir in
            let f = dir.appendingPathComponent("AMFORA_101_2024110.txt")
            try (Self.cleanLine + "\n").write(to: f, atomically: true, encoding: .utf8)
            let r = try CLI.run(["validate", f.path])
            #expect(r.status == 2)
            #expect(r.stdout.contains("file.name"))
            #expect(r.stdout.contains("not a delivery"))
        }
    }

    @Test func badOptionsExitTwo() throws {
        let r = try CLI.run(["validate", "--encoding", "latin9", "x"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--encoding"))
    }
}

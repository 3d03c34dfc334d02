import AmforaCore
import AmforaTestSupport
import Foundation
import Testing

/// `amfora run` on both sample Fridays, then the report's figures against counts made
/// independently from the sample files and samples/expected.json (written with the samples).
@Suite struct SampleRunTests {
    struct Expected: Decodable {
        struct File: Decodable {
            let records: Int
            let deliberate: [Deliberate]
        }
        struct Deliberate: Decodable { let line: Int?; let severity: String }
        let fridays: [String]
        let missing: Int
        let shrunken: Int
        let files: [String: File]
    }

    @Test func theReportCountsWhatTheSamplesHold() throws {
        let dir = TemporaryDirectory()
        let samples = CLI.repo.appendingPathComponent("samples")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: samples.appendingPathComponent("expected.json")))
        for friday in expected.fridays {
            let r = try CLI.run(["run", "--source", samples.appendingPathComponent(friday).path, "--batch-date", friday,
                                 "--warehouse", dir.file("w.sqlite"), "--reports", dir.file("reports")])
            #expect(r.status == 1, "the samples carry faults a person must see: \(r.stdout) \(r.stderr)")
            #expect(!containsFullCPR(r.stdout + r.stderr))
        }
        let last = expected.fridays.last!
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("reports/\(last)/summary.json")))) as! [String: Any]
        let rows = report["municipalities"] as! [[String: Any]]
        func row(_ komnr: Int, _ kind: String) -> [String: Any]? {
            rows.first { $0["komnr"] as? String == ValidationOutput.pad3(komnr) && $0["kind"] as? String == kind }
        }
        // Loaded deliveries: records in force = the file's records less its quarantined lines.
        var national = 0
        for (name, file) in expected.files where name.hasPrefix("\(last)/AMFORA_") {
            guard case .success(let n) = DeliveryName.parse(String(name.split(separator: "/").last!),
                                                            municipalities: CodeListCatalog.standard.municipalities),
                  n.komnr != expected.shrunken else { continue }
            let quarantined = Set(file.deliberate.filter { $0.severity == "error" }.compactMap(\.line)).count
            let got = try #require(row(n.komnr, "AMFORA"), "\(name)")
            #expect(got["status"] as? String == "loaded", "\(name)")
            #expect(got["records"] as? Int == file.records - quarantined, "\(name)")
            national += file.records - quarantined
        }
        // The shrunken delivery is held: it shows its own size, last Friday's data stays in force.
        let held = try #require(row(expected.shrunken, "AMFORA"))
        #expect(held["status"] as? String == "held")
        let previous851 = expected.files.first { $0.key.hasPrefix("\(expected.fridays[0])/AMFORA_\(expected.shrunken)_") }!.value
        let previousInForce = previous851.records - Set(previous851.deliberate.filter { $0.severity == "error" }.compactMap(\.line)).count
        #expect(held["previous_records"] as? Int == previousInForce)
        // The missing one is stale, with last Friday's dataset.
        let stale = try #require(row(expected.missing, "AMFORA"))
        #expect(stale["status"] as? String == "stale")
        let previousMissing = expected.files.first { $0.key.hasPrefix("\(expected.fridays[0])/AMFORA_\(expected.missing)_") }!.value
        #expect(stale["records"] as? Int == previousMissing.records - Set(previousMissing.deliberate.filter { $0.severity == "error" }.compactMap(\.line)).count)
        national += (stale["records"] as? Int ?? 0) + previousInForce
        let counts = (report["national"] as! [String: Any])
        #expect(counts["records"] as? Int == national)
        // The reconciliation adds up: this Friday = unchanged + changed + new (+ reappeared);
        // last Friday = unchanged + changed + removed.
        for r in rows where r["status"] as? String == "loaded" && r["kind"] as? String == "AMFORA" {
            let n = { (k: String) in r[k] as? Int ?? -1 }
            #expect(n("unchanged") + n("changed") + n("new") + n("reappeared") == n("records"), "\(r["komnr"]!)")
            #expect(n("unchanged") + n("changed") + n("removed") == n("previous_records"), "\(r["komnr"]!)")
        }
        // Every file the report promises is there; the HTML has no full CPR.
        for f in ["index.html", "municipalities.csv", "rejects_by_rule.csv", "history_changes.csv", "stages.csv", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.file("reports/\(last)/\(f)")), "\(f)")
        }
        // run.json gives each stage's CPU beside its wall time (the year benchmark reads both).
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("reports/\(last)/run.json")))) as! [String: Any]
        let stages = try #require(run["stages"] as? [[String: Any]])
        #expect(stages.map { $0["stage"] as? String }.contains("write-down"))
        for s in stages {
            let cpu = try #require(s["cpu_seconds"] as? Double, "\(s)")
            #expect(cpu >= 0, "\(s)")
        }
        let html = try String(contentsOfFile: dir.file("reports/\(last)/index.html"), encoding: .utf8)
        #expect(!containsFullCPR(html))
        // A page per municipality, linked from the national table, and an index of the Fridays.
        for komnr in ["101", "147", "492", "563", "751", "851"] {
            let page = try String(contentsOfFile: dir.file("reports/\(last)/kommuner/\(komnr).html"), encoding: .utf8)
            #expect(html.contains("href=\"kommuner/\(komnr).html\""))
            #expect(!containsFullCPR(page), "\(komnr)")
        }
        let fridays = try String(contentsOfFile: dir.file("reports/index.html"), encoding: .utf8)
        for friday in expected.fridays { #expect(fridays.contains("href=\"\(friday)/index.html\"")) }
    }
}

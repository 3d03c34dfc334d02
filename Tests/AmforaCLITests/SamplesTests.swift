import AmforaTestSupport
import Foundation
import Testing

/// `amfora validate` on the bundled samples finds every deliberate fault listed in
/// samples/expected.json (written with the samples, independently of the validator) and nothing else.
@Suite struct SamplesTests {
    struct Expected: Decodable {
        struct File: Decodable {
            let records: Int
            let blank_lines: Int
            let encoding: String?
            let findings: [String: Int]
            let deliberate: [Deliberate]
        }
        struct Deliberate: Decodable {
            let line: Int?
            let field: String?
            let rule: String
            let severity: String
        }
        let files: [String: File]
    }

    @Test func everyDeliberateFaultIsFoundAndNothingElse() throws {
        let samples = CLI.repo.appendingPathComponent("samples")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: samples.appendingPathComponent("expected.json")))
        #expect(expected.files.count >= 30)
        let paths = expected.files.keys.sorted()
        let r = try CLI.run(["validate", "--json"] + paths, cwd: samples)
        #expect(r.status == 2, "a file that is not a delivery is among the samples")
        #expect(!containsFullCPR(r.stdout))
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let files = json["files"] as! [[String: Any]]
        #expect(files.count == paths.count)
        for file in files {
            let name = file["file"] as! String
            let want = try #require(expected.files[name])
            let findings = file["findings"] as! [[String: Any]]
            var counts: [String: Int] = [:]
            for f in findings { counts[f["rule"] as! String, default: 0] += 1 }
            #expect(counts == want.findings, "\(name)")
            #expect(file["records"] as? Int == want.records, "\(name)")
            #expect(file["blank_lines"] as? Int == want.blank_lines, "\(name)")
            if let e = want.encoding, file["kind"] is String { #expect(file["encoding"] as? String == e, "\(name)") }
            for d in want.deliberate {
                #expect(findings.contains { f in
                    f["rule"] as? String == d.rule && f["severity"] as? String == d.severity
                        && (d.line == nil || f["line"] as? Int == d.line) && (d.field == nil || f["field"] as? String == d.field)
                }, "\(name): \(d.rule) at line \(d.line ?? 0)")
            }
        }
    }
}

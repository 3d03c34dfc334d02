import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct DeliveryReaderTests {
    let clean = LineBuilder.activation().text

    /// Reads the lines back and returns each record's decoded field values.
    func records(_ bytes: [UInt8], name: String = "AMFORA_101_20241108.txt", chunkSize: Int = 1 << 16,
                 options: ValidationOptions = ValidationOptions()) -> ([[String: String]], FileSummary, [Finding]) {
        var out: [[String: String]] = []
        var findings: [Finding] = []
        let summary = try! DeliveryValidator.validate(fileName: name, options: options,
                                                      source: DeliveryValidator.memorySource(bytes, chunkSize: chunkSize), onFinding: { findings.append($0) }, onLine: { line in
            guard let r = line.record else { return }
            var fields: [String: String] = [:]
            for (i, f) in r.layout.fields.enumerated() { fields[f.name] = r.unmaskedRaw(i) }
            out.append(fields)
        })
        return (out, summary, findings)
    }

    @Test func danishLettersNeverShiftColumnsInEitherEncoding() {
        let line = LineBuilder.activation(["Navn": "Ærø Æblemost ÅØÆ", "Adresse": "Søndergade 1", "By": "Ærøskøbing"]).text
        for (encoding, bytes) in [(TextEncoding.utf8, Bytes.utf8(line + "\n")), (.windows1252, Bytes.cp1252(line + "\n"))] {
            let (recs, summary, findings) = records(bytes)
            #expect(summary.encoding == encoding)
            #expect(findings.isEmpty, "\(findings)")
            #expect(recs.first?["Navn"] == "Ærø Æblemost ÅØÆ")
            #expect(recs.first?["Adresse"] == "Søndergade 1")
            #expect(recs.first?["Postnummer"] == "8000")
            #expect(recs.first?["By"] == "Ærøskøbing")
            #expect(recs.first?["Stillingsbetegnelse"] == "913210")
        }
    }

    @Test func bomIsSkippedAndCRLFAccepted() {
        let bytes = [0xEF, 0xBB, 0xBF] + Bytes.utf8(clean + "\r\n" + clean + "\r\n")
        let (recs, summary, findings) = records(bytes)
        #expect(findings.isEmpty, "\(findings)")
        #expect(recs.count == 2)
        #expect(summary.tally.records == 2)
        #expect(recs[0]["CPRnr"] == "0101901234")
    }

    /// Every chunk size, so lines split anywhere (even inside a UTF-8 character or a CRLF) read the same.
    @Test func chunkBoundariesDoNotMatter() {
        let line = LineBuilder.activation(["Navn": "Ærø"]).text
        let bytes = Bytes.utf8(line + "\r\n\n" + line + "\n")
        let (reference, _, _) = records(bytes)
        for chunk in [1, 2, 3, 7, 100, 361, 362, 363] {
            let (recs, summary, findings) = records(bytes, chunkSize: chunk)
            #expect(recs == reference, "chunk \(chunk)")
            #expect(findings.isEmpty)
            #expect(summary.tally.blankLines == 1)
            #expect(summary.tally.lines == 3)
        }
    }

    /// What `recognise` accepts is passed on unparsed as a repeat, counted as a record with no
    /// finding, even when parsing it would have found errors; blank lines and lines beyond the
    /// length cap are never offered; every other line is, with the file's encoding.
    @Test func recognisedLinesArePassedOnUnparsed() throws {
        let bad = LineBuilder.activation(["CPRnr": "0101901234", "Slutdt": "01-01-2020"]).text  // ends before it starts
        let other = LineBuilder.activation(["CPRnr": "0202901234"]).text
        let long = clean + String(repeating: "x", count: 2000)
        let text = [clean, "", bad, other, long].joined(separator: "\n") + "\n"
        var offered: [[UInt8]] = []
        var copies: [(record: Bool, findings: Int, repeat: Bool, blank: Bool)] = []
        let summary = try DeliveryValidator.validate(
            fileName: "AMFORA_101_20241108.txt", source: DeliveryValidator.memorySource(Bytes.cp1252(text), chunkSize: 61),
            recognise: { bytes, encoding in
                #expect(encoding == .windows1252)
                offered.append(Array(bytes))
                return offered.last! == Bytes.cp1252(bad) || offered.last! == Bytes.cp1252(clean)
            },
            onFinding: { _ in },
            onLine: { line in
                copies.append((line.record != nil, line.findings.count, line.isRepeat, line.isBlank))
            })
        #expect(offered.count == 3, "blank and overlong lines are not offered")
        #expect(copies.map(\.repeat) == [true, false, true, false, false])
        #expect(copies.map(\.record) == [false, false, false, true, false])
        #expect(copies[0].findings == 0 && copies[2].findings == 0)
        #expect(copies[4].findings > 0, "the overlong line is parsed and rejected")
        #expect(summary.tally.records == 4 && summary.tally.blankLines == 1 && summary.tally.quarantined == 1)
    }

    @Test func blankLinesAreCountedNotDropped() {
        let (_, s, findings) = records(Bytes.utf8(clean + "\n\n   \n" + clean + "\n\r\n"))
        #expect(findings.isEmpty)
        #expect(s.tally == { var t = LineTally(); t.lines = 5; t.blankLines = 3; t.records = 2; return t }())
    }

    @Test func missingFinalNewlineIsFineOnACompleteRecord() {
        let (recs, s, findings) = records(Bytes.utf8(clean + "\n" + clean))
        #expect(findings.isEmpty)
        #expect(recs.count == 2)
        #expect(s.isUsable)
    }

    @Test func anIncompleteLastLineIsATruncatedFile() {
        let cut = String(clean.prefix(200))
        let (recs, s, findings) = records(Bytes.utf8(clean + "\n" + cut))
        #expect(recs.count == 1)
        #expect(!s.isUsable)
        #expect(rules(findings) == ["file.truncated"])
        #expect(findings[0].line == 2)
        #expect(findings[0].field == nil)
    }

    @Test func shortLinesArePaddedWithAWarning() {
        // The record's last field, HoldID, is optional: cutting it off leaves a valid record.
        let short = String(clean.prefix(325))
        let (recs, _, findings) = records(Bytes.utf8(short + "\n"))
        #expect(rules(findings) == ["line.short"])
        #expect(findings[0].severity == .warning)
        #expect(recs.count == 1)
    }

    @Test func textBeyondTheLayoutIsMisalignment() {
        let (_, s, findings) = records(Bytes.utf8(clean + "X\n" + clean + "     \n"))
        #expect(rules(findings) == ["line.long"])
        #expect(findings[0].line == 1)
        #expect(s.tally.quarantined == 1)
        #expect(s.tally.records == 2)
    }

    @Test func aFiveMegabyteLineIsOneFindingAndBoundedMemory() {
        let huge = [UInt8](repeating: UInt8(ascii: "A"), count: 5 << 20)
        let (_, s, findings) = records(huge + [0x0A] + Bytes.utf8(clean + "\n"), chunkSize: 1 << 16)
        #expect(rules(findings) == ["line.long"])
        #expect(s.tally.records == 2)
        #expect(findings[0].message.contains("more than"))
    }

    @Test func malformedBytesAreFindingsWithByteOffsets() {
        // Configured UTF-8 that is not: a Windows-1252 'ø' (0xF8) at byte 150.
        var bytes = Bytes.utf8(clean + "\n")
        bytes[149] = 0xF8
        let (recs, s, findings) = records(bytes, options: ValidationOptions(encoding: .utf8))
        #expect(recs.isEmpty)
        #expect(rules(findings) == ["line.encoding"])
        #expect(findings[0].byteOffset == 149)
        #expect(findings[0].message.contains("byte 150"))
        #expect(s.tally.quarantined == 1)

        // Windows-1252's undefined 0x81 and a NUL.
        var bad = Bytes.cp1252(clean + "\n" + clean + "\n")
        bad[160] = 0x81
        bad[362 + 170] = 0x00
        let (_, _, f2) = records(bad)
        #expect(rules(f2) == ["line.encoding", "line.encoding"])
        #expect(f2.map(\.byteOffset) == [160, 170])
    }

    @Test func garbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let (_, s, _) = records(bytes)
            #expect(s.tally.lines >= 0)
        }
        let (_, empty, f) = records([])
        #expect(empty.tally.lines == 0)
        #expect(rules(f) == ["file.empty"])
    }

    @Test func aidLayoutReadsWithTheSameReader() {
        let line = LineBuilder.aid().text
        #expect(line.count == 41)
        let (recs, _, findings) = records(Bytes.utf8(line + "\n"), name: "HJAELP1_101_20241108.txt")
        #expect(findings.isEmpty, "\(findings)")
        #expect(recs.first?["Startdtgod"] == "15-03-2024")
    }

    @Test func aNewLayoutVersionNeedsOnlyData() throws {
        // A hypothetical 57.2-v2 with a field appended: no parsing code changes.
        var tsv = "layout\tfield\tstart\tlength\ttype\tkind\tseverity\trequired\tguideline_item\tguideline_name\tguideline_width\n"
        tsv += "57.2-v1\tKomnr\t1\t3\tnum\tkomnr\terror\tyes\t1\t\t\n"
        tsv += "57.2-v1\tStartdtgod\t4\t10\tdate\tdate\terror\tyes\t3\t\t\n"
        tsv += "57.2-v1\tBeloeb\t14\t6\tnum\thours\twarning\tno\t5\t\t\n"
        let layouts = try LayoutCatalog(tsv: tsv)
        let (recs, _, findings) = records(Bytes.utf8("10115-03-2024  1234\n"), name: "HJAELP1_101_20241108.txt",
                                          options: ValidationOptions(layouts: layouts))
        #expect(findings.isEmpty, "\(findings)")
        #expect(recs.first?["Beloeb"] == "1234")
    }

    @Test func layoutsMustTileTheRecord() {
        let tsv = "layout\tfield\tstart\tlength\ttype\tkind\tseverity\trequired\tguideline_item\n"
            + "x\tA\t1\t3\tnum\tkomnr\terror\tyes\t1\nx\tB\t5\t3\tnum\tkomnr\terror\tyes\t1\n"
        #expect(throws: CatalogError.self) { try LayoutCatalog(tsv: tsv) }
    }
}

import Testing
@testable import AmforaCore
import AmforaTestSupport

@Suite struct RecordIdentityTests {
    /// Hashes of the records of a one-line delivery.
    func hashes(_ line: String, windows1252: Bool = false) -> (content: Int64, activity: Int64) {
        var out: (Int64, Int64) = (0, 0)
        let bytes = windows1252 ? Bytes.cp1252(line + "\n") : Bytes.utf8(line + "\n")
        _ = try! DeliveryValidator.validate(fileName: "AMFORA_101_20241108.txt", source: { consume in
            bytes.withUnsafeBufferPointer { consume($0) }
        }, onFinding: { _ in }, onLine: { l in
            guard let r = l.record else { return }
            out = (RecordIdentity.contentHash(r), RecordIdentity(layout: r.layout).activityID(r))
        })
        return out
    }

    @Test func sameContentSameHashWhateverTheFormOrEncoding() {
        let a = hashes(LineBuilder.activation(["Navn": "Ærø Æblemost"]).text)
        #expect(a == hashes(LineBuilder.activation(["Navn": "Ærø Æblemost", "Startdt": "2024-02-01", "Slutdt": "310724"]).text))
        #expect(a == hashes(LineBuilder.activation(["Navn": "Ærø Æblemost", "Timetal": "37"]).text, windows1252: true))
    }

    @Test func anyChangedFieldChangesTheContentHashButNotTheIdentity() {
        let base = hashes(LineBuilder.activation().text)
        for (field, value) in [("Slutdt", "30-07-2024"), ("Timetal", "36"), ("Navn", "Bøgh & Søn A/S"), ("Pnr", ""), ("By", "Aarhus N")] {
            let changed = hashes(LineBuilder.activation([field: value]).text)
            #expect(changed.content != base.content, "\(field)")
            #expect(changed.activity == base.activity, "\(field)")
        }
        for (field, value) in [("CPRnr", "0202851234"), ("Foranstalt", "140"), ("Startdt", "02-02-2024")] {
            #expect(hashes(LineBuilder.activation([field: value]).text).activity != base.activity, "\(field)")
        }
    }
}

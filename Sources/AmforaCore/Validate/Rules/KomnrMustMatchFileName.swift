/// 52.1 item 2: Komnr is the reporting municipality, so it must be the one in the file name.
public final class KomnrMustMatchFileName: RecordRule {
    public static let ruleIDs = ["komnr.mismatch"]
    let komnr: Int

    public init?(layout: Layout, catalog: CodeListCatalog) {
        guard let i = layout.index(of: "Komnr") else { return nil }
        komnr = i
    }

    public func check(_ r: RecordView, in file: FileContext, into findings: inout [RecordFinding]) {
        guard let expected = file.komnr, let got = r[komnr].number, got != expected else { return }
        findings.append(RecordFinding(
            field: "Komnr", rule: "komnr.mismatch", severity: .error, value: r.raw(komnr),
            message: "Komnr \(got) differs from municipality \(expected) in the file name; a municipality reports only its own measures"))
    }
}

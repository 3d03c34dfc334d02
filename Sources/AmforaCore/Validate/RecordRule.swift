/// What a rule knows about the file a record came from.
public struct FileContext: Sendable {
    public let fileName: String
    /// The municipality the file name says delivered it.
    public let komnr: Int?
    public let kind: RecordKind

    public init(fileName: String, komnr: Int?, kind: RecordKind) {
        self.fileName = fileName
        self.komnr = komnr
        self.kind = kind
    }
}

/// A cross-field rule of the spec's layout tables. Each rule lives in its own file under
/// Rules/, named for what it demands, with its messages beside it. A rule binds to a layout
/// by field name and is simply absent from layouts that lack its fields. Rules are immutable
/// classes so that applying them to millions of records copies no existential boxes.
public protocol RecordRule: AnyObject, Sendable {
    /// The rule ids this rule can report (documentation and test coverage).
    static var ruleIDs: [String] { get }
    init?(layout: Layout, catalog: CodeListCatalog)
    func check(_ record: RecordView, in file: FileContext, into findings: inout [RecordFinding])
}

/// The rules that apply to a layout, in a stable order.
public enum RuleBook {
    public static let all: [any RecordRule.Type] = [
        KomnrMustMatchFileName.self,
        SlutdtMustNotPrecedeStartdt.self,
        TimetalMustBeOneTo37.self,
        ForanstaltMustBeValidAtStartdt.self,
        Hovedydelse87OnlyForAges15To17.self,
        OpenOfferNeedsItsDates.self,
        CompanyBasedMeasureNeedsStedkode.self,
        CompanyBasedMeasureNeedsWorkplace.self,
        CompanyBasedMeasureNeedsJobTitle.self,
        CourseNeedsProviderCVR.self,
        CourseNeedsProviderPnrAndHold.self,
        FleksjobEndsByFolkepension.self,
        StateWageSubsidyNeedsMinistry.self,
        AidPnrNeedsCVR.self,
    ]

    /// Rules whose severity the config may set (`severity.<rule> = error|warning`): those the
    /// guideline asks for but whose absence need not keep a measure out of the statistics.
    public static let configurableSeverity: Set<String> = ["course.kursuspnr", "course.holdid", "fleksjob.slutdt"]

    public static func rules(for layout: Layout, catalog: CodeListCatalog) -> [any RecordRule] {
        all.compactMap { $0.init(layout: layout, catalog: catalog) }
    }
}

/// Measure codes the rules single out (52.1 items 3, 14, 17, 18).
public enum Measure {
    /// Virksomhedsrettede foranstaltninger: virksomhedspraktik (140), løntilskud (139),
    /// fleksjob (130, 143) and voksenelev (150) — 52.1 item 14.
    @inline(__always)
    public static func isCompanyBased(_ code: Int) -> Bool {
        switch code {
        case 139, 140, 130, 143, 150: true
        default: false
        }
    }
    /// Kursusforløb under the current table (52.1 item 3, items 18–19).
    public static let courses: ClosedRange<Int> = 160...165
    /// Ansættelse med løntilskud.
    public static let wageSubsidy = 139
    /// Stedkode "Statslig arbejdsplads" (52.1 item 13).
    public static let stateWorkplace = 73
}

extension Layout {
    /// Indices of the named fields, or nil if the layout lacks any of them.
    public func indices(_ names: String...) -> [Int]? {
        var out: [Int] = []
        for n in names {
            guard let i = index(of: n) else { return nil }
            out.append(i)
        }
        return out
    }
}

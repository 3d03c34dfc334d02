/// The §54 disclosures (guideline §54 stk. 2–5; spec disclosures.md): which part of the data in
/// force is passed on to whom. Personal data leaving the organisation, so exact and minimal: who
/// is in each extract is decided here, once, and tested at every boundary.
public enum Recipient: String, CaseIterable, Sendable {
    /// Danmarks Statistik (§54 stk. 2): every measure in force.
    case dst
    /// Undervisningsministeriets fælles datagrundlag (§54 stk. 4): persons under 18.
    case uvm
    /// ATP and SKAT (§54 stk. 5): the 1946–1952 cohort's wage subsidy touching 2010–2016.
    case atpSkat = "atp-skat"

    public var legalBasis: String {
        switch self {
        case .dst: "§54 stk. 2"
        case .uvm: "§54 stk. 4"
        case .atpSkat: "§54 stk. 5"
        }
    }

    public var name: String {
        switch self {
        case .dst: "Danmarks Statistik"
        case .uvm: "Undervisningsministeriet (fælles datagrundlag)"
        case .atpSkat: "ATP og SKAT (skattenedslag for seniorer)"
        }
    }

    /// `dst`, `uvm`, `atp-skat`, or `all`.
    public static func parse(_ text: String) -> [Recipient]? {
        text == "all" ? allCases : Recipient(rawValue: text).map { [$0] }
    }
}

/// The measure codes that decide two of the rules, as configured (`disclose.wage_subsidy`,
/// `disclose.personal_assistance`); the defaults are the guideline's.
public struct DisclosureCodes: Sendable, Equatable {
    /// "Ansættelse med løntilskud" (§54 stk. 5).
    public var wageSubsidy: Set<Int> = [139]
    /// "Personlig assistance" — §51 stk. 1 nr. 5, passed on to no one (§54 stk. 3).
    public var personalAssistance: Set<Int> = [175]

    public init() {}
}

/// Who and what each recipient receives. A measure is judged on its own: a person with personal
/// assistance and other measures has the others passed on, never the personal assistance.
public struct DisclosureRule: Sendable {
    public let codes: DisclosureCodes
    public static let cohort = Day(year: 1946, month: 1, day: 1)!...Day(year: 1952, month: 12, day: 31)!
    public static let wageSubsidyPeriod = Day(year: 2010, month: 1, day: 1)!...Day(year: 2016, month: 12, day: 31)!

    public init(codes: DisclosureCodes = DisclosureCodes()) {
        self.codes = codes
    }

    /// Whether the measure goes to `recipient` in the batch of `batch`. `foranstalt` nil: the
    /// field holds no code (kept with a warning) — it cannot be shown not to be personal
    /// assistance, so it goes to no one.
    public func includes(_ recipient: Recipient, cpr: Int, foranstalt: Int?, start: Day, end: Day, batch: Day) -> Bool {
        guard let foranstalt, !codes.personalAssistance.contains(foranstalt) else { return false }
        switch recipient {
        case .dst:
            return true
        case .uvm:
            // Born on or before the batch date: a birth date after it is no person under 18.
            guard let born = CPR.birthDate(number: cpr), born <= batch else { return false }
            return born.age(on: batch) < 18
        case .atpSkat:
            guard codes.wageSubsidy.contains(foranstalt), let born = CPR.birthDate(number: cpr),
                  Self.cohort.contains(born) else { return false }
            return start <= Self.wageSubsidyPeriod.upperBound && end >= Self.wageSubsidyPeriod.lowerBound
        }
    }

    /// The two-digit birth years (CPR digits 5–6) a recipient's persons can have, nil when any:
    /// a superset the stage narrows its reading to before `includes` decides each measure.
    public static func birthYearDigits(_ recipient: Recipient, batch: Day) -> [ClosedRange<Int>]? {
        switch recipient {
        case .dst:
            return nil
        case .uvm:
            let year = batch.components.year
            let low = (year - 18) % 100, high = year % 100
            return low <= high ? [low...high] : [low...99, 0...high]
        case .atpSkat:
            return [cohort.lowerBound.components.year % 100...cohort.upperBound.components.year % 100]
        }
    }

    /// The fields of each extract, as its header names them (lower case).
    public static func fields(_ recipient: Recipient, layout: Layout) -> [String] {
        switch recipient {
        case .uvm: ["cpr", "foranstalt", "startdt", "slutdt"]
        case .atpSkat: ["cpr", "startdt", "slutdt"]
        case .dst: layout.fields.map { $0.name == "CPRnr" ? "cpr" : $0.name.lowercased() } + ["hours_written_down"]
        }
    }
}

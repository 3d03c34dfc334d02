/// The folkepension age by birth date (reference/facts.md, "Folkepension age"), for 52.1 item 5:
/// "For lange forløb, fx fleksjob hvor slutdatoen ikke altid er fastsat, indberettes datoen for
/// hvornår personen forventes at gå på folkepension."
public enum Folkepension {
    /// (born on or after, age in months), latest first.
    static let ages: [(from: Day, months: Int)] = [
        (Day(year: 1971, month: 1, day: 1)!, 70 * 12),
        (Day(year: 1967, month: 1, day: 1)!, 69 * 12),
        (Day(year: 1963, month: 1, day: 1)!, 68 * 12),
        (Day(year: 1955, month: 7, day: 1)!, 67 * 12),
        (Day(year: 1955, month: 1, day: 1)!, 66 * 12 + 6),
        (Day(year: 1954, month: 7, day: 1)!, 66 * 12),
        (Day(year: 1954, month: 1, day: 1)!, 65 * 12 + 6),
    ]

    /// Months of age at which a person born on `birth` reaches folkepension age.
    public static func ageInMonths(bornOn birth: Day) -> Int {
        ages.first { birth >= $0.from }?.months ?? 65 * 12
    }

    /// The day a person born on `birth` reaches folkepension age (the birthday; 29 February
    /// becomes 28 February in a year without it).
    public static func date(bornOn birth: Day) -> Day {
        let months = ageInMonths(bornOn: birth)
        let (y, m, d) = birth.components
        let total = (y * 12 + (m - 1)) + months
        let year = total / 12, month = total % 12 + 1
        return (0...3).lazy.compactMap { Day(year: year, month: month, day: d - $0) }.first!
    }
}

/// Turns one field's bytes into a `FieldValue`, checking its shape (dates, digits, CPR, CVR,
/// GUID, …). Cross-field rules live in Validate/Rules; this is only "is the value well-formed".
struct FieldNormaliser: Sendable {
    let fields: [FieldSpec]
    /// Payload-free copies of each field's kind and requiredness: the hot loop touches no strings.
    let tags: [Tag]
    let required: [Bool]
    /// `known[i * 1000 + code]`: is `code` in field i's code list (or a municipality, for Komnr).
    /// Codes are at most three digits; one flat table keeps lookups to a single array read.
    let known: [Bool]
    let listNames: [String?]

    enum Tag: UInt8 { case cpr, identnr, komnr, code, date, hours, bool, guid, disco, cvr, pnr, postnr, text }

    /// Why a value is malformed; turned into a finding only when it happens (the cold path).
    enum Problem: Equatable {
        case required, cprFormat, cprBirthDate, notDigits, unknownMunicipality, unknownCode(Int)
        case dateUnrecognised, dateImpossible, dateOutOfRange(Day), boolFormat, guidFormat, discoFormat
        case cvrFormat, cvrModulus11, pnrFormat, postnrFormat
    }

    init(layout: Layout, catalog: CodeListCatalog) {
        fields = layout.fields
        required = layout.fields.map(\.required)
        var known = [Bool](repeating: false, count: layout.fields.count * 1000)
        var names: [String?] = []
        var tags: [Tag] = []
        for (i, f) in layout.fields.enumerated() {
            var name: String?
            switch f.kind {
            case .cpr: tags.append(.cpr)
            case .identnr: tags.append(.identnr)
            case .komnr:
                tags.append(.komnr)
                for k in catalog.municipalities.keys where (0..<1000).contains(k) { known[i * 1000 + k] = true }
            case .code(let list):
                tags.append(.code)
                name = list
                for e in catalog[list]?.entries ?? [] where (0..<1000).contains(e.code) { known[i * 1000 + e.code] = true }
            case .date: tags.append(.date)
            case .hours: tags.append(.hours)
            case .bool: tags.append(.bool)
            case .guid: tags.append(.guid)
            case .disco: tags.append(.disco)
            case .cvr: tags.append(.cvr)
            case .pnr: tags.append(.pnr)
            case .postnr: tags.append(.postnr)
            case .text: tags.append(.text)
            }
            names.append(name)
        }
        self.tags = tags
        self.known = known
        listNames = names
    }

    /// Normalises `p[s..<e]`, the trimmed field i. On failure the value is `.invalid` (or
    /// `.missing` for a blank required field) and `problem` says why.
    @inline(__always)
    func normalise(_ i: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, problem: inout Problem?) -> FieldValue {
        guard e > s else {
            if required[i] { problem = .required }
            return .missing
        }
        @inline(__always) func fail(_ why: Problem) -> FieldValue {
            problem = why
            return .invalid
        }
        switch tags[i] {
        case .text, .identnr:
            return .text(start: Int32(s), end: Int32(e))
        case .cpr:
            guard e - s == 10, let n = parseDigits(p, s, e) else { return fail(.cprFormat) }
            guard CPR.birthDate(ascii: p + s) != nil else { return fail(.cprBirthDate) }
            return .number(n)
        case .komnr:
            guard let n = parseDigits(p, s, e) else { return fail(.notDigits) }
            guard n < 1000, known[i * 1000 + n] else { return fail(.unknownMunicipality) }
            return .number(n)
        case .code:
            guard let n = parseDigits(p, s, e) else { return fail(.notDigits) }
            guard n < 1000, known[i * 1000 + n] else { return fail(.unknownCode(n)) }
            return .number(n)
        case .hours:
            guard let n = parseDigits(p, s, e) else { return fail(.notDigits) }
            return .number(n)
        case .date:
            switch DeliveryDate.parse(p, s, e) {
            case .success(let d): return .day(d)
            case .failure(.unrecognised): return fail(.dateUnrecognised)
            case .failure(.impossible): return fail(.dateImpossible)
            case .failure(.outOfRange(let d)): return fail(.dateOutOfRange(d))
            }
        case .bool:
            guard e - s == 1 else { return fail(.boolFormat) }
            switch p[s] {
            case UInt8(ascii: "1"), UInt8(ascii: "J"), UInt8(ascii: "j"), UInt8(ascii: "Y"), UInt8(ascii: "y"): return .flag(true)
            case UInt8(ascii: "0"), UInt8(ascii: "N"), UInt8(ascii: "n"): return .flag(false)
            default: return fail(.boolFormat)
            }
        case .guid:
            return GUID.isWellFormed(p, s, e) ? .text(start: Int32(s), end: Int32(e)) : fail(.guidFormat)
        case .disco:
            guard e - s >= 4, let n = parseDigits(p, s, e) else { return fail(.discoFormat) }
            return .number(n)
        case .cvr:
            guard e - s == 8, let n = parseDigits(p, s, e) else { return fail(.cvrFormat) }
            return CVR.isValid(ascii: p + s) ? .number(n) : fail(.cvrModulus11)
        case .pnr:
            guard e - s == 10, let n = parseDigits(p, s, e) else { return fail(.pnrFormat) }
            return .number(n)
        case .postnr:
            guard e - s == 4, let n = parseDigits(p, s, e) else { return fail(.postnrFormat) }
            return .number(n)
        }
    }

    /// The finding for a problem of field i; `raw` is the delivered text (already CPR-masked).
    func finding(_ problem: Problem, field i: Int, raw: String) -> RecordFinding {
        let f = fields[i]
        let name = f.name
        let (rule, message): (String, String)
        switch problem {
        case .required:
            return RecordFinding(field: name, rule: "required", severity: .error, value: "",
                                 message: "\(name) is blank but must be reported for every record (guideline item \(f.guidelineItem))")
        case .cprFormat: (rule, message) = ("cpr.format", "\(name) must be ten digits ddmmyyxxxx")
        case .cprBirthDate: (rule, message) = ("cpr.birthdate", "\(name) does not begin with a real birth date under the 7th-digit century rule")
        case .notDigits: (rule, message) = ("num.format", "\(name) must be digits")
        case .unknownMunicipality: (rule, message) = ("komnr.unknown", "\(name) is not one of the 98 municipality codes")
        case .unknownCode(let n):
            (rule, message) = ("code.unknown", "\(name) \(n) is not in the guideline's \(listNames[i] ?? "") code list (52.1 item \(f.guidelineItem))")
        case .dateUnrecognised:
            (rule, message) = ("date.format", "\(name) is not a date in a recognised form (dd-mm-yyyy, ddmmyy, yyyy-mm-dd, …)")
        case .dateImpossible: (rule, message) = ("date.impossible", "\(name) is not a real calendar date")
        case .dateOutOfRange(let d):
            // 52.1 item 5: a long measure without a fixed end (a fleksjob) reports the date the
            // person is expected to reach folkepension age, not a placeholder.
            let hint = name == "Slutdt" ? "; a measure without a fixed end, such as a fleksjob, carries the date the person is expected to reach folkepension age (52.1 item 5)" : ""
            (rule, message) = ("date.range", "\(name) \(d.iso) is outside 1990-01-01…2100-12-31" + hint)
        case .boolFormat: (rule, message) = ("bool.format", "\(name) must be 1/J/Y (yes) or 0/N (no)")
        case .guidFormat: (rule, message) = ("guid.format", "\(name) must be a GUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        case .discoFormat: (rule, message) = ("disco.format", "\(name) must be a DISCO-88, DISCO-AMS or DISCOweb code of 4 to 7 digits")
        case .cvrFormat: (rule, message) = ("cvr.format", "\(name) must be eight digits")
        case .cvrModulus11: (rule, message) = ("cvr.modulus11", "\(name) fails the CVR modulus-11 check (weights 2,7,6,5,4,3,2,1)")
        case .pnrFormat: (rule, message) = ("pnr.format", "\(name) must be ten digits")
        case .postnrFormat: (rule, message) = ("postnr.format", "\(name) must be four digits (leading zeros kept)")
        }
        return RecordFinding(field: name, rule: rule, severity: f.severity, value: raw, message: message)
    }
}

enum GUID {
    /// 8-4-4-4-12 hexadecimal digits.
    static func isWellFormed(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 36 else { return false }
        for k in 0..<36 {
            let b = p[s + k]
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if !(isDigit(b) || (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "f")) {
                return false
            }
        }
        return true
    }
}

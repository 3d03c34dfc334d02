/// Turns one field's bytes into a `FieldValue`, checking its shape (dates, digits, CPR, CVR,
/// GUID, …). Cross-field rules live in Validate/Rules; this is only "is the value well-formed".
struct FieldNormaliser: Sendable {
    let catalog: CodeListCatalog
    /// Code lists resolved once per layout field, so lookups are array reads.
    let codeLists: [CodeList?]
    let fields: [FieldSpec]
    /// Payload-free copies of each field's kind and requiredness: the hot loop touches no strings.
    let tags: [Tag]
    let required: [Bool]

    enum Tag: UInt8 { case cpr, identnr, komnr, code, date, hours, bool, guid, disco, cvr, pnr, postnr, text }

    init(layout: Layout, catalog: CodeListCatalog) {
        self.catalog = catalog
        fields = layout.fields
        required = layout.fields.map(\.required)
        codeLists = layout.fields.map { f in
            if case .code(let name) = f.kind { return catalog[name] }
            return nil
        }
        tags = layout.fields.map { f in
            switch f.kind {
            case .cpr: .cpr
            case .identnr: .identnr
            case .komnr: .komnr
            case .code: .code
            case .date: .date
            case .hours: .hours
            case .bool: .bool
            case .guid: .guid
            case .disco: .disco
            case .cvr: .cvr
            case .pnr: .pnr
            case .postnr: .postnr
            case .text: .text
            }
        }
    }

    /// `p[s..<e]` is the trimmed field. `raw` decodes it for a message (only called on failure).
    @inline(__always)
    func normalise(_ i: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int,
                   raw: () -> String, findings: inout [RecordFinding]) -> FieldValue {
        guard e > s else {
            if required[i] {
                let f = fields[i]
                findings.append(RecordFinding(field: f.name, rule: "required", severity: .error, value: "",
                                              message: "\(f.name) is blank but must be reported for every record (guideline item \(f.guidelineItem))"))
            }
            return .missing
        }
        func fail(_ rule: String, _ message: @autoclosure () -> String) -> FieldValue {
            let f = fields[i]
            findings.append(RecordFinding(field: f.name, rule: rule, severity: f.severity, value: raw(), message: message()))
            return .invalid
        }
        var name: String { fields[i].name }
        switch tags[i] {
        case .text, .identnr:
            return .text(start: Int32(s), end: Int32(e))

        case .cpr:
            guard e - s == 10, let n = parseDigits(p, s, e) else {
                return fail("cpr.format", "CPRnr must be ten digits ddmmyyxxxx")
            }
            guard CPR.birthDate(ascii: p + s) != nil else {
                return fail("cpr.birthdate", "CPRnr does not begin with a real birth date under the 7th-digit century rule")
            }
            return .number(n)

        case .komnr:
            guard let n = parseDigits(p, s, e) else { return fail("num.format", "\(name) must be digits") }
            guard catalog.municipalities[n] != nil else {
                return fail("komnr.unknown", "\(name) is not one of the 98 municipality codes")
            }
            return .number(n)

        case .code:
            guard let n = parseDigits(p, s, e) else { return fail("num.format", "\(name) must be digits") }
            guard codeLists[i]?[n] != nil else {
                return fail("code.unknown", "\(name) \(n) is not in the guideline's \(codeLists[i]?.name ?? "") code list (52.1 item \(fields[i].guidelineItem))")
            }
            return .number(n)

        case .hours:
            guard let n = parseDigits(p, s, e) else { return fail("num.format", "\(name) must be whole hours in digits") }
            return .number(n)

        case .date:
            switch DeliveryDate.parse(p, s, e) {
            case .success(let d): return .day(d)
            case .failure(.unrecognised):
                return fail("date.format", "\(name) is not a date in a recognised form (dd-mm-yyyy, ddmmyy, yyyy-mm-dd, …)")
            case .failure(.impossible):
                return fail("date.impossible", "\(name) is not a real calendar date")
            case .failure(.outOfRange(let d)):
                return fail("date.range", "\(name) \(d.iso) is outside 1990-01-01…2100-12-31")
            }

        case .bool:
            guard e - s == 1 else { return fail("bool.format", "\(name) must be 1/J/Y (yes) or 0/N (no)") }
            switch p[s] {
            case UInt8(ascii: "1"), UInt8(ascii: "J"), UInt8(ascii: "j"), UInt8(ascii: "Y"), UInt8(ascii: "y"): return .flag(true)
            case UInt8(ascii: "0"), UInt8(ascii: "N"), UInt8(ascii: "n"): return .flag(false)
            default: return fail("bool.format", "\(name) must be 1/J/Y (yes) or 0/N (no)")
            }

        case .guid:
            guard GUID.isWellFormed(p, s, e) else {
                return fail("guid.format", "\(name) must be a GUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301")
            }
            return .text(start: Int32(s), end: Int32(e))

        case .disco:
            guard e - s >= 4, let n = parseDigits(p, s, e) else {
                return fail("disco.format", "\(name) must be a DISCO-88, DISCO-AMS or DISCOweb code of 4 to 7 digits")
            }
            return .number(n)

        case .cvr:
            guard e - s == 8, let n = parseDigits(p, s, e) else { return fail("cvr.format", "\(name) must be eight digits") }
            guard CVR.isValid(ascii: p + s) else {
                return fail("cvr.modulus11", "\(name) fails the CVR modulus-11 check (weights 2,7,6,5,4,3,2,1)")
            }
            return .number(n)

        case .pnr:
            guard e - s == 10, let n = parseDigits(p, s, e) else { return fail("pnr.format", "\(name) must be ten digits") }
            return .number(n)

        case .postnr:
            guard e - s == 4, let n = parseDigits(p, s, e) else {
                return fail("postnr.format", "\(name) must be four digits (leading zeros kept)")
            }
            return .number(n)
        }
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

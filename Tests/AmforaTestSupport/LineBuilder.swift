public import AmforaCore

/// Builds fixed-width lines from field values using the layout, so a test says what it means
/// ("Slutdt before Startdt") rather than counting columns.
public struct LineBuilder {
    public let layout: Layout
    public var values: [String: String]

    public init(layout: Layout, values: [String: String]) {
        self.layout = layout
        self.values = values
    }

    /// A clean, company-based 52.2 record (wage subsidy at a private workplace).
    public static func activation(_ overrides: [String: String] = [:]) -> LineBuilder {
        var b = LineBuilder(layout: LayoutCatalog.standard["52.2-v1"]!, values: [
            "CPRnr": "0101901234",      // synthetic: born 1990-01-01
            "Komnr": "101",
            "Foranstalt": "139",
            "Startdt": "01-02-2024",
            "Slutdt": "31-07-2024",
            "Timetal": "37",
            "Hovedydelse": "10",
            "Abtilbud": "0",
            "Stedkode": "60",
            "CVR": "13748136",
            "Pnr": "1012345678",
            "Navn": "Bøgh & Søn ApS",
            "Adresse": "Ærøvej 5",
            "Postnummer": "8000",
            "By": "Aarhus C",
            "Stillingsbetegnelse": "913210",
        ])
        for (k, v) in overrides { b.values[k] = v }
        return b
    }

    /// A clean 57.2 aid grant.
    public static func aid(_ overrides: [String: String] = [:]) -> LineBuilder {
        var b = LineBuilder(layout: LayoutCatalog.standard["57.2-v1"]!, values: [
            "Komnr": "101", "CVR": "13748136", "Pnr": "1012345678", "Startdtgod": "15-03-2024", "Identnr": "0101901234",
        ])
        for (k, v) in overrides { b.values[k] = v }
        return b
    }

    public func with(_ field: String, _ value: String) -> LineBuilder {
        var b = self
        b.values[field] = value
        return b
    }

    /// The line as characters: text left-aligned, numbers right-aligned, both blank-padded.
    public var text: String {
        var out = ""
        for f in layout.fields {
            precondition(out.count == f.offset, "layout does not tile")
            let v = values[f.name] ?? ""
            precondition(v.count <= f.length, "\(f.name) value \(v) wider than \(f.length)")
            let pad = String(repeating: " ", count: f.length - v.count)
            out += (f.type == "num" ? pad + v : v + pad)
        }
        return out
    }
}

public enum Bytes {
    public static func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Windows-1252 bytes for text of Latin-1 letters (æøåÆØÅé…); fails on anything else.
    public static func cp1252(_ s: String) -> [UInt8] {
        s.unicodeScalars.map { u in
            precondition(u.value < 0x100 && !(0x80...0x9F).contains(u.value), "not Latin-1: \(u)")
            return UInt8(u.value)
        }
    }
}

/// Validates lines as one delivery and returns its summary and findings.
public func check(_ lines: [String], name: String = "AMFORA_101_20241108.txt", encoding: TextEncoding = .utf8,
           ending: String = "\n", chunkSize: Int = 1 << 16, options: ValidationOptions = ValidationOptions()) -> (FileSummary, [Finding]) {
    let text = lines.map { $0 + ending }.joined()
    let bytes = encoding == .utf8 ? Bytes.utf8(text) : Bytes.cp1252(text)
    return DeliveryValidator.validate(fileName: name, bytes: bytes, options: options, chunkSize: chunkSize)
}

/// The rule ids found, sorted, for compact assertions.
public func rules(_ findings: [Finding]) -> [String] { findings.map(\.rule).sorted() }

extension LineBuilder {
    /// Validates this one line as a delivery of municipality 101 and returns the findings.
    public func findings(file: String? = nil, options: ValidationOptions = ValidationOptions()) -> [Finding] {
        let name = file ?? (layout.id == "52.2-v1" ? "AMFORA_101_20241108.txt" : "HJAELP1_101_20241108.txt")
        return check([text], name: name, options: options).1
    }
}

/// The three kinds of delivery, named as in the file names.
/// AMFORA: activation measures (§52.2). HJAELP1/HJAELP2: aid grants (§57.2) for
/// teaching material (§57 stk. 1 nr. 1) and for tools and small workplace adaptations (nr. 2).
public enum RecordKind: String, Sendable, CaseIterable, Codable {
    case amfora = "AMFORA"
    case hjaelp1 = "HJAELP1"
    case hjaelp2 = "HJAELP2"

    /// The §57 aid type (1 or 2) that the file name carries; nil for activation measures.
    public var aidType: Int? {
        switch self {
        case .amfora: nil
        case .hjaelp1: 1
        case .hjaelp2: 2
        }
    }

    /// The layout this kind is delivered in today.
    public var currentLayoutID: String { self == .amfora ? "52.2-v1" : "57.2-v1" }
}

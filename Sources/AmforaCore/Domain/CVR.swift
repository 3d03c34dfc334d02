/// The company register number (CVR-nummer): eight digits whose weighted sum with weights
/// 2,7,6,5,4,3,2,1 is divisible by 11. P-numbers (production units) are ten digits with no
/// checksum to enforce (reference/facts.md).
public enum CVR {
    static let weights: [Int] = [2, 7, 6, 5, 4, 3, 2, 1]

    /// Eight ASCII digits at `p`.
    public static func isValid(ascii p: UnsafePointer<UInt8>) -> Bool {
        var sum = 0
        for i in 0..<8 {
            let d = p[i] &- 0x30
            guard d < 10 else { return false }
            sum += weights[i] * Int(d)
        }
        return sum % 11 == 0
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 8 else { return false }
        return bytes.withUnsafeBufferPointer { isValid(ascii: $0.baseAddress!) }
    }
}

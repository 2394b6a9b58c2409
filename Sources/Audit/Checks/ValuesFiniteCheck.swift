/// `values.finite`: no NaN or infinity in any float member.
public struct ValuesFiniteCheck: CaseCheck {
    public static let id = "values.finite"
    public let definition = CheckDefinition(
        id: id, purpose: "no NaN/Inf in any float volume",
        severityRule: "error for any non-finite value",
        arraysRead: ["ct", "dose", "masks_sdf", "constraints", "MLC arrays"], measures: ["array", "count", "firstIndex"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        facts.memberOrder.compactMap { key in
            guard let array = facts.arrays[key], array.storedDType.kind.isFloatingPoint, array.values.nonFiniteCount > 0 else { return nil }
            let count = array.values.nonFiniteCount
            var measured: [String: Measured] = ["array": .text(key), "count": .integer(count)]
            var message = "\(key) holds \(count) NaN/Inf value\(count == 1 ? "" : "s")"
            if let flat = array.values.firstNonFiniteIndex {
                let index = Self.multiIndex(flat, shape: array.shape)
                measured["firstIndex"] = .list(index.map(Measured.integer))
                message += "; first at (\(index.map(String.init).joined(separator: ", ")))"
            }
            return finding(.error, message, measured)
        }
    }

    /// C-order flat index → one index per axis.
    static func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
        var remainder = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return index
    }
}

import NumpyFormat

/// `format.dtypes`: each member holds the dtype the spec gives it (spec, "Keys"). Byte order and
/// Fortran order are legal NumPy and never findings.
public struct FormatDTypesCheck: CaseCheck {
    public static let id = "format.dtypes"
    public let definition = CheckDefinition(
        id: id, purpose: "every member has the spec's dtype",
        severityRule: "warning when the values convert losslessly (bool or 0/1 masks, float16/float64 volumes); error otherwise",
        arraysRead: ["masks"], measures: ["array", "expected", "found", "nonBinaryValues"])

    public init() {}

    /// float32 members; `masks` is uint8 and `metadata` a pickled object.
    static func expectsFloat32(_ key: String) -> Bool {
        ["ct", "dose", "masks_sdf", "constraints"].contains(key) || (key.hasPrefix("beam") && key.contains("_mlc_"))
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for key in facts.memberOrder {
            if let array = facts.arrays[key] {
                findings += check(key, array)
            } else if key != "metadata" {
                findings.append(finding(.error, "\(key) is a pickled object array; only metadata may be pickled",
                                        ["array": .text(key), "expected": "numeric", "found": "|O"]))
            }
        }
        return findings
    }

    private func check(_ key: String, _ array: CaseFacts.ArrayFacts) -> [AuditFinding] {
        let kind = array.storedDType.kind
        let found = Measured.text(array.storedDType.canonicalDescr)
        if key == "masks" {
            guard kind != .uint8 else { return [] }
            let nonBinary = array.values.nonBinaryCount
            let measured: [String: Measured] = ["array": "masks", "expected": "|u1", "found": found, "nonBinaryValues": .integer(nonBinary)]
            if kind == .bool || nonBinary == 0 {
                return [finding(.warning, "masks stored as \(array.storedDType.canonicalDescr) with only 0/1 values; converts losslessly to uint8", measured)]
            }
            return [finding(.error, "masks stored as \(array.storedDType.canonicalDescr) with \(nonBinary) values other than 0 and 1", measured)]
        }
        if key == "metadata" {
            return [finding(.error, "metadata is a numeric \(array.storedDType.canonicalDescr) array, not a pickled dict",
                            ["array": "metadata", "expected": "|O", "found": found])]
        }
        guard Self.expectsFloat32(key), kind != .float32 else { return [] }
        let measured: [String: Measured] = ["array": .text(key), "expected": "<f4", "found": found]
        if kind.isFloatingPoint {
            return [finding(.warning, "\(key) stored as \(array.storedDType.canonicalDescr); converts to float32 without changing its meaning", measured)]
        }
        return [finding(.error, "\(key) stored as \(array.storedDType.canonicalDescr), expected float32", measured)]
    }
}

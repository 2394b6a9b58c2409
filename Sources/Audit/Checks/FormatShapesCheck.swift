import DoseCase

/// `format.shapes`: every volume and channel shares one (Y, X, Z) grid, `masks` and `masks_sdf`
/// agree, and the channel count fits the version and `structure_channels` (spec, "Structure
/// channels").
public struct FormatShapesCheck: CaseCheck {
    public static let id = "format.shapes"
    public static let constraintsLength = 13
    public let definition = CheckDefinition(
        id: id, purpose: "volumes share one (Y, X, Z) grid; masks and masks_sdf channel counts agree and fit the version",
        severityRule: "error on any disagreement",
        measures: ["shapes", "channels", "allowedChannels", "structureChannels"])

    public init() {}

    /// Channel counts each version's pipeline wrote; a v2.3 file can also carry the 9th channel.
    static func allowedChannelCounts(_ version: FormatVersion) -> [Int]? {
        switch version {
        case .v2_0, .v2_2: [8]
        case .v2_3: [8, 9]
        case .v2_4: [9]
        case .unknown: nil
        }
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let shapes = facts.arrays.mapValues(\.shape)
        let measuredShapes = Measured.list(facts.memberOrder.compactMap { key in
            shapes[key].map { .text("\(key) \(Self.spelled($0))") }
        })
        var problems: [String] = []
        let grid = shapes["ct"] ?? shapes["dose"]
        for key in ["ct", "dose"] {
            guard let shape = shapes[key] else { continue }
            if shape.count != 3 {
                problems.append("\(key) is \(Self.spelled(shape)), expected (Y, X, Z)")
            } else if let grid, shape != grid {
                problems.append("\(key) is \(Self.spelled(shape)) but ct is \(Self.spelled(grid))")
            }
        }
        for key in ["masks", "masks_sdf"] {
            guard let shape = shapes[key] else { continue }
            if shape.count != 4 {
                problems.append("\(key) is \(Self.spelled(shape)), expected (C, Y, X, Z)")
            } else if let grid, grid.count == 3, Array(shape.dropFirst()) != grid {
                problems.append("\(key) channels are \(Self.spelled(Array(shape.dropFirst()))) but ct is \(Self.spelled(grid))")
            }
        }
        if let masks = shapes["masks"]?.first, let sdf = shapes["masks_sdf"]?.first, masks != sdf {
            problems.append("masks has \(masks) channels but masks_sdf has \(sdf)")
        }
        if let constraints = shapes["constraints"], constraints != [Self.constraintsLength] {
            problems.append("constraints is \(Self.spelled(constraints)), expected (\(Self.constraintsLength),)")
        }
        problems += leafShapeProblems(shapes)
        let channels = shapes["masks"]?.first
        let version = facts.formatVersion.version
        var measured: [String: Measured] = ["shapes": measuredShapes]
        if let channels {
            measured["channels"] = .integer(channels)
            if let allowed = Self.allowedChannelCounts(version), !allowed.contains(channels) {
                problems.append("\(channels) mask channels; v\(version.rawValue) writes \(allowed.map(String.init).joined(separator: " or "))")
                measured["allowedChannels"] = .list(allowed.map(Measured.integer))
            }
            if let named = facts.metadata?["structure_channels"]?.dictionaryEntries, named.count != channels {
                problems.append("structure_channels names \(named.count) channels but masks has \(channels)")
                measured["structureChannels"] = .integer(named.count)
            }
        }
        guard !problems.isEmpty else { return [] }
        return [finding(.error, problems.joined(separator: "; "), measured)]
    }

    /// `beam{i}_mlc_a` and `_b` are (control points, leaf pairs) and match each other.
    private func leafShapeProblems(_ shapes: [String: [Int]]) -> [String] {
        var problems: [String] = []
        for key in shapes.keys.sorted() where key.hasPrefix("beam") && key.hasSuffix("_mlc_a") {
            let partner = String(key.dropLast()) + "b"
            guard let shape = shapes[key] else { continue }
            if shape.count != 2 { problems.append("\(key) is \(Self.spelled(shape)), expected (control points, leaf pairs)") }
            if let other = shapes[partner], other != shape {
                problems.append("\(key) is \(Self.spelled(shape)) but \(partner) is \(Self.spelled(other))")
            }
        }
        return problems
    }

    static func spelled(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

import DoseCase

/// `anatomy.orientation`: the patient's axes read from the anatomy itself, against the format's
/// convention (spec, "Keys": row index increasing = posterior, slice index increasing =
/// superior, column index increasing = patient left). A case mirrored on an axis as a whole (CT,
/// masks, dose and SDFs together: an axis mix-up in a conversion step, or an augmentation that
/// flipped the wrong axis) passes every other check, because its arrays agree with each other.
///
/// Each cue is a distance in mm between two landmarks along one axis, signed so that a positive
/// value is the normal anatomy; it votes "as expected" above `marginMM`, "flipped" below
/// −`marginMM`, and abstains in between or when a landmark is missing. Left–right has no cue
/// here: the pelvis is mirror-symmetric, so a left–right mirror and swapped femur labels look
/// the same, and `labels.femur_laterality` flags both.
public struct AnatomyOrientationCheck: CaseCheck {
    public static let id = "anatomy.orientation"
    public static let marginMM = 5.0
    public static let minimumAgreeingCues = 2.0
    /// Half the width of the column band around the prostate in which bone counts as midline
    /// (sacrum, coccyx, pubic symphysis) rather than hip.
    public static let midlineHalfWidthMM = 40.0

    /// One landmark-pair measurement.
    struct Cue {
        enum Axis: String { case rows, slices }
        let axis: Axis
        /// The `measured` key.
        let key: String
        /// The landmark measured and the one it is measured from ("the rectum", "the prostate").
        let subject: String
        let reference: String
        /// Positive = as the convention expects.
        let separationMM: Double

        /// The direction normal anatomy puts `subject` in.
        var expectation: String { axis == .rows ? "posterior" : "superior" }
    }

    public let definition = CheckDefinition(
        id: id, purpose: "the anatomy's anterior–posterior and superior–inferior directions agree with the format's axes",
        severityRule: "per axis (rows = anterior→posterior, slices = inferior→superior): error when at least minimumAgreeingCues landmark cues say the axis is mirrored and none says it is not; warning when cues disagree, or when a single cue says mirrored",
        arraysRead: ["masks", "ct"],
        measures: ["rectumPosteriorToProstateMM", "rectumPosteriorToBladderMM", "midlineBonePosteriorToProstateMM",
                   "bladderSuperiorToProstateMM", "bowelSuperiorToProstateMM", "bladderSuperiorToFemursMM",
                   "rowsVotes", "slicesVotes"],
        thresholds: ["marginMM": marginMM, "minimumAgreeingCues": minimumAgreeingCues, "midlineHalfWidthMM": midlineHalfWidthMM])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let cues = Self.cues(facts, midlineHalfWidthMM: limits["midlineHalfWidthMM"])
        guard !cues.isEmpty else { return [] }
        var measured: [String: Measured] = [:]
        for cue in cues { measured[cue.key] = .number(rounded(cue.separationMM)) }
        var errors: [String] = [], warnings: [String] = []
        for axis in [Cue.Axis.rows, .slices] {
            let onAxis = cues.filter { $0.axis == axis }
            let flipped = onAxis.filter { $0.separationMM < -limits["marginMM"] }
            let normal = onAxis.filter { $0.separationMM > limits["marginMM"] }
            measured["\(axis.rawValue)Votes"] = .list([.integer(normal.count), .integer(flipped.count)])
            guard !flipped.isEmpty else { continue }
            let evidence = flipped.map { "\(Self.observed($0)) (expected \($0.expectation))" }.joined(separator: "; ")
            let name = axis == .rows ? "rows (anterior→posterior)" : "slices (inferior→superior)"
            if normal.isEmpty && Double(flipped.count) >= limits["minimumAgreeingCues"] {
                errors.append("\(name) look mirrored: \(flipped.count) of \(onAxis.count) anatomical cues agree — \(evidence)")
            } else if normal.isEmpty {
                warnings.append("\(name) may be mirrored: one cue says so and no other could be measured — \(evidence)")
            } else {
                let agreeing = normal.map { "\(Self.observed($0))" }.joined(separator: "; ")
                warnings.append("\(name): the anatomical cues disagree — \(evidence); but \(agreeing)")
            }
        }
        var findings: [AuditFinding] = []
        if !errors.isEmpty {
            findings.append(finding(.error, errors.joined(separator: "; ") + " (a whole case flipped on an axis: every array agrees, the anatomy is upside down)", measured))
        }
        if !warnings.isEmpty { findings.append(finding(.warning, warnings.joined(separator: "; "), measured)) }
        return findings
    }

    /// "the rectum lies 31.0 mm anterior of the prostate".
    static func observed(_ cue: Cue) -> String {
        let words: (positive: String, negative: String) = cue.axis == .rows ? ("posterior", "anterior") : ("superior", "inferior")
        return "\(cue.subject) lies \(text(abs(cue.separationMM))) mm \(cue.separationMM >= 0 ? words.positive : words.negative) of \(cue.reference)"
    }

    /// Every cue whose landmarks the case holds. The prostate stands in for PTV70 when it is
    /// empty (as in `labels.femur_laterality`).
    static func cues(_ facts: CaseFacts, midlineHalfWidthMM: Double) -> [Cue] {
        let spacing = facts.spacing
        func centroid(_ name: String) -> [Double]? { facts.structures[name]?.geometry.centroidVoxel }
        let prostate = centroid(StructureChannel.prostate) ?? centroid(StructureChannel.ptv70)
        let rectum = centroid(StructureChannel.rectum), bladder = centroid(StructureChannel.bladder)
        let bowel = centroid(StructureChannel.bowel)
        let femurs = [centroid(StructureChannel.femurLeft), centroid(StructureChannel.femurRight)].compactMap { $0 }
        var cues: [Cue] = []
        func add(_ axis: Cue.Axis, _ key: String, _ subject: (String, [Double]?), _ reference: (String, [Double]?)) {
            guard let from = subject.1, let to = reference.1 else { return }
            let index = axis == .rows ? PatientAxes.row : PatientAxes.slice
            let step = axis == .rows ? spacing.yMM : spacing.zMM
            cues.append(Cue(axis: axis, key: key, subject: subject.0, reference: reference.0, separationMM: (from[index] - to[index]) * step))
        }
        add(.rows, "rectumPosteriorToProstateMM", ("the rectum", rectum), ("the prostate", prostate))
        add(.rows, "rectumPosteriorToBladderMM", ("the rectum", rectum), ("the bladder", bladder))
        if let prostate, let grid = facts.grid, let tissue = CTTissue(ct: facts.ct, grid: grid) {
            // A policy may give any finite width: clamp it to the grid before it becomes an index range.
            let halfWidth = Int(min(max(midlineHalfWidthMM / spacing.xMM, 0), Double(grid.columns)).rounded())
            let centre = Int(prostate[PatientAxes.column].rounded())
            let femurMasks = [StructureChannel.femurLeft, StructureChannel.femurRight].compactMap { facts.structures[$0] }
            if let boneRow = tissue.meanBoneRow(columns: (centre - halfWidth)...(centre + halfWidth),
                                                excluded: { voxel in femurMasks.contains { $0.contains(voxel) } }) {
                add(.rows, "midlineBonePosteriorToProstateMM", ("the midline bone (mostly sacrum)", [boneRow, 0, 0]), ("the prostate", prostate))
            }
        }
        add(.slices, "bladderSuperiorToProstateMM", ("the bladder", bladder), ("the prostate", prostate))
        add(.slices, "bowelSuperiorToProstateMM", ("the bowel", bowel), ("the prostate", prostate))
        if !femurs.isEmpty {
            add(.slices, "bladderSuperiorToFemursMM", ("the bladder", bladder),
                ("the femoral heads", femurs.reduce([0, 0, 0]) { zip($0, $1).map { $0 + $1 / Double(femurs.count) } }))
        }
        return cues
    }
}

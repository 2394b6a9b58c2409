import DoseCase

/// Everything that decides one generated case: who the patient is (`patientSeed`: anatomy and
/// CT noise), how the plan came out (`planSeed`: dose shading, dates, beam data), the format it
/// is written in, and the defect planted in it, if any.
public struct PhantomRecipe: Sendable, Hashable {
    public var caseId: String
    public var institution: String?
    public var planType: PlanType
    public var formatVersion: FormatVersion
    public var patientSeed: UInt64
    public var planSeed: UInt64
    public var defect: PlantedDefect?

    public init(caseId: String, institution: String? = nil, planType: PlanType, formatVersion: FormatVersion,
                patientSeed: UInt64, planSeed: UInt64, defect: PlantedDefect? = nil) {
        self.caseId = caseId
        self.institution = institution
        self.planType = planType
        self.formatVersion = formatVersion
        self.patientSeed = patientSeed
        self.planSeed = planSeed
        self.defect = defect
    }

    /// The same case without its defect: what tests compare a defect case against.
    public var withoutDefect: PhantomRecipe {
        var clean = self
        clean.defect = nil
        return clean
    }

    /// 8 channels up to v2.3, 9 from v2.4 (PTV50.4).
    var channelCount: Int { formatVersion == .v2_4 ? 9 : 8 }
    /// SIB plans carry a PTV56 (spec, "Plan type").
    var carriesPTV56: Bool { planType == .sib2Level || planType == .sib3Level }
    /// Three-level and nodal plans carry a PTV50.4, which only v2.4's ninth channel can hold.
    var carriesPTV50_4: Bool { channelCount > 8 && (planType == .sib3Level || planType == .nodalOnly) }
}

/// Generator streams of a recipe's two seeds: adding a stream never changes another's numbers.
enum PhantomStream {
    // Patient seed.
    static let anatomy: UInt64 = 1
    static let crop: UInt64 = 2
    /// CT noise uses one stream per row from here.
    static let noiseRows: UInt64 = 1 << 32
    // Plan seed.
    static let ripple: UInt64 = 1
    static let record: UInt64 = 2
    static let leaves: UInt64 = 3
    /// The dose_from_another_case defect's other patient.
    static let anotherPatient: UInt64 = 4
}

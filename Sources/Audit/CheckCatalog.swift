/// The checks an audit runs, in report order, and the catalog's version: bump `version` whenever
/// any check's behaviour or thresholds change, so cached audits made by older checks are not
/// reused.
public struct CheckCatalog: Sendable {
    public static let version = "4"

    public let caseChecks: [any CaseCheck]
    public let datasetChecks: [any DatasetCheck]

    public init(caseChecks: [any CaseCheck], datasetChecks: [any DatasetCheck]) {
        self.caseChecks = caseChecks
        self.datasetChecks = datasetChecks
    }

    /// Every check dosecurate ships.
    public static let standard = CheckCatalog(
        caseChecks: [
            FileReadableCheck(), FormatKeysCheck(), FormatDTypesCheck(), FormatShapesCheck(),
            MetadataSafeCheck(), MetadataCaseIdCheck(), MetadataPHICheck(), ValuesFiniteCheck(),
            CTRangeCheck(), DoseRangeCheck(), DoseNormalizationCheck(), StructuresRequiredCheck(), StructuresTruncationCheck(),
            GeometrySpacingCheck(), AnatomyOrientationCheck(), DoseRegistrationCheck(), DoseConsistencyCheck(), PTVD95Check(),
            FemurLateralityCheck(), PlanTypeCheck(), TargetsGeometryCheck(), SDFConsistencyCheck(),
        ],
        datasetChecks: [DatasetDuplicatesCheck()])

    public var definitions: [CheckDefinition] { caseChecks.map(\.definition) + datasetChecks.map(\.definition) }
}

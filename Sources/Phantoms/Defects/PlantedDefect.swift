import Foundation
import DoseCase

/// The defects a cohort can carry on purpose, each with the audit checks that must flag it
/// (check ids as the audit issues name them) and the case it is planted in. The clinical history
/// of each is in the spec's "Known defects".
public enum PlantedDefect: String, Sendable, Hashable, Codable, CaseIterable {
    /// v2.2's D95 artifact: the dose plateau stops inside the PTV edge; D95 ≈ 45 Gy, mean near Rx.
    case d95ArtifactBlatant = "d95_artifact_blatant"
    /// The same boundary deficit, milder (D95 ≈ 58 Gy), as a later export tool produced it.
    case d95ArtifactSubtle = "d95_artifact_subtle"
    /// Femur_L and Femur_R channels hold each other's femur.
    case femurSwap = "femur_swap"
    /// A three-level SIB plan whose metadata and constraints call it single_rx.
    case planTypeMislabel = "plan_type_mislabel"
    /// Dose divided by a 74 Gy prescription while consumers multiply back by 70 Gy.
    case rxNormalization = "rx_normalization"
    /// A block of NaN voxels in the dose.
    case nanDose = "nan_dose"
    /// The bladder's signed distance computed from a shifted bladder.
    case sdfMaskMismatch = "sdf_mask_mismatch"
    /// A v2.4 file whose absent structures use the v2.3 convention (+1 instead of 0).
    case absentSDFConvention = "absent_sdf_convention"
    /// The same file twice, under two file names (two cases).
    case exactDuplicate = "exact_duplicate"
    /// One patient planned twice: identical CT and structures, slightly different dose, two case ids (two cases).
    case nearDuplicate = "near_duplicate"
    /// The rectum channel is empty.
    case emptyRequiredStructure = "empty_required_structure"
    /// The dose shifted 20 mm left and 10 mm anterior against CT and masks.
    case doseMisregistration = "dose_misregistration"
    /// v2.2 CT from raw stored pixels (HU + 1024): air at 0.5 instead of 0.25.
    case rawPixelCT = "raw_pixel_ct"
    /// The crop's top slice cuts through the middle of the bladder.
    case truncatedStructure = "truncated_structure"
    /// Patient name, MRN and birth date in the metadata.
    case phiMetadata = "phi_metadata"
    /// Masks stored as float32 0.0/1.0 instead of uint8.
    case wrongMaskDType = "wrong_mask_dtype"
    /// The dose has one slice fewer than CT and masks.
    case shapeMismatch = "shape_mismatch"
    /// The `dose` member is missing.
    case missingKey = "missing_key"
    /// The metadata pickle calls `os.system` (never executed by dosecurate).
    case maliciousPickle = "malicious_pickle"
    /// The file stops part-way (a broken copy): its zip directory is gone.
    case truncatedFile = "truncated_file"
    /// The whole case (CT, masks, SDFs, dose) mirrored anterior–posterior: rows reversed.
    case mirroredAnteriorPosterior = "mirrored_anterior_posterior"
    /// The whole case mirrored superior–inferior: slices reversed.
    case mirroredSuperiorInferior = "mirrored_superior_inferior"
    /// The whole case mirrored left–right: columns reversed (the pelvis alone cannot tell this
    /// from swapped femur labels).
    case mirroredLeftRight = "mirrored_left_right"
    /// `voxel_spacing_mm` records twice the in-plane spacing the arrays have.
    case inPlaneSpacingDoubled = "in_plane_spacing_doubled"
    /// The PTV56 channel holds the prostate, inside PTV70: a 56 Gy target inside the 70 Gy one.
    case ptv56InsidePTV70 = "ptv56_inside_ptv70"
    /// The dose of another patient, lying 12 mm superior and 8 mm right, on this case's grid.
    case doseFromAnotherCase = "dose_from_another_case"

    /// The defects of the reference cohort (the demo and the committed reference records), fixed
    /// so that adding a defect class never changes those records.
    public static let referenceCohort: [PlantedDefect] = [
        .d95ArtifactBlatant, .d95ArtifactSubtle, .femurSwap, .planTypeMislabel, .rxNormalization, .nanDose, .sdfMaskMismatch,
        .absentSDFConvention, .exactDuplicate, .nearDuplicate, .emptyRequiredStructure, .doseMisregistration, .rawPixelCT,
        .truncatedStructure, .phiMetadata, .wrongMaskDType, .shapeMismatch, .missingKey, .maliciousPickle, .truncatedFile,
    ]

    /// The array axis a mirroring defect reverses.
    var mirroredAxis: Int? {
        switch self {
        case .mirroredAnteriorPosterior: PatientAxes.row
        case .mirroredLeftRight: PatientAxes.column
        case .mirroredSuperiorInferior: PatientAxes.slice
        default: nil
        }
    }

    /// Audit check ids that must fire on every file this defect produces.
    public var expectedChecks: [String] {
        switch self {
        case .d95ArtifactBlatant, .d95ArtifactSubtle: ["dose.ptv_d95"]
        case .femurSwap: ["labels.femur_laterality"]
        case .planTypeMislabel: ["plan.type"]
        case .rxNormalization: ["dose.normalization"]
        case .nanDose: ["values.finite"]
        case .sdfMaskMismatch, .absentSDFConvention: ["sdf.consistency"]
        case .exactDuplicate, .nearDuplicate: ["dataset.duplicates"]
        case .emptyRequiredStructure: ["structures.required"]
        case .doseMisregistration: ["dose.registration", "dose.consistency", "dose.ptv_d95"]
        case .rawPixelCT: ["ct.range"]
        case .truncatedStructure: ["structures.truncation"]
        case .phiMetadata: ["metadata.phi"]
        case .wrongMaskDType: ["format.dtypes"]
        case .shapeMismatch: ["format.shapes"]
        case .missingKey: ["format.keys"]
        case .maliciousPickle: ["metadata.safe"]
        case .truncatedFile: ["file.readable"]
        case .mirroredAnteriorPosterior, .mirroredSuperiorInferior: ["anatomy.orientation"]
        case .mirroredLeftRight: ["labels.femur_laterality"]
        case .inPlaneSpacingDoubled: ["geometry.spacing"]
        case .ptv56InsidePTV70: ["targets.geometry"]
        case .doseFromAnotherCase: ["dose.consistency", "dose.ptv_d95"]
        }
    }

    /// The members that differ from the same case generated without the defect. Metadata follows
    /// the arrays where the pipeline derived it from them (validation D95, truncation shares), as
    /// it did for the real defects. Tests hold each defect to exactly this.
    public var changedMembers: Set<String> {
        switch self {
        case .d95ArtifactBlatant, .d95ArtifactSubtle: ["dose", "metadata"]
        case .femurSwap: ["masks", "masks_sdf", "metadata"]
        case .planTypeMislabel: ["metadata", "constraints"]
        case .rxNormalization: ["dose", "metadata", "constraints"]
        case .nanDose: ["dose"]
        case .sdfMaskMismatch, .absentSDFConvention: ["masks_sdf"]
        case .exactDuplicate: []
        case .nearDuplicate: ["dose", "metadata"]
        case .emptyRequiredStructure: ["masks", "masks_sdf", "metadata"]
        case .doseMisregistration: ["dose", "metadata"]
        case .rawPixelCT: ["ct"]
        case .truncatedStructure: ["ct", "dose", "masks", "masks_sdf", "metadata"]
        case .phiMetadata: ["metadata"]
        case .wrongMaskDType: ["masks"]
        case .shapeMismatch: ["dose"]
        case .missingKey: ["dose"]
        case .maliciousPickle: ["metadata"]
        case .truncatedFile: []
        case .mirroredAnteriorPosterior, .mirroredSuperiorInferior, .mirroredLeftRight: ["ct", "dose", "masks", "masks_sdf"]
        case .inPlaneSpacingDoubled: ["metadata"]
        case .ptv56InsidePTV70: ["masks", "masks_sdf"]
        case .doseFromAnotherCase: ["dose", "metadata"]
        }
    }

    /// The version and plan type of the case the defect is planted in.
    public var base: (version: FormatVersion, planType: PlanType) {
        switch self {
        case .d95ArtifactBlatant: (.v2_2, .sib2Level)
        case .d95ArtifactSubtle: (.v2_3, .singleRx)
        case .femurSwap: (.v2_3, .sib2Level)
        case .planTypeMislabel: (.v2_4, .sib3Level)
        case .rxNormalization: (.v2_4, .nodalOnly)
        case .nanDose: (.v2_3, .singleRx)
        case .sdfMaskMismatch: (.v2_4, .sib2Level)
        case .absentSDFConvention: (.v2_4, .singleRx)
        case .exactDuplicate: (.v2_3, .singleRx)
        case .nearDuplicate: (.v2_3, .sib2Level)
        case .emptyRequiredStructure: (.v2_3, .sib2Level)
        case .doseMisregistration: (.v2_4, .singleRx)
        case .rawPixelCT: (.v2_2, .singleRx)
        case .truncatedStructure: (.v2_3, .singleRx)
        case .phiMetadata: (.v2_4, .singleRx)
        case .wrongMaskDType: (.v2_3, .singleRx)
        case .shapeMismatch: (.v2_4, .singleRx)
        case .missingKey: (.v2_3, .singleRx)
        case .maliciousPickle: (.v2_4, .singleRx)
        case .truncatedFile: (.v2_4, .singleRx)
        case .mirroredAnteriorPosterior: (.v2_4, .sib2Level)
        case .mirroredSuperiorInferior: (.v2_3, .singleRx)
        case .mirroredLeftRight: (.v2_4, .nodalOnly)
        case .inPlaneSpacingDoubled: (.v2_4, .singleRx)
        case .ptv56InsidePTV70: (.v2_3, .sib2Level)
        case .doseFromAnotherCase: (.v2_2, .singleRx)
        }
    }

    /// Files the defect adds to a cohort.
    public var fileCount: Int { self == .exactDuplicate || self == .nearDuplicate ? 2 : 1 }

    /// Target PTV70 D95 (Gy) of the D95 artifacts.
    var artifactD95Gy: Double? {
        switch self {
        case .d95ArtifactBlatant: 45
        case .d95ArtifactSubtle: 58
        default: nil
        }
    }
}

extension PlantedDefect {
    /// `all`, `none` (or nothing), or a comma-separated list of defect names.
    public static func list(named text: String) throws -> [PlantedDefect] {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "all": return allCases
        case "none", "": return []
        default:
            return try text.split(separator: ",").map { raw in
                let name = raw.trimmingCharacters(in: .whitespaces)
                guard let defect = PlantedDefect(rawValue: name) else {
                    throw PhantomError.unknownDefect(name: name, known: allCases.map(\.rawValue))
                }
                return defect
            }
        }
    }
}

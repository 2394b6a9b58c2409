import DoseCase
import Dosimetry
import Foundation
import NumpyFormat

/// One evaluated case's arrays read back for pictures: the CT, both doses in Gy, the structure
/// masks and the spacing, read the way the evaluation read them (the same dose scale and
/// prediction unit), so a figure shows what the numbers were computed from.
public struct EvaluatedCaseDoses: Sendable {
    public let caseId: String
    /// Nil when the case has no `ct` array.
    public let ct: Volume<Float>?
    public let referenceGy: Volume<Float>
    public let predictionGy: Volume<Float>
    public let masks: ChannelStack<UInt8>
    public let spacing: VoxelSpacing

    /// Reads the reference case at `reference` and the prediction at `prediction` (plain paths).
    public static func read(caseId: String, reference: String, prediction: String, settings: EvaluationSettings) throws -> EvaluatedCaseDoses {
        let opened: DoseCase
        do { opened = try DoseCase.open(path: reference) } catch {
            throw EvaluationError.referenceUnreadable(file: reference, reason: .cause(error))
        }
        guard let shape = opened.shape else {
            throw EvaluationError.referenceUnreadable(file: reference, reason: "no 'ct' or 'dose' array gives its grid")
        }
        let scale = Float(settings.doseScaleGy)
        let (prediction, _) = try CaseEvaluator.readPrediction(prediction, expected: shape)
        let predictionScale: Float = settings.predictionDoseUnit == .gy ? 1 : scale
        do {
            let ct = opened.arrayKeys.contains("ct") ? try opened.volume("ct") : nil
            return EvaluatedCaseDoses(caseId: caseId, ct: ct, referenceGy: try CaseEvaluator.inGy(opened.volume("dose"), scale: scale),
                                      predictionGy: try CaseEvaluator.inGy(prediction, scale: predictionScale), masks: try opened.masks(),
                                      spacing: opened.spacing)
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError.referenceUnreadable(file: reference, reason: .cause(error))
        }
    }

    /// A structure's mask, or nil when the case does not hold it.
    public func mask(_ structure: String) -> Volume<UInt8>? { try? masks.channel(named: structure) }

    /// The cumulative DVH of `structure` under `dose` (see `StructureDose.cumulativeCurve`); nil
    /// when the case has no such structure or it has no voxels.
    public func cumulativeDVH(_ structure: String, of dose: Volume<Float>, stepGy: Double) -> [(doseGy: Double, volumePercent: Double)]? {
        guard let mask = mask(structure) else { return nil }
        let doses = StructureDose(dose: dose.elements, mask: mask.elements, scaleGy: 1, voxelVolumeCC: spacing.voxelVolumeCC)
        return doses.isEmpty ? nil : doses.cumulativeCurve(stepGy: stepGy)
    }
}

import DoseCase
import Dosimetry
import NumpyFormat

/// A target eroded by `radiusMM`, and the dose inside what is left: what `dose.ptv_d95` takes its
/// eroded D95 from, and what its evidence draws (contour and DVH), so the two cannot differ.
public struct ErodedTarget: Sendable {
    public let radiusMM: Double
    public let mask: Volume<UInt8>
    public let dose: StructureDose

    /// `structure` eroded by each radius, with the case's dose in Gy inside; nil where the
    /// erosion cannot be made (no dose, a mask off the grid).
    public static func erosions(of structure: StructureFacts, in facts: CaseFacts, radiiMM: [Double]) -> [ErodedTarget?] {
        guard let grid = facts.grid, let dose = facts.dose, let mask = try? Volume(shape: grid, elements: structure.maskCopy) else {
            return radiiMM.map { _ in nil }
        }
        return radiiMM.map { radius in
            guard let inner = try? Morphology.erode(mask, spacingMM: facts.spacing.millimetres, radiusMM: radius) else { return nil }
            return ErodedTarget(radiusMM: radius, mask: inner,
                                dose: StructureDose(dose: dose, mask: inner.elements, scaleGy: facts.doseScaleGy,
                                                    voxelVolumeCC: facts.spacing.voxelVolumeCC))
        }
    }
}

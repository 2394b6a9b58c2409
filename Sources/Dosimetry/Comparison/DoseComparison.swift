import DoseCase
import NumpyFormat

/// A predicted dose against the reference dose of one case, both in Gy on the case grid: dose
/// errors and DVH points per structure (spec, dosimetry.md "Dose error" and "DVH metrics").
/// Errors are prediction − reference (negative = underdose).
public struct DoseComparison: Sendable {
    /// A DVH value on both doses.
    public struct Point: Sendable, Hashable, Codable {
        public let reference: Double
        public let prediction: Double
        public let error: Double

        public init(reference: Double, prediction: Double) {
            self.reference = reference
            self.prediction = prediction
            error = prediction - reference
        }
    }

    public struct Structure: Sendable {
        public let name: String
        public let voxels: Int
        public let volumeCC: Double
        /// A DVH from fewer than 100 voxels (spec); an absent structure has no DVH at all.
        public var isUnreliable: Bool { voxels > 0 && voxels < DoseComparison.reliableVoxels }
        public let maeGy: Double?
        public let metrics: [DVHMetric: Point]
        /// OpenKBP's points (NumPy's linear percentile): D0.1cc for every structure, D99/D95/D1 for PTVs.
        public let openKBP: [String: Point]
    }

    public static let reliableVoxels = 100

    public let mae: DoseErrors
    /// In catalog order; absent structures (empty masks) have zero voxels and no metrics.
    public let structures: [Structure]

    /// `referenceGy`/`predictionGy` share `masks`' grid (the caller checks it).
    public init(referenceGy: Volume<Float>, predictionGy: Volume<Float>, masks: ChannelStack<UInt8>, voxelVolumeCC: Double) {
        mae = DoseErrors(referenceGy: referenceGy.elements, predictionGy: predictionGy.elements)
        let voxelCount = masks.shape.voxelCount
        structures = masks.elements.withUnsafeBufferPointer { stack in
            masks.catalog.channels.map { channel in
                let mask = UnsafeBufferPointer(rebasing: stack[(channel.index * voxelCount)..<((channel.index + 1) * voxelCount)])
                return Self.structure(channel.name, mask: mask, referenceGy: referenceGy.elements, predictionGy: predictionGy.elements,
                                      voxelVolumeCC: voxelVolumeCC)
            }
        }
    }

    private static func structure(_ name: String, mask: UnsafeBufferPointer<UInt8>, referenceGy: [Float], predictionGy: [Float],
                                  voxelVolumeCC: Double) -> Structure {
        let reference = StructureDose(dose: referenceGy, mask: mask, scaleGy: 1, voxelVolumeCC: voxelVolumeCC)
        let prediction = StructureDose(dose: predictionGy, mask: mask, scaleGy: 1, voxelVolumeCC: voxelVolumeCC)
        var metrics: [DVHMetric: Point] = [:]
        for metric in DVHMetric.metrics(for: name) {
            if let referenceValue = metric.value(of: reference, structure: name), let predictionValue = metric.value(of: prediction, structure: name) {
                metrics[metric] = Point(reference: referenceValue, prediction: predictionValue)
            }
        }
        var openKBP: [String: Point] = [:]
        for (key, percent) in OpenKBPScores.percentiles(structure: name, voxels: reference.voxels, voxelVolumeCC: voxelVolumeCC) {
            if let referenceValue = reference.linearPercentileGy(percent), let predictionValue = prediction.linearPercentileGy(percent) {
                openKBP[key] = Point(reference: referenceValue, prediction: predictionValue)
            }
        }
        return Structure(name: name, voxels: reference.voxels, volumeCC: reference.volumeCC,
                         maeGy: DoseErrors.meanAbsoluteError(referenceGy, predictionGy, where: { mask[$0] != 0 }),
                         metrics: metrics, openKBP: openKBP)
    }

    public func structure(_ name: String) -> Structure? { structures.first { $0.name == name } }
}

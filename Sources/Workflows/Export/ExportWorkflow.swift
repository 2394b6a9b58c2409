import Support
import DoseCase
import Engine
import Evaluation
import Foundation
import Lineage

/// `dosecurate export --format hdf5`: the train and val cases of a locked split of a pinned
/// dataset version, each verified against its frozen hash, written as the training cache
/// (`TrainingCacheFile`) for external trainers. Never the test cases. Channels: CT then the SDFs
/// in the standard order, as many as the version's largest case has; a case lacking one (an
/// 8-channel case in a version with 9-channel cases) gets it filled with 0, the v2.4 convention,
/// recorded per case. With in-plane resampling (`resample`), the arrays are area-averaged in the
/// axial plane and the validation cases keep their native dose and masks for validation.
public enum ExportWorkflow {
    /// The formats `export` writes (one today; the option names it so a second can join).
    public enum Format: String, Sendable, CaseIterable {
        case hdf5
    }

    public struct Outcome: Sendable {
        public let dataset: String, split: String
        public let inputChannels: [String]
        public let cases: [(caseId: String, role: String, filledChannels: [String])]
    }

    public static func run(workspace: Workspace, dataset: String, split: String, to path: String, resampling: InPlaneResampling = .native,
                           progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let pinned = try await PinnedSelection.resolve(in: workspace, dataset: dataset, split: split, roles: [.train, .val])
        return try await write(pinned, to: path, resampling: resampling, progress: progress)
    }

    /// Writes the train and val cases of an already verified selection.
    static func write(_ selection: PinnedSelection, to path: String, resampling: InPlaneResampling = .native,
                      progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let pinned = selection.cases.filter { $0.role == .train || $0.role == .val }
        let resolved = (dataset: selection.dataset, split: selection.split)
        guard !pinned.isEmpty else {
            throw EngineError.noCases(role: "train or val (split \(selection.split.reference))")
        }
        // The larger channel set wins: look at every case's channel count first (headers only).
        let structureChannels = try pinned.map { try DoseCase.open(path: $0.file).channels.count }.max() ?? 0
        let inputChannels = ["CT"] + (0..<structureChannels).map(CaseInput<DenseChannels>.structureName)
        var outcomeCases: [(String, String, [String])] = []
        var remaining = pinned.makeIterator()
        let attributes = [
            "dataset_version": resolved.dataset.reference,
            "dataset_identity": resolved.dataset.envelope.identity.canonicalText,
            "split": resolved.split.reference,
            "split_identity": resolved.split.envelope.identity.canonicalText,
            "channels": JSONValue.array(inputChannels.map(JSONValue.string)).canonicalText,
            "channel_fill": "absent channels are 0 (the v2.4 convention)",
            "resample": "\(resampling.factor)",
        ]
        try TrainingCacheFile.write(to: path, attributes: attributes) {
            guard let entry = remaining.next() else { return nil }
            let role = entry.role
            progress("\(entry.caseId) (\(outcomeCases.count + 1)/\(pinned.count))")
            let opened = try DoseCase.open(path: entry.file)
            let input = try CaseInput<DenseChannels>(opened, inputChannels: inputChannels.count)
            let dose = try opened.volume("dose"), masks = try input.masks(of: opened)
            outcomeCases.append((entry.caseId, role.rawValue, input.filledChannels))
            let native = dose.shape.dimensions, coarse = resampling.coarseExtent(native), structures = inputChannels.count - 1
            return TrainingCacheFile.Case(
                caseId: entry.caseId, role: role.rawValue, caseHash: entry.caseHash,
                input: try Tensor(shape: [1, inputChannels.count] + coarse,
                                  elements: resampling.downsample(input.channels.elements, channels: inputChannels.count, native: native)),
                dose: try Tensor(shape: [1, 1] + coarse, elements: resampling.downsample(dose.elements, channels: 1, native: native)),
                masks: resampling.downsampleMasks(masks, channels: structures, native: native), constraints: input.constraints.elements,
                filledChannels: input.filledChannels,
                native: resampling.isIdentity || role != .val ? nil : (native, dose.elements, masks))
        }
        return Outcome(dataset: resolved.dataset.reference, split: resolved.split.reference, inputChannels: inputChannels,
                       cases: outcomeCases.map { (caseId: $0.0, role: $0.1, filledChannels: $0.2) })
    }
}

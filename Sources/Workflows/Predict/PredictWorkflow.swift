import Support
import DoseCase
import Dosimetry
import Engine
import Evaluation
import Foundation
import Lineage
import NumpyFormat

/// `dosecurate predict`: BaselineUNet3D weights over whole cases by sliding window, writing
/// `<caseId>_pred.npz` files `evaluate` reads: key `dose` (normalised like the case, float32,
/// clamped to [0, 1.5], 0 in the air around the patient unless asked to keep it) and `metadata`, the case's own metadata plus a `prediction` entry
/// (weights hash, dataset versions, window, channel harmonisation).
public struct PredictRequest: Sendable {
    public enum Cases: Sendable {
        /// Case files or folders of them (`*_pred.npz` files are skipped).
        case paths([String])
        /// The cases a locked split assigns to a role, each verified against its frozen hash.
        case pinned(SplitSelection)
    }

    public let weightsPath: String
    public let cases: Cases
    public let outputDirectory: String
    /// Nil: tiles of the weights' training patch (96³ when the weights do not record one),
    /// neighbours sharing `overlap`.
    public let window: SlidingWindow?
    public let overlap: Double
    public let threads: Int
    /// The run the weights come from (`--run`), written into each prediction's metadata.
    public let runId: String?
    /// Keep the network's output in the air around the patient instead of setting it to 0
    /// (`ExternalAir`).
    public let keepsDoseOutsideBody: Bool

    public init(weightsPath: String, cases: Cases, outputDirectory: String, window: SlidingWindow? = nil, overlap: Double = 0.5, threads: Int,
                runId: String? = nil, keepsDoseOutsideBody: Bool = false) {
        (self.weightsPath, self.cases, self.outputDirectory, self.window, self.threads) = (weightsPath, cases, outputDirectory, window, threads)
        (self.overlap, self.runId, self.keepsDoseOutsideBody) = (overlap, runId, keepsDoseOutsideBody)
    }

    /// The tile edge for weights that do not record their training patch.
    public static let defaultPatch = 96
}

public struct PredictOutcome: Sendable {
    public struct Written: Sendable, Equatable {
        public let caseId: String
        public let file: String
        public let tiles: Int
        public let seconds: Double
        /// Input channels the case lacked (filled with 0) and case channels the weights do not take.
        public let filledChannels: [String], unusedChannels: [String]
    }

    public let configuration: UNetConfiguration
    public let weightsSHA256: String
    /// The tiling used: the request's, or the weights' training patch.
    public let window: SlidingWindow
    public let written: [Written]
    /// Files that are not readable cases, with the reason; nothing was written for them.
    public let skipped: [(file: String, reason: String)]
}

public enum PredictWorkflow {
    /// Output values outside this range are clamped (`PredictedDose.clampRange`).
    public static let clampRange = PredictedDose.clampRange

    public static func run(_ request: PredictRequest, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> PredictOutcome {
        let (weights, weightsHash) = try loadWeights(request.weightsPath)
        let configuration = weights.model.configuration
        let multiple = configuration.spatialMultiple
        let window = try request.window
            ?? SlidingWindow(patch: weights.trainingPatch ?? Array(repeating: PredictRequest.defaultPatch, count: 3), overlap: request.overlap)
        guard window.patch.allSatisfy({ $0 % multiple == 0 }) else {
            throw EngineError.invalidSetting(name: "patch", expected: "multiples of \(multiple) (2^depth for \(configuration))",
                                             found: "\(window.patch)")
        }
        let files: [(file: String, pinnedVersion: String?)]
        switch request.cases {
        case let .paths(paths):
            files = try paths.flatMap { try PredictionMatcher.npzFiles(at: $0, predictions: false) }.map { ($0, nil) }
        case let .pinned(selection):
            let pinned = try await selection.resolve()
            files = pinned.cases.map { ($0.file, pinned.dataset.reference) }
        }
        try FileManager.default.createDirectory(atPath: request.outputDirectory, withIntermediateDirectories: true)
        let backend = try CPUBackend(threads: request.threads, freedMemory: .returnedToSystem)
        var written: [PredictOutcome.Written] = [], skipped: [(String, String)] = [], seen: Set<String> = []
        for (file, pinnedVersion) in files {
            let opened: DoseCase, input: CaseInput<CroppedChannels>
            do {
                opened = try DoseCase.open(path: file)
                input = try CaseInput(opened, inputChannels: configuration.inputChannels)
            } catch {
                skipped.append((file, "\(error)"))
                continue
            }
            // The output name is built from `metadata.case_id`, which the case's authors wrote.
            if let problem = CaseIdName.problem(with: opened.caseId) {
                skipped.append((file, "case id \(CaseIdName.quoted(opened.caseId)) cannot name a prediction file: \(problem)"))
                continue
            }
            guard seen.insert(opened.caseId).inserted else {
                skipped.append((file, "case \(opened.caseId) was already predicted from another file"))
                continue
            }
            let start = Date()
            var tiles = 0
            // Weights trained on an in-plane resampled grid see the case on that grid; the
            // prediction goes back to the case's own grid.
            let resampling = weights.resampling, native = input.shape.dimensions
            func tilewise(_ source: some PatchSource) throws -> Tensor {
                try window.predict(source, progress: { done, total in
                    tiles = total
                    progress("\(opened.caseId): tile \(done)/\(total)")
                }) { patch in try weights.model.forward(patch, constraints: input.constraints, on: backend) }
            }
            let predicted = resampling.isIdentity ? try tilewise(input.channels)
                : try tilewise(Tensor(shape: [1, configuration.inputChannels] + resampling.coarseExtent(native),
                                      elements: resampling.downsample(input.channels.dense().elements, channels: configuration.inputChannels, native: native)))
            let dose = PredictedDose.finished(resampling.upsample(predicted.elements, native: native),
                                              externalAir: request.keepsDoseOutsideBody ? nil : input.externalAir)
            let provenance = MetadataValue.dictionary([
                "tool": .string("dosecurate predict"),
                EvaluationModel.PredictionKey.weightsSHA256: .string(weightsHash),
                EvaluationModel.PredictionKey.run: request.runId.map(MetadataValue.string) ?? .none,
                "weights_file": .string((request.weightsPath as NSString).lastPathComponent),
                "model": .string(configuration.description),
                "trained_on_dataset_version": weights.datasetVersion.map(MetadataValue.string) ?? .none,
                "case_dataset_version": pinnedVersion.map(MetadataValue.string) ?? .none,
                "patch": .list(window.patch.map { .int(Int64($0)) }),
                "stride": .list(window.stride.map { .int(Int64($0)) }),
                "blending": .string("gaussian, sigma = patch / 4"),
                "in_plane_resample": .int(Int64(weights.resampling.factor)),
                "clamp": .list([.float(Double(clampRange.lowerBound)), .float(Double(clampRange.upperBound))]),
                "outside_body": .string(request.keepsDoseOutsideBody ? "kept"
                    : "set to 0 (air below \(Int(ExternalAir.thresholdHU)) HU connected to a face of the volume)"),
                "filled_channels_with_zero": .list(input.filledChannels.map(MetadataValue.string)),
                "unused_channels": .list(input.unusedChannels.map(MetadataValue.string)),
            ])
            var entries = opened.metadata?.dictionaryEntries ?? []
            entries.removeAll { $0.key.asString == "prediction" }
            entries.append(MetadataEntry(key: .string("prediction"), value: provenance))
            let path = "\(request.outputDirectory)/\(opened.caseId)\(PredictionMatcher.predictionSuffix)"
            try NPZWriter.write(members: [
                ("dose", .array(try NPYArray(shape: input.shape.dimensions, elements: dose))),
                ("metadata", .pickledObject(NPYPickledObject(pickle: try PickleWriter.pickleObjectArray(wrapping: .dict(entries))))),
            ], to: path)
            written.append(.init(caseId: opened.caseId, file: path, tiles: tiles, seconds: Date().timeIntervalSince(start),
                                 filledChannels: input.filledChannels, unusedChannels: input.unusedChannels))
        }
        return PredictOutcome(configuration: configuration, weightsSHA256: weightsHash, window: window, written: written, skipped: skipped)
    }

    /// The weights and their file's SHA-256; the file's bytes (two copies, as large as the
    /// weights) are freed on return instead of staying beside every case's tiles.
    private static func loadWeights(_ path: String) throws -> (ModelWeights, String) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafeTensorsError.unreadable(file: path) }
        let bytes = [UInt8](data)
        return (try ModelWeights.decode(bytes, file: path), SHA256Hex.of(bytes))
    }
}

/// A case as the network's input: CT then the SDF of each structure channel in the standard
/// order (spec, "Structure channels"), as many as the weights take. A channel the case lacks is
/// filled with 0, the v2.4 convention for an absent structure; case channels beyond the weights'
/// count are left out. Both are recorded. Predict holds the channels as `CroppedChannels` (a
/// full-size case's ten channels in about a fifth of their dense 518 MB), which tiles are cut
/// from; export as `DenseChannels`, every voxel of which goes into the training cache.
struct CaseInput<Channels: InputChannels> {
    let shape: VolumeShape
    let channels: Channels
    /// The air around the patient, where a planned dose is 0.
    let externalAir: [Bool]
    let constraints: Tensor
    let filledChannels: [String], unusedChannels: [String]
    /// The structure behind each input channel after the CT.
    let structureNames: [String]

    init(_ opened: DoseCase, inputChannels: Int) throws {
        let ct = try opened.volume("ct")
        let sdf = try opened.signedDistances()
        guard sdf.shape == ct.shape else {
            throw EngineError.mismatch(role: "\(opened.file): masks_sdf grid", expected: ct.shape.dimensions, found: sdf.shape.dimensions)
        }
        let voxels = ct.shape.voxelCount
        var channels = Channels(extent: ct.shape.dimensions)
        try channels.append(ct.elements[...])
        var filled: [String] = [], used: Set<Int> = []
        structureNames = (0..<(inputChannels - 1)).map(Self.structureName)
        for name in structureNames {
            if let channel = sdf.catalog.index(of: name) {
                try channels.append(sdf.elements[(channel * voxels)..<((channel + 1) * voxels)])
                used.insert(channel)
            } else {
                channels.appendConstant(0)
                filled.append(name)
            }
        }
        shape = ct.shape
        self.channels = channels
        externalAir = ExternalAir.mask(normalizedCT: ct)
        constraints = try Tensor(shape: [1, UNetConfiguration.constraintFeatures], elements: opened.constraints())
        filledChannels = filled
        unusedChannels = sdf.catalog.channels.filter { !used.contains($0.index) }.map(\.name)
    }

    /// The name of structure input channel `index`: the standard order, then `channel_<index>`.
    static func structureName(_ index: Int) -> String {
        index < StructureChannel.standardOrder.count ? StructureChannel.standardOrder[index] : "channel_\(index)"
    }

    /// The case's binary masks in the input's structure order; an absent structure is all 0.
    func masks(of opened: DoseCase) throws -> [UInt8] {
        let masks = try opened.masks()
        let voxels = shape.voxelCount
        guard masks.shape == shape else {
            throw EngineError.mismatch(role: "\(opened.file): masks grid", expected: shape.dimensions, found: masks.shape.dimensions)
        }
        var elements: [UInt8] = []
        elements.reserveCapacity(structureNames.count * voxels)
        for name in structureNames {
            if let channel = masks.catalog.index(of: name) {
                elements.append(contentsOf: masks.elements[(channel * voxels)..<((channel + 1) * voxels)])
            } else {
                elements.append(contentsOf: repeatElement(0, count: voxels))
            }
        }
        return elements
    }
}

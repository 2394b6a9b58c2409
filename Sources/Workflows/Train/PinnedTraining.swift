import Support
import DoseCase
import Engine
import Foundation
import Lineage

/// A verified version and split, and the training cache that holds their train and val cases.
struct PinnedTraining {
    let dataset: DatasetRevision
    let split: SplitRevision
    let train: [String], validation: [String]
    /// Workspace-relative.
    let cache: String
    let cacheBuilt: Bool
    let channels: [String]
    let filledChannels: [String: [String]]
    let space: Workspace

    var splitPin: RunRecord.Split { .init(name: split.name, revision: split.revision, hash: split.envelope.storedHash) }
    var data: RunRecord.Data {
        .init(cache: cache, channels: channels, trainCases: train, validationCases: validation, filledChannels: filledChannels)
    }

    func trainer(_ configuration: TrainingConfiguration, runDirectory: String) throws -> Trainer {
        try Trainer(configuration: configuration, data: TrainingSet(cachePath: space.file(cache), trainCases: train, validationCases: validation,
                                                                    datasetVersion: dataset.reference),
                    directory: runDirectory)
    }

    /// `buildingCache` hears which case the cache is being built from, when it is.
    static func prepare(_ space: Workspace, dataset reference: String, split splitReference: String, resampling: InPlaneResampling,
                        buildingCache: @escaping @Sendable (String) -> Void) async throws -> PinnedTraining {
        if !DatasetRevision.isVersionId(String(reference.split(separator: "@").first ?? "")), FileManager.default.fileExists(atPath: reference) {
            throw TrainError.unpinned(path: reference)
        }
        // Every record hash, the split against the version, and every train and val case file
        // against the hash the version froze (through the hash cache).
        let pinned = try await PinnedSelection.resolve(in: space, dataset: reference, split: splitReference, roles: [.train, .val])
        let (dataset, split) = (pinned.dataset, pinned.split)
        let train = pinned.cases(in: .train).map(\.caseId)
        let validation = pinned.cases(in: .val).map(\.caseId)
        guard !train.isEmpty else { throw TrainError.noTrainingCases(split: split.reference) }

        let grid = resampling.isIdentity ? "" : "-r\(resampling.factor)"
        let cache = ".dosecurate/cache/training/\(dataset.id)-\(split.name)-\(split.envelope.storedHash.prefix(16))\(grid).h5"
        var built = false
        if (try? TrainingCacheReader(path: space.file(cache)).attribute("split_identity")) != split.envelope.identity.canonicalText {
            try FileManager.default.createDirectory(atPath: (space.file(cache) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = try await ExportWorkflow.write(pinned, to: space.file(cache), resampling: resampling) {
                buildingCache($0)
            }
            built = true
        }
        let reader = try TrainingCacheReader(path: space.file(cache))
        let channels = try JSONValue.parse(Array(reader.attribute("channels").utf8)).arrayValue?.compactMap(\.stringValue) ?? []
        var filled: [String: [String]] = [:]
        for caseId in train + validation {
            let text = try reader.attribute("filled_channels", of: "cases/\(caseId)")
            let names = try JSONValue.parse(Array(text.utf8)).arrayValue?.compactMap(\.stringValue) ?? []
            if !names.isEmpty { filled[caseId] = names }
        }
        return PinnedTraining(dataset: dataset, split: split, train: train, validation: validation, cache: cache, cacheBuilt: built,
                              channels: channels, filledChannels: filled, space: space)
    }
}

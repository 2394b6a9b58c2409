import DoseCase
import Dosimetry
import Foundation
import Lineage
import NumpyFormat
import Support

/// One gamma map kept by `evaluate --save-gamma`, as the evaluation record's context lists it
/// (`gammaMaps: [{caseId, path, sha256}]`, DESIGN "Evaluation records v3"). The file is an `.npz`
/// with one float32 array `gamma` of the reference case's full grid (Y, X, Z): the γ of every
/// evaluated voxel and NaN everywhere else (below the dose cutoff, or — with `--subsample K` — not
/// on the decimated grid `x[::K, ::K, ::K]`, whose points keep their own positions; nothing is
/// interpolated). The statistics the record holds are those of the file's non-NaN values.
public struct GammaMapFile: Sendable, Equatable, Codable {
    public let caseId: String
    /// Relative to the workspace: `evaluations/<first 16 hex digits of the record hash>/gamma/<caseId>.npz`.
    public let path: String
    /// SHA-256 of the file's bytes (what `verify` re-hashes).
    public let sha256: String

    public init(caseId: String, path: String, sha256: String) {
        self.caseId = caseId
        self.path = path
        self.sha256 = sha256
    }

    /// The array's name inside the `.npz`.
    public static let arrayName = "gamma"

    /// Where an evaluation's maps live: `evaluations/<first 16 hex digits of its hash>/gamma`.
    public static func folder(recordHash: String) -> String { "evaluations/\(recordHash.prefix(16))/gamma" }

    public static func path(caseId: String, recordHash: String) -> String { "\(folder(recordHash: recordHash))/\(caseId).npz" }

    /// A case id becomes a file name: it must be one path component that is not hidden (case ids
    /// come from metadata, which may hold anything).
    public static func isFileNameSafe(_ caseId: String) -> Bool {
        !caseId.isEmpty && !caseId.hasPrefix(".") && !caseId.contains("/") && !caseId.contains("\0")
    }

    /// Writes `map` onto the reference's full grid `grid` as `path` (atomically, deflated like
    /// `numpy.savez_compressed`: the NaN of unevaluated voxels compress to almost nothing) and
    /// returns the SHA-256 of the file's bytes.
    public static func write(_ map: GammaMap, grid: VolumeShape, to path: String) throws -> String {
        let values = try onFullGrid(map, grid: grid)
        do {
            try NPZWriter.write([(arrayName, try NPYArray(shape: grid.dimensions, elements: values))], to: path)
            return try RunArtifact.hash(path).sha256
        } catch {
            throw EvaluationError.gammaMapUnwritable(path: path, reason: .cause(error))
        }
    }

    /// The map's values at their own voxels of the full grid: at full resolution the map itself;
    /// subsampled by k, the decimated grid's point (i, j, l) is voxel (k·i, k·j, k·l) and every
    /// other voxel stays NaN (filling them would invent gamma values nobody computed).
    static func onFullGrid(_ map: GammaMap, grid: VolumeShape) throws -> [Float] {
        let step = map.subsample
        let expected = VolumeShape(rows: (grid.rows + step - 1) / step, columns: (grid.columns + step - 1) / step,
                                   slices: (grid.slices + step - 1) / step)
        guard map.shape == expected, map.values.count == expected.voxelCount else {
            throw EvaluationError.gammaMapUnwritable(path: "<memory>", reason: "a \(map.shape) map subsampled by \(step) does not fit the grid \(grid)")
        }
        guard step > 1 else { return map.values }
        var full = [Float](repeating: .nan, count: grid.voxelCount)
        var index = 0
        for row in stride(from: 0, to: grid.rows, by: step) {
            for column in stride(from: 0, to: grid.columns, by: step) {
                let base = grid.offset(row: row, column: column, slice: 0)
                for slice in stride(from: 0, to: grid.slices, by: step) {
                    full[base + slice] = map.values[index]
                    index += 1
                }
            }
        }
        return full
    }

    /// Reads the map back from `workspace`, refusing a path that leaves its record's folder, a
    /// file whose bytes no longer hash to `sha256`, and anything but one 3-D float32 `gamma`.
    public func read(in workspace: Workspace) throws -> Volume<Float> {
        guard isContained else { throw EvaluationError.gammaMapUnreadable(path: path, reason: "not a path under evaluations/<hash>/gamma/") }
        let file = workspace.file(path)
        guard FileManager.default.fileExists(atPath: file) else { throw EvaluationError.gammaMapMissing(path: path) }
        let found: String
        do { found = try RunArtifact.hash(file).sha256 } catch { throw EvaluationError.gammaMapUnreadable(path: path, reason: .cause(error)) }
        guard found == sha256 else { throw EvaluationError.gammaMapChanged(path: path, expected: sha256, found: found) }
        do {
            let array = try NPZArchive(path: file).read(Self.arrayName)
            guard array.dtype.kind == .float32, array.shape.count == 3 else {
                throw EvaluationError.gammaMapUnreadable(path: path, reason: "expected a 3-D float32 '\(Self.arrayName)', found \(array.dtype) \(array.shape)")
            }
            let shape = VolumeShape(rows: array.shape[0], columns: array.shape[1], slices: array.shape[2])
            return try Volume(shape: shape, elements: array.elements(as: Float.self))
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError.gammaMapUnreadable(path: path, reason: .cause(error))
        }
    }

    /// Relative, under `evaluations/`, with no `.`, `..` or empty part: a context naming anything
    /// else is not trusted (`verify` would otherwise hash files outside the workspace).
    public var isContained: Bool {
        RunArtifact.isContained(path) && path.hasPrefix("evaluations/") && path.split(separator: "/").count == 4
    }
}

extension GammaMapFile {
    /// What `evaluate --save-gamma` did with the maps it computed.
    public enum Outcome: Sendable, Equatable {
        /// A new record lists them all; they are in `folder`.
        case written(folder: String, count: Int)
        /// An identical record was already written with maps: those it lists that were missing and
        /// whose bytes the new maps reproduce were put back (`restored` case ids); the rest were left as they are.
        case restored(caseIds: [String], listed: Int)
        /// An identical record was already written without maps: they were not kept, since a written
        /// record is never edited to list them.
        case notKept
    }
}

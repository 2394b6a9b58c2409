import DoseCase
import Dosimetry
import Evaluation
import Foundation
import Lineage
import Reports

/// Reads what an evaluation report draws from the case files: for each drawn case its doses,
/// masks and CT (DVH curves, colourwash, difference), and for every case with a saved gamma map
/// the CT and PTV70 only (its gamma slice). Nothing else is read.
enum EvaluationPictures {
    /// The structures a DVH figure shows, in the order the legend lists them (those a case holds).
    static let dvhStructures = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4, StructureChannel.rectum,
                                StructureChannel.bladder, StructureChannel.femurLeft, StructureChannel.femurRight, StructureChannel.bowel]
    /// DVH curves are sampled every 0.25 Gy: finer than any constraint reads them, and a few
    /// hundred points per curve.
    static let dvhStepGy = 0.25

    static func gather(_ record: EvaluationRecord, recordName: String, allCases: Bool, in workspace: Workspace,
                       workers: Int, progress: @escaping @Sendable (String) -> Void) async throws -> EvaluationReportInput {
        var notes: [String] = []
        let run: RunSummary?
        if let runId = record.identity.model?.run {
            do { run = try RunSummary.read(runId, in: workspace) } catch {
                run = nil
                notes.append("The evaluation names run \(runId), which this workspace cannot read (\(error)); its training curves are not shown.")
            }
        } else {
            run = nil
        }
        let representative = EvaluationReportInput.representativeCase(of: record)
        let drawn = allCases ? record.identity.cases.map(\.caseId) : representative.map { [$0] } ?? []
        let saved = Dictionary((record.context.gammaMaps ?? []).map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        if record.context.gammaMaps == nil {
            notes.append("No gamma maps were kept for this evaluation, so no gamma slices are shown: evaluate with --save-gamma to keep them.")
        }
        let files = Dictionary(record.context.files.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        let settings = record.identity.settings
        let caseIds = Array(Set(drawn).union(saved.keys)).sorted()

        // Cases are read and drawn in parallel, at most `workers` at a time (each holds a case's arrays).
        var pictures: [String: CasePictures] = [:], gammaSlices: [String: ImageFigure] = [:]
        try await withThrowingTaskGroup(of: (String, CasePictures?, ImageFigure?, String?).self) { group in
            var next = 0
            func schedule() {
                guard next < caseIds.count else { return }
                let caseId = caseIds[next]
                next += 1
                let draw = drawn.contains(caseId), gammaFile = saved[caseId], entry = files[caseId]
                group.addTask {
                    progress("reading \(caseId)")
                    guard let entry else { return (caseId, nil, nil, "\(caseId): the record lists no files for it, so it is not drawn.") }
                    do {
                        let reference = try plainFile(entry.reference, in: workspace)
                        let prediction = try plainFile(entry.prediction, in: workspace)
                        return try casePictures(caseId: caseId, reference: reference, prediction: prediction, draw: draw, hasGammaMap: gammaFile != nil,
                                                record: record, settings: settings, in: workspace)
                    } catch {
                        return (caseId, nil, nil, "\(caseId) is not drawn: \(error)")
                    }
                }
            }
            for _ in 0..<max(1, workers) { schedule() }
            while let (caseId, casePictures, gamma, note) = try await group.next() {
                if let casePictures { pictures[caseId] = casePictures }
                if let gamma { gammaSlices[caseId] = gamma }
                if let note { notes.append(note) }
                schedule()
            }
        }
        return EvaluationReportInput(record: record, recordName: recordName, run: run, representativeCaseId: representative,
                                     cases: drawn.compactMap { pictures[$0] }, gammaSlices: gammaSlices.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                     notes: notes.sorted())
    }

    /// A recorded case location as a file path; a case inside a delivery archive cannot be drawn
    /// without extracting it.
    private static func plainFile(_ recorded: String, in workspace: Workspace) throws -> String {
        switch workspace.location(ofRecorded: recorded) {
        case let .file(path): return path
        case let .archiveMember(archive, member):
            throw ReportWorkflowError.caseInArchive(archive: archive, member: member)
        }
    }

    private static func casePictures(caseId: String, reference: String, prediction: String, draw: Bool, hasGammaMap: Bool,
                                     record: EvaluationRecord, settings: EvaluationSettings,
                                     in workspace: Workspace) throws -> (String, CasePictures?, ImageFigure?, String?) {
        let spacing: [Double], ct: Volume<Float>?, through: VoxelIndex
        var drawnCase: CasePictures?
        if draw {
            let doses = try EvaluatedCaseDoses.read(caseId: caseId, reference: reference, prediction: prediction, settings: settings)
            spacing = doses.spacing.millimetres
            ct = doses.ct
            let ptv70 = doses.mask(StructureChannel.ptv70)
            through = centre(of: ptv70) { doses.referenceGy }
            let dvh = dvhStructures.compactMap { structure -> DVHCurves? in
                guard let referenceCurve = doses.cumulativeDVH(structure, of: doses.referenceGy, stepGy: dvhStepGy),
                      let predictionCurve = doses.cumulativeDVH(structure, of: doses.predictionGy, stepGy: dvhStepGy) else { return nil }
                return DVHCurves(structure: structure, reference: referenceCurve, prediction: predictionCurve)
            }
            drawnCase = CasePictures(
                caseId: caseId, dvh: dvh,
                colourwash: try SliceFigures.colourwash(ct: doses.ct, referenceGy: doses.referenceGy, predictionGy: doses.predictionGy,
                                                        spacingMM: spacing, through: through, outline: ptv70,
                                                        title: "\(caseId): dose, prediction (top) and reference (bottom)"),
                difference: try SliceFigures.difference(ct: doses.ct, referenceGy: doses.referenceGy, predictionGy: doses.predictionGy,
                                                        spacingMM: spacing, through: through,
                                                        title: "\(caseId): dose difference, prediction − reference"))
        } else {
            let opened = try DoseCase.open(path: reference)
            spacing = opened.spacing.millimetres
            ct = opened.arrayKeys.contains("ct") ? try opened.volume("ct") : nil
            let ptv70 = try? opened.masks().channel(named: StructureChannel.ptv70)
            through = try centre(of: ptv70) { try opened.volume("dose") }
        }
        guard hasGammaMap else { return (caseId, drawnCase, nil, nil) }
        // A map kept with --subsample K holds values on every K-th voxel only (NaN between): drawn as it is.
        let figure = try SliceFigures.gamma(ct: ct, gamma: try record.gammaMap(of: caseId, in: workspace), spacingMM: spacing, through: through,
                                            title: "\(caseId): gamma index")
        return (caseId, drawnCase, figure, nil)
    }

    /// The slices cross at the PTV70 centroid, rounded; without a PTV70, at the reference dose's maximum.
    /// The dose is read only when there is no PTV70 to centre on; an empty grid gives voxel 0,
    /// which the slice figures refuse with a clear error.
    static func centre(of ptv70: Volume<UInt8>?, dose: () throws -> Volume<Float>) rethrows -> VoxelIndex {
        if let ptv70, let centroid = StructureGeometry(mask: ptv70.elements, shape: ptv70.shape).centroidVoxel {
            return VoxelIndex(row: Int(centroid[0].rounded()), column: Int(centroid[1].rounded()), slice: Int(centroid[2].rounded()))
        }
        let dose = try dose(), shape = dose.shape
        guard shape.voxelCount > 0, let hottest = dose.elements.indices.max(by: { dose.elements[$0] < dose.elements[$1] }) else {
            return VoxelIndex(row: 0, column: 0, slice: 0)
        }
        return VoxelIndex(row: hottest / (shape.columns * shape.slices), column: (hottest / shape.slices) % shape.columns, slice: hottest % shape.slices)
    }
}

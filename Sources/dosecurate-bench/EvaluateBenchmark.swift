import DoseCase
import Foundation
import NumpyFormat
import Phantoms

/// `dosecurate evaluate` of one full-size pair (300×300×144 at 1×1×2.5 mm; a synthetic prediction
/// with realistic errors) end to end, against pymedphys 0.41's gamma on the same pair (the gamma
/// call alone; it takes minutes, so it runs once).
struct EvaluateBenchmark {
    let python: String
    let scratch: URL
    let dosecurate: String
    let script: String
    /// Tuned so the synthetic prediction passes ~75–85 % global 3 %/3 mm at full resolution.
    static let severity = 2.2

    struct Result {
        /// A fresh workspace: the reference is hashed for the record (inflating every array) alongside the evaluation.
        let dosecurateSeconds: Double
        /// Again in the same workspace: the hash comes from the cache, as for a frozen, pinned case.
        let dosecurateWarmSeconds: Double
        let dosecuratePassRate: Double
        let dosecuratePTVPassRate: Double
        /// `--gamma-stat pass-rate`, hash cached, and its global pass rate.
        let passRateOnlySeconds: Double
        let passRateOnlyPassRate: Double
        let evaluatedVoxels: Int
        let pymedphys: [String: Double]?
    }

    func run(includePymedphys: Bool) throws -> Result {
        let folder = scratch.appendingPathComponent("evaluate")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let recipe = PhantomRecipe(caseId: "bench_eval", planType: .sib3Level, formatVersion: .v2_4, patientSeed: 21, planSeed: 22)
        let casePath = folder.appendingPathComponent("bench_eval.npz").path
        try PhantomCase.generate(recipe, size: .full).write(to: casePath)
        let opened = try DoseCase.open(path: casePath)
        let dose = try opened.volume("dose")
        let predicted = SyntheticPrediction.dose(from: dose, spacingMM: opened.spacing.millimetres, seed: 5, severity: Self.severity)
        let predictionPath = try SyntheticPrediction.write(dose: predicted, shape: dose.shape, caseId: "bench_eval", to: folder.path)

        let arguments = ["evaluate", "--reference", casePath, "--prediction", predictionPath, "--json", "--quiet", "--workspace", folder.path]
        var start = DispatchTime.now().uptimeNanoseconds
        let output = try Subprocess.run(dosecurate, arguments)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        start = DispatchTime.now().uptimeNanoseconds
        _ = try Subprocess.run(dosecurate, arguments)
        let warmSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        start = DispatchTime.now().uptimeNanoseconds
        let passRateOnlyOutput = try Subprocess.run(dosecurate, arguments + ["--gamma-stat", "pass-rate"])
        let passRateOnlySeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (global, region) = Self.gammaStatistics(output)

        var pymedphys: [String: Double]?
        if includePymedphys {
            print(String(format: "  (dosecurate done in %.2f s; pymedphys at full resolution takes minutes …)", seconds))
            fflush(nil)
            // The same Gy arrays the evaluation compares: stored × 70 in float32.
            let referencePath = folder.appendingPathComponent("reference_gy.npy").path, evaluationPath = folder.appendingPathComponent("evaluation_gy.npy").path
            try NPYFile.write(try NPYArray(shape: dose.shape.dimensions, elements: dose.elements.map { $0 * 70 }), to: referencePath)
            try NPYFile.write(try NPYArray(shape: dose.shape.dimensions, elements: predicted.map { $0 * 70 }), to: evaluationPath)
            let spacing = opened.spacing.millimetres.map { String($0) }
            let line = try Subprocess.run(python, [script, referencePath, evaluationPath, "--spacing"] + spacing)
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            pymedphys = parsed?.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        return Result(dosecurateSeconds: seconds, dosecurateWarmSeconds: warmSeconds, dosecuratePassRate: (global?["passRate"] as? NSNumber)?.doubleValue ?? .nan,
                      dosecuratePTVPassRate: (region?["passRate"] as? NSNumber)?.doubleValue ?? .nan, passRateOnlySeconds: passRateOnlySeconds,
                      passRateOnlyPassRate: (Self.gammaStatistics(passRateOnlyOutput).global?["passRate"] as? NSNumber)?.doubleValue ?? .nan,
                      evaluatedVoxels: (global?["evaluatedVoxels"] as? NSNumber)?.intValue ?? 0, pymedphys: pymedphys)
    }

    /// The first case's global and PTV-region gamma statistics of an `evaluate --json` record.
    static func gammaStatistics(_ output: String) -> (global: [String: Any]?, region: [String: Any]?) {
        let record = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let gamma = ((record?["cases"] as? [[String: Any]])?.first)?["gamma"] as? [String: Any]
        return (gamma?["global"] as? [String: Any], gamma?["ptvRegion"] as? [String: Any])
    }
}

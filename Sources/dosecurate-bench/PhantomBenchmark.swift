import Foundation
import Phantoms

/// One full-size phantom (v2.4, three-level SIB, 300×300×144): the time to generate its arrays
/// and to write them, against numpy.savez_compressed writing the same arrays (the pipeline's own
/// writer doing the writing part of the work).
struct PhantomBenchmark {
    let python: String
    let scratch: URL

    func run() throws -> (generate: Double, write: Double, numpySave: Double, megabytes: Double) {
        let recipe = PhantomRecipe(caseId: "bench_0000", planType: .sib3Level, formatVersion: .v2_4, patientSeed: 11, planSeed: 12)
        let path = scratch.appendingPathComponent("phantom_full.npz").path
        var start = DispatchTime.now().uptimeNanoseconds
        let phantom = try PhantomCase.generate(recipe, size: .full)
        let generate = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        start = DispatchTime.now().uptimeNanoseconds
        try phantom.write(to: path)
        let write = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let script = """
        import sys, time, numpy as np
        with np.load(sys.argv[1], allow_pickle=True) as archive:
            arrays = {key: archive[key] for key in archive.files}
        start = time.perf_counter()
        np.savez_compressed(sys.argv[2], **arrays)
        print(time.perf_counter() - start)
        """
        let numpy = try Subprocess.run(python, ["-c", script, path, scratch.appendingPathComponent("numpy_copy.npz").path])
        return (generate, write, Double(numpy.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan, Double(size) / 1e6)
    }
}

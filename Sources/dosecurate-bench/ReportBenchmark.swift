import DoseCase
import Foundation
import Phantoms

/// Issues 26 and 27's benchmark: `dosecurate report` of a 20-case small-phantom evaluation (target
/// < 10 s) and of one full-size case (target < 5 s), each evaluated first with its gamma maps kept;
/// the evidence of a 30-case audit with every planted defect (`audit --report` minus `audit`,
/// target < 15 s); then, when Debian's chromium is installed, a headless screenshot of the 20-case
/// report, so anyone can look at what the user sees.
struct ReportBenchmark {
    let dosecurate: String
    let scratch: URL
    let repeats = 3

    struct Result {
        let smallCases: Int
        let smallSeconds: Double
        let smallFigures: Int
        let fullSeconds: Double
        let fullFigures: Int
        let auditCases: Int
        let auditSeconds: Double
        let auditWithEvidenceSeconds: Double
        let evidenceFigures: Int
        /// `view` of the full-size case: seconds (best of 3) and the page's size.
        let viewSeconds: Double
        let viewMegabytes: Double
        /// The 20-case report's index.html, and its screenshot when chromium exists.
        let smallPage: String
        let screenshot: String?
    }

    func run(screenshot: String) throws -> Result {
        let folder = scratch.appendingPathComponent("report-bench"), workspace = folder.appendingPathComponent("ws").path
        let cohort = folder.appendingPathComponent("cohort").path, predictions = folder.appendingPathComponent("predictions").path
        _ = try Subprocess.run(dosecurate, ["init", workspace])
        _ = try Subprocess.run(dosecurate, ["phantoms", cohort, "--cases", "20", "--size", "small", "--seed", "13", "--predictions", predictions,
                                            "--quiet"])
        let small = try evaluate(references: cohort, predictions: predictions, workspace: workspace)
        let (smallSeconds, smallPage, smallFigures) = try report(small, workspace: workspace)

        let full = folder.appendingPathComponent("full")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        let recipe = PhantomRecipe(caseId: "bench_report", planType: .sib3Level, formatVersion: .v2_4, patientSeed: 31, planSeed: 32)
        let casePath = full.appendingPathComponent("bench_report.npz").path
        try PhantomCase.generate(recipe, size: .full).write(to: casePath)
        let opened = try DoseCase.open(path: casePath)
        let dose = try opened.volume("dose")
        let predicted = SyntheticPrediction.dose(from: dose, spacingMM: opened.spacing.millimetres, seed: 5, severity: 1)
        let prediction = try SyntheticPrediction.write(dose: predicted, shape: dose.shape, caseId: "bench_report", to: full.path)
        let fullHash = try evaluate(references: casePath, predictions: prediction, workspace: workspace)
        let (fullSeconds, _, fullFigures) = try report(fullHash, workspace: workspace)
        let viewPage = full.appendingPathComponent("view.html").path
        let viewSeconds = try (0..<repeats).map { _ in
            try AuditBenchmark.timed { _ = try Subprocess.run(dosecurate, ["view", casePath, "-o", viewPage, "--quiet"]) }
        }.min() ?? .nan
        let viewBytes = (try FileManager.default.attributesOfItem(atPath: viewPage)[.size] as? Int) ?? 0

        let defective = folder.appendingPathComponent("defects").path
        _ = try Subprocess.run(dosecurate, ["phantoms", defective, "--cases", "10", "--defects", "all", "--size", "small", "--seed", "17", "--quiet"])
        let auditCases = (FileManager.default.enumerator(atPath: defective)?.allObjects as? [String] ?? []).count { $0.hasSuffix(".npz") }
        // The audit exits 1 (every defect is found), so run it through sh and keep going.
        func audit(_ extra: [String]) throws -> Double {
            try (0..<repeats).map { _ in
                try AuditBenchmark.timed { _ = try Subprocess.run("sh", ["-c", "\"$@\" > /dev/null; true", "sh", dosecurate, "audit", defective, "--no-cache", "--quiet"] + extra) }
            }.min() ?? .nan
        }
        let evidenceFolder = folder.appendingPathComponent("audit-report").path
        let auditSeconds = try audit([]), withEvidence = try audit(["--report", evidenceFolder])
        let evidenceFigures = (try? FileManager.default.contentsOfDirectory(atPath: "\(evidenceFolder)/figures"))?.count { $0.hasSuffix(".svg") } ?? 0

        var shot: String?
        if (try? Subprocess.run("sh", ["-c", "command -v chromium"])) != nil {
            // Chromium talks to D-Bus on standard error even headless: keep that out of the benchmark's output.
            _ = try Subprocess.run("sh", ["-c", "chromium \"$@\" 2>/dev/null", "chromium"] + ReportScreenshot.arguments(page: smallPage, png: screenshot))
            shot = screenshot
        }
        return Result(smallCases: 20, smallSeconds: smallSeconds, smallFigures: smallFigures, fullSeconds: fullSeconds, fullFigures: fullFigures,
                      auditCases: auditCases, auditSeconds: auditSeconds, auditWithEvidenceSeconds: withEvidence, evidenceFigures: evidenceFigures,
                      viewSeconds: viewSeconds, viewMegabytes: Double(viewBytes) / 1e6,
                      smallPage: smallPage, screenshot: shot)
    }

    /// `evaluate --record --save-gamma`; the record's hash.
    private func evaluate(references: String, predictions: String, workspace: String) throws -> String {
        let output = try Subprocess.run(dosecurate, ["evaluate", "--reference", references, "--prediction", predictions, "--save-gamma",
                                                     "--workspace", workspace, "--json", "--quiet"])
        let record = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        guard let hash = record?["hash"] as? String else { throw BenchmarkError("evaluate printed no record hash") }
        return hash
    }

    /// The best of `repeats` runs of `report HASH`: seconds, the page, the figure count.
    private func report(_ hash: String, workspace: String) throws -> (Double, String, Int) {
        var best = Double.infinity, page = "", figures = 0
        for _ in 0..<repeats {
            var output = ""
            best = min(best, try AuditBenchmark.timed {
                output = try Subprocess.run(dosecurate, ["report", String(hash.prefix(16)), "--workspace", workspace, "--json", "--quiet"])
            })
            let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            page = parsed?["page"] as? String ?? ""
            figures = (parsed?["figures"] as? NSNumber)?.intValue ?? 0
        }
        return (best, page, figures)
    }
}

/// How the benchmark and `make report-screenshot` photograph a report: headless Debian chromium,
/// a tall window so the first figures are in the picture.
enum ReportScreenshot {
    static func arguments(page: String, png: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,3200", "--screenshot=\(png)", "file://\(page)"]
    }
}

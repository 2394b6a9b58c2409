import ArgumentParser
import Support
import Foundation
import Phantoms

struct PhantomsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phantoms",
        abstract: "Write a seeded synthetic prostate cohort with planted defects, truth.json and institutions.csv.",
        discussion: "Exit status: 0 written, 1 when --predict-existing refused some cases, 2 when nothing could be written."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "A new or empty folder to write the cohort into.")
    var outputDirectory: String

    @Option(help: "Number of clean cases (each selected defect adds its own case or cases).")
    var cases: Int = 8

    @Option(help: "small (≈112×112×72 at 2×2×2.5 mm) or full (300×300×144 at 1×1×2.5 mm).")
    var size: PhantomSize.Preset = .small

    @Option(help: "all, none, or a comma-separated list of defect names.")
    var defects: DefectList = DefectList(defects: [])

    @Option(help: "Cohort seed: the same seed writes the same cohort.")
    var seed: UInt64 = 1

    @Option(help: "Comma-separated institution names; each gets a subfolder.")
    var institutions: String?

    @Option(help: "Number case ids from N (case_N, case_N+1, …) so a later delivery's ids follow an earlier one's.")
    var firstCase: Int = 0

    @Option(help: "Also write a synthetic prediction <caseId>_pred.npz of every case into this folder (to try evaluate).")
    var predictions: String?

    @Option(help: "How wrong the synthetic predictions are: 0 = the dose itself, 1 = a good model (default), 3 = a poor one.")
    var predictionError: Double = 1

    @Option(help: "Seed of the synthetic predictions (default: the cohort seed); another seed is another training run of the same model.")
    var predictionSeed: UInt64?

    @Flag(help: "Write only predictions (--predictions), of the cases already in the folder (an earlier phantoms run), instead of a cohort.")
    var predictExisting = false

    func validate() throws {
        guard cases >= 0 else { throw ValidationError("--cases must be 0 or more") }
        guard firstCase >= 0 else { throw ValidationError("--first-case must be 0 or more") }
        guard predictionError >= 0, predictionError <= 10 else { throw ValidationError("--prediction-error must be between 0 and 10") }
        guard !predictExisting || predictions != nil else { throw ValidationError("--predict-existing needs --predictions DIR") }
        _ = try options()
    }

    func run() async throws {
        if predictExisting {
            let files = (FileManager.default.enumerator(atPath: outputDirectory)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".npz") }.map { "\(outputDirectory)/\($0)" }
            guard let predictions, !files.isEmpty else { throw ValidationError("\(outputDirectory): no cases (.npz) to predict") }
            let batch = try SyntheticPrediction.writePredictions(forCases: files, to: predictions, seed: predictionSeed ?? seed, severity: predictionError)
            for (file, reason) in batch.refused { FileHandle.standardError.write("refused \(file): \(reason)\n") }
            if printing.json {
                JSONOutput.print(["predictions": .string(predictions), "written": .int(Int64(batch.written.count)),
                                  "refused": .int(Int64(batch.refused.count))], result: "phantoms-predictions")
            } else {
                print("wrote \(batch.written.count) predictions to \(predictions)")
            }
            if !batch.refused.isEmpty { throw ExitStatus.dataProblems.exitCode }
            return
        }
        let plan = CohortPlan(try options())
        let total = plan.entries.count
        let progress = ProgressLine(total: total, enabled: !verbosity.quiet)
        let truth = try await CohortWriter.write(plan, to: outputDirectory) { progress.advance($0) }
        progress.finish()
        if let predictions {
            let files = truth.cases.keys.map { "\(outputDirectory)/\($0)" }.filter { $0.hasSuffix(".npz") && FileManager.default.fileExists(atPath: $0) }
            try SyntheticPrediction.writePredictions(forCases: files, to: predictions, seed: predictionSeed ?? seed, severity: predictionError)
        }
        if printing.json {
            try JSONOutput.print(truth, result: "phantoms")
        } else if verbosity.quiet {
            print("wrote \(truth.cases.count) cases to \(outputDirectory)")
        } else {
            print(CohortTable.render(truth, directory: outputDirectory), terminator: "")
        }
    }

    private func options() throws -> CohortPlan.Options {
        let names = institutions.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        for name in names where name.isEmpty || name.contains("/") || name.hasPrefix(".") {
            throw ValidationError("institution names must be non-empty folder names; got '\(name)'")
        }
        guard Set(names).count == names.count else { throw ValidationError("--institutions lists a name twice") }
        return CohortPlan.Options(cleanCases: cases, defects: defects.defects, institutions: names, size: size.size, seed: seed,
                                  firstCaseNumber: firstCase)
    }
}

extension PhantomSize.Preset: ExpressibleByArgument {}

/// `--defects`: `all`, `none`, or defect names separated by commas; --help lists them.
struct DefectList: ExpressibleByArgument {
    let defects: [PlantedDefect]

    init(defects: [PlantedDefect]) { self.defects = defects }

    init?(argument: String) {
        guard let defects = try? PlantedDefect.list(named: argument) else { return nil }
        self.defects = defects
    }

    static var allValueStrings: [String] { ["all", "none"] + PlantedDefect.allCases.map(\.rawValue) }
    var defaultValueDescription: String { defects.isEmpty ? "none" : defects.map(\.rawValue).joined(separator: ",") }
}

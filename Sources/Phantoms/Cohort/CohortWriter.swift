import Support
import Foundation
import NumpyFormat

/// Generates a planned cohort into a folder: the case files (two at a time), then
/// `institutions.csv` when there are institutions, then `truth.json` last, so a folder with a
/// truth file is complete. Every file is written atomically.
public enum CohortWriter {
    public static let truthFileName = "truth.json"
    public static let institutionsFileName = "institutions.csv"

    /// Writes `plan` under `directory` (created when missing; refused when it already holds files,
    /// so an old cohort never mixes with a new one). `progress` is called after each file.
    @discardableResult
    public static func write(_ plan: CohortPlan, to directory: String,
                             progress: @Sendable (String) -> Void = { _ in }) async throws -> CohortTruth {
        let options = plan.options
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw PhantomError.outputNotEmpty(directory: directory, entries: existing.count)
        }
        for folder in Set(plan.entries.map { ($0.fileName as NSString).deletingLastPathComponent }) {
            try manager.createDirectory(atPath: path(directory, folder), withIntermediateDirectories: true)
        }
        // Originals before their copies: a copy starts only once its original is on disk.
        let originals = plan.entries.filter { $0.copyOf == nil }
        try await withThrowingTaskGroup(of: String.self) { group in
            var next = 0
            func startNext() {
                guard next < originals.count else { return }
                let entry = originals[next]
                next += 1
                group.addTask {
                    try PhantomCase.generate(entry.recipe, size: options.size).write(to: path(directory, entry.fileName))
                    return entry.fileName
                }
            }
            startNext()
            startNext()
            while let finished = try await group.next() {
                progress(finished)
                startNext()
            }
        }
        for entry in plan.entries {
            guard let original = entry.copyOf else { continue }
            guard let bytes = manager.contents(atPath: path(directory, original)) else {
                throw PhantomError.copyFailed(from: original, to: entry.fileName)
            }
            try AtomicFile.write([UInt8](bytes), to: path(directory, entry.fileName))
            progress(entry.fileName)
        }

        let truth = CohortTruth(
            generator: .init(tool: "dosecurate phantoms", seed: options.seed, size: options.size.name, cleanCases: options.cleanCases,
                             defects: options.defects.map(\.rawValue), institutions: options.institutions,
                             firstCaseNumber: options.firstCaseNumber),
            cases: Dictionary(uniqueKeysWithValues: plan.entries.map { entry in
                let recipe = entry.recipe
                return (entry.fileName, CohortTruth.Case(
                    caseId: recipe.caseId, institution: recipe.institution, planType: recipe.planType.rawValue,
                    formatVersion: recipe.formatVersion.rawValue, defects: recipe.defect.map { [$0.rawValue] } ?? [],
                    expect: recipe.defect?.expectedChecks ?? []))
            }))
        if !options.institutions.isEmpty {
            var seen = Set<String>()
            var csv = "caseId,institution\n"
            for entry in plan.entries {
                guard let institution = entry.recipe.institution, seen.insert(entry.recipe.caseId).inserted else { continue }
                csv += "\(entry.recipe.caseId),\(institution)\n"
            }
            try AtomicFile.write(Array(csv.utf8), to: path(directory, institutionsFileName))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(truth)) + [0x0A], to: path(directory, truthFileName))
        return truth
    }

    static func path(_ directory: String, _ relative: String) -> String {
        relative.isEmpty ? directory : (directory as NSString).appendingPathComponent(relative)
    }
}

public enum PhantomError: Error, CustomStringConvertible {
    case outputNotEmpty(directory: String, entries: Int)
    case copyFailed(from: String, to: String)
    case unknownDefect(name: String, known: [String])

    public var description: String {
        switch self {
        case let .outputNotEmpty(directory, entries):
            "\(directory) already holds \(entries) entr\(entries == 1 ? "y" : "ies"); phantoms writes only into a new or empty folder"
        case let .copyFailed(from, to): "could not read \(from) to copy it to \(to)"
        case let .unknownDefect(name, known): "unknown defect '\(name)'; known: all, none, \(known.joined(separator: ", "))"
        }
    }
}

extension PhantomError: CodedError {
    public var code: String {
        switch self {
        case .outputNotEmpty: "phantom.output_not_empty"
        case .copyFailed: "phantom.copy_failed"
        case .unknownDefect: "phantom.unknown_defect"
        }
    }
}

import Foundation
import Audit
import Phantoms

/// One phantom cohort shared by every test target (they run in one process), generated once per
/// test run into a
/// temporary folder: a clean case of each version × plan type plus one of every planted defect,
/// over two institutions (what the acceptance command writes, with fewer clean cases).
public enum CohortFixture {
    public static let options = CohortPlan.Options(cleanCases: CohortPlan.cleanKinds.count, defects: PlantedDefect.allCases,
                                            institutions: ["A", "B"], size: .small, seed: 7)
    public static let plan = CohortPlan(options)

    public static let directory: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("dosecurate-phantoms-\(ProcessInfo.processInfo.processIdentifier)")

    private static let written = Task { () throws -> CohortTruth in
        try? FileManager.default.removeItem(at: directory)
        return try await CohortWriter.write(plan, to: directory.path)
    }

    public static func truth() async throws -> CohortTruth { try await written.value }

    public static func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    public static func entry(for defect: PlantedDefect) throws -> CohortPlan.Entry {
        guard let entry = plan.entries.first(where: { $0.recipe.defect == defect }) else {
            throw PhantomError.unknownDefect(name: defect.rawValue, known: plan.entries.compactMap { $0.recipe.defect?.rawValue })
        }
        return entry
    }

    /// The files `defect` produced (two for the duplicates).
    public static func files(for defect: PlantedDefect) -> [String] {
        plan.entries.filter { $0.recipe.defect == defect }.map(\.fileName)
    }

    public static var cleanEntries: [CohortPlan.Entry] { plan.entries.filter { $0.recipe.defect == nil } }
}

/// The shared cohort audited once (cold, no cache) for every test that needs the report.
public enum AuditedCohort {
    private static let audited = Task { () throws -> AuditReport in
        _ = try await CohortFixture.truth()
        return try await Auditor.run(paths: [CohortFixture.directory.path], options: AuditOptions(cacheDirectory: nil))
    }

    public static func report() async throws -> AuditReport { try await audited.value }

    /// The audit of one file of the cohort.
    public static func audit(of file: String) async throws -> CaseAudit? {
        let path = CohortFixture.path(file)
        return try await report().cases.first { $0.file == path }
    }
}

import Foundation
import Audit
import Phantoms

/// A seeded phantom cohort written once per test run into a temporary folder, and audited once
/// (cold, no cache) for every test that needs the report.
public final class SeededCohort: Sendable {
    public let options: CohortPlan.Options
    public let plan: CohortPlan
    public let directory: URL
    private let written: Task<CohortTruth, Error>
    private let audited: Task<AuditReport, Error>

    init(options: CohortPlan.Options, folder: String) {
        self.options = options
        let plan = CohortPlan(options)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(folder)-\(ProcessInfo.processInfo.processIdentifier)")
        self.plan = plan
        self.directory = directory
        let written = Task { () throws -> CohortTruth in
            try? FileManager.default.removeItem(at: directory)
            return try await CohortWriter.write(plan, to: directory.path)
        }
        self.written = written
        audited = Task {
            _ = try await written.value
            return try await Auditor.run(paths: [directory.path], options: AuditOptions(cacheDirectory: nil))
        }
    }

    public func truth() async throws -> CohortTruth { try await written.value }
    public func report() async throws -> AuditReport { try await audited.value }
    public func path(_ file: String) -> String { directory.appendingPathComponent(file).path }
    public func holds(_ file: String) -> Bool { plan.entries.contains { $0.fileName == file } }
}

/// The phantom cohorts shared by every test target (they run in one process).
///
/// The reference cohort is the demo's and the committed reference records' (`scripts/reference-cohort.args`):
/// a clean case of each version × plan type plus one of every reference defect, over two
/// institutions. The defects added after it (anatomy and geometry) live in a second cohort, numbered
/// from 100 so no file name is in both, so that adding a defect class never changes the reference
/// records. The lookups below answer for either cohort.
public enum CohortFixture {
    public static let options = CohortPlan.Options(cleanCases: CohortPlan.cleanKinds.count, defects: PlantedDefect.referenceCohort,
                                                   institutions: ["A", "B"], size: .small, seed: 7)
    public static let reference = SeededCohort(options: options, folder: "dosecurate-phantoms")
    /// Every defect outside the reference cohort, and no clean case.
    public static let later = SeededCohort(
        options: CohortPlan.Options(cleanCases: 0, defects: PlantedDefect.allCases.filter { !PlantedDefect.referenceCohort.contains($0) },
                                    institutions: ["A", "B"], size: .small, seed: 7, firstCaseNumber: 100),
        folder: "dosecurate-phantoms-later")

    public static var plan: CohortPlan { reference.plan }
    public static var directory: URL { reference.directory }

    public static func truth() async throws -> CohortTruth { try await reference.truth() }

    /// The cohort a file (as a plan names it) belongs to; the reference cohort for anything else
    /// (`truth.json`, `institutions.csv`).
    public static func cohort(of file: String) -> SeededCohort { later.holds(file) ? later : reference }

    public static func path(_ file: String) -> String { cohort(of: file).path(file) }

    public static func entry(for defect: PlantedDefect) throws -> CohortPlan.Entry {
        let entries = reference.plan.entries + later.plan.entries
        guard let entry = entries.first(where: { $0.recipe.defect == defect }) else {
            throw PhantomError.unknownDefect(name: defect.rawValue, known: entries.compactMap { $0.recipe.defect?.rawValue })
        }
        return entry
    }

    /// The files `defect` produced (two for the duplicates).
    public static func files(for defect: PlantedDefect) -> [String] {
        (reference.plan.entries + later.plan.entries).filter { $0.recipe.defect == defect }.map(\.fileName)
    }

    public static var cleanEntries: [CohortPlan.Entry] { plan.entries.filter { $0.recipe.defect == nil } }

    /// Copies the first `count` clean cases (all with nil) into `folder`, keeping their
    /// institution subfolders: a delivery a test can freeze or change.
    public static func copyCleanCases(_ count: Int? = nil, to folder: URL) throws {
        for entry in count.map({ Array(cleanEntries.prefix($0)) }) ?? cleanEntries {
            let target = folder.appendingPathComponent(entry.fileName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path(entry.fileName), toPath: target.path)
        }
    }
}

/// The reference cohort's audit, and the audit of any file of either cohort.
public enum AuditedCohort {
    public static func report() async throws -> AuditReport { try await CohortFixture.reference.report() }

    /// The audit of one file of either cohort.
    public static func audit(of file: String) async throws -> CaseAudit? {
        let cohort = CohortFixture.cohort(of: file)
        let path = cohort.path(file)
        return try await cohort.report().cases.first { $0.file == path }
    }
}

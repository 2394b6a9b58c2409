import Audit
import DoseCase
import Foundation

/// The pictures behind audit findings: for each finding that can be seen, a figure drawn from the
/// case's facts as the audit gathered them (the audit's own reading pass, `CaseFacts.read`) and
/// through the functions the check itself computes with, so the picture and the finding's message
/// always agree. docs/evidence.md says what each check's figure shows and how to read it.
public enum AuditEvidence {
    private static var drawers: [CheckEvidence] {
        [
            CheckEvidence(check: PTVD95Evidence.check, drawing: PTVD95Evidence.drawing),
            CheckEvidence(check: FemurLateralityEvidence.check, drawing: FemurLateralityEvidence.drawing),
            CheckEvidence(check: DoseRegistrationEvidence.check, drawing: DoseRegistrationEvidence.drawing),
            CheckEvidence(check: TruncationEvidence.check, drawing: TruncationEvidence.drawing),
            CheckEvidence(check: PlanTypeEvidence.check, drawing: PlanTypeEvidence.drawing),
            CheckEvidence(check: CTRangeEvidence.check, drawing: CTRangeEvidence.drawing),
            CheckEvidence(check: DoseRangeEvidence.check, drawing: DoseRangeEvidence.drawing),
            CheckEvidence(check: DoseNormalizationEvidence.check, drawing: DoseNormalizationEvidence.drawing),
            CheckEvidence(check: SDFConsistencyEvidence.check, signedDistancesNeeded: SDFConsistencyEvidence.signedDistancesNeeded,
                          drawing: SDFConsistencyEvidence.drawing),
        ]
    }

    private static func drawer(for check: String) -> CheckEvidence? { drawers.first { $0.check == check } }

    /// The check ids whose findings get a figure. A finding of one of these may still go without
    /// one when the facts its picture needs are missing (no dose, no such structure, or an
    /// `sdf.consistency` finding about an absent structure's constant).
    public static let checksWithEvidence: Set<String> = Set(drawers.map(\.check))

    /// The evidence figures of one audited case, in the order of its findings. The case is read
    /// once (from `location`, by default where the audit found it), and only when it has a finding
    /// of a check in `checksWithEvidence`. `policy` is the one the audit ran with
    /// (`AuditReport.policy`); nil means the defaults.
    ///
    /// Throws `EvidenceError` when the case cannot be read again or its bytes are no longer the
    /// audited ones (pictures of other bytes would not show the findings).
    public static func figures(for audit: CaseAudit, at location: CaseLocation? = nil,
                               policy: EffectivePolicy? = nil) throws(EvidenceError) -> [EvidenceFigure] {
        let wanted = audit.findings.enumerated().compactMap { index, finding in
            drawer(for: finding.check).map { (index, finding, $0) }
        }
        guard !wanted.isEmpty else { return [] }
        let location = location ?? CaseLocation.parse(audit.file)
        let readable = FileReadableCheck().definition
        let budget = FileReadableCheck.caseBudgetBytes(policy?.thresholds(for: readable) ?? CheckThresholds(readable.thresholds))
        let keep = wanted.reduce(into: Set<String>()) { $0.formUnion($1.2.signedDistancesNeeded($1.1)) }
        let facts = CaseFacts.read(location, budgetBytes: budget, keepingSignedDistancesOf: keep)
        if let failure = facts.readFailure { throw EvidenceError.unreadableCase(file: location.name, reason: failure) }
        if let audited = audit.caseHash, facts.identity?.caseHash != audited {
            throw EvidenceError.caseChanged(file: location.name, auditedHash: audited, foundHash: facts.identity?.caseHash)
        }
        guard let grid = facts.grid else { return [] }
        let context = EvidenceContext(facts: facts, grid: grid, policy: policy)
        let caseId = audit.caseId ?? facts.caseId
        var names = Set<String>()
        var figures: [EvidenceFigure] = []
        for (index, finding, drawer) in wanted {
            let drawn: EvidenceDrawing?
            do {
                drawn = try drawer.drawing(finding, context)
            } catch {
                throw EvidenceError.drawingFailed(file: location.name, check: finding.check, reason: .cause(error))
            }
            guard let drawing = drawn else { continue }
            let name = uniqueName(caseId: caseId, finding: finding, taken: &names)
            figures.append(EvidenceFigure(findingIndex: index, finding: finding, figure: drawing.reportFigure(name: name)))
        }
        return figures
    }

    /// The evidence of many cases, `workers` at a time (each reads one case), by case file
    /// (`CaseAudit.file`); a case that could not be drawn has its error instead. `locate` turns a
    /// file as the report names it into where to read it (a workspace's audit names files
    /// relative to the workspace).
    public static func figures(for audits: [CaseAudit], locate: @escaping @Sendable (String) -> CaseLocation = { CaseLocation.parse($0) },
                               policy: EffectivePolicy? = nil,
                               workers: Int = ProcessInfo.processInfo.activeProcessorCount) async -> [String: Result<[EvidenceFigure], EvidenceError>] {
        let pending = audits.filter { audit in audit.findings.contains { checksWithEvidence.contains($0.check) } }
        return await withTaskGroup(of: (String, Result<[EvidenceFigure], EvidenceError>).self) { group in
            var results: [String: Result<[EvidenceFigure], EvidenceError>] = [:]
            var next = 0
            func start() {
                guard next < pending.count else { return }
                let audit = pending[next]
                next += 1
                group.addTask { (audit.file, draw(audit, at: locate(audit.file), policy: policy)) }
            }
            for _ in 0..<max(1, workers) { start() }
            while let (file, result) = await group.next() {
                results[file] = result
                start()
            }
            return results
        }
    }

    private static func draw(_ audit: CaseAudit, at location: CaseLocation, policy: EffectivePolicy?) -> Result<[EvidenceFigure], EvidenceError> {
        do {
            return .success(try figures(for: audit, at: location, policy: policy))
        } catch {
            return .failure(error)
        }
    }

    /// `evidence-<caseId>-<check with dashes>[-<structure>]`, numbered from 2 when a check has
    /// several findings about the same thing.
    private static func uniqueName(caseId: String, finding: AuditFinding, taken: inout Set<String>) -> String {
        let check = String(finding.check.map { $0 == "." || $0 == "_" ? "-" : $0 })
        let base = "evidence-\(caseId)-\(check)" + (finding.text("structure").map { "-\($0)" } ?? "")
        var name = base, number = 2
        while taken.contains(name) {
            name = "\(base)-\(number)"
            number += 1
        }
        taken.insert(name)
        return name
    }
}

import Lineage

/// What `split show` prints: the split's inputs, strata × roles, poolings, the test set's plan type
/// × institution coverage, and warnings for what the test set lacks.
public enum SplitText {
    public static func render(_ split: SplitRevision, dataset: DatasetRevision) -> String {
        let identity = split.identity
        var header = "\(split.reference)  (\(identity.dataset); seed \(identity.seed); ratios \(identity.ratios.text); strata \(identity.strata.keys.joined(separator: ","))"
        if let boundaries = identity.strata.ptv70TertileBoundariesCC, boundaries.count == 2 {
            header += "; PTV70 tertiles ≤ \(boundaries[0]) cc, ≤ \(boundaries[1]) cc"
        }
        if let folds = identity.folds { header += "; \(folds) folds" }
        if let parent = identity.parent { header += "; extends \(split.name)@\(parent.revision)" }
        var lines = [header + ")"]
        let strata = strataTable(split)
        lines += TextTable.lines(header: strata.header.map { $0.uppercased() }, rows: strata.rows, rightAligned: 1)
        for pooling in identity.strata.pooled {
            lines.append("pooled: \(pooling.stratum) (\(pooling.units) unit\(pooling.units == 1 ? "" : "s")) into \(pooling.into): too small to split alone")
        }
        let groups = Set(identity.cases.compactMap(\.group))
        if !groups.isEmpty {
            lines.append("kept together (one patient): \(groups.sorted().joined(separator: ", "))")
        }

        let (test, planTypes, institutions) = testSet(split, dataset: dataset)
        lines.append("test set by plan type × institution:")
        let coverage = testCoverageTable(split, dataset: dataset)
        lines += TextTable.lines(header: coverage.header.map { $0.uppercased() }, rows: coverage.rows, rightAligned: 1)
        let warnings = Self.warnings(test: test, planTypes: planTypes, institutions: institutions)
        if !warnings.isEmpty {
            lines.append("warnings:")
            lines += warnings.map { "  \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Cases per stratum and role, with a total row.
    static func strataTable(_ split: SplitRevision) -> (header: [String], rows: [[String]]) {
        let summary = split.identity.summary
        let totals = LockedSplit.Role.allCases.map { role in summary.reduce(0) { $0 + $1.count(role) } }
        return (["stratum", "train", "val", "test"],
                summary.map { [$0.stratum, String($0.train), String($0.val), String($0.test)] } + [["total"] + totals.map(String.init)])
    }

    /// The test set's cases by plan type (rows) × institution (columns).
    static func testCoverageTable(_ split: SplitRevision, dataset: DatasetRevision) -> (header: [String], rows: [[String]]) {
        let (test, planTypes, institutions) = testSet(split, dataset: dataset)
        return (["plan type"] + institutions, planTypes.map { planType in
            [planType] + institutions.map { institution in String(test.count { ($0.planType ?? "unknown") == planType && $0.institution == institution }) }
        })
    }

    private static func testSet(_ split: SplitRevision, dataset: DatasetRevision) -> (test: [DatasetVersion.Case], planTypes: [String], institutions: [String]) {
        let byId = Dictionary(dataset.identity.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        let test = split.identity.cases.filter { $0.role == .test }.compactMap { byId[$0.caseId] }
        return (test, Set(dataset.identity.cases.map { $0.planType ?? "unknown" }).sorted(), Set(dataset.identity.cases.map(\.institution)).sorted())
    }

    /// What a physicist would want to know the test set lacks.
    public static func warnings(test: [DatasetVersion.Case], planTypes: [String], institutions: [String]) -> [String] {
        guard !test.isEmpty else { return ["the test set is empty"] }
        let testPlanTypes = Set(test.map { $0.planType ?? "unknown" }), testInstitutions = Set(test.map(\.institution))
        return planTypes.filter { !testPlanTypes.contains($0) }.map { "test set contains no \($0) case" }
            + institutions.filter { !testInstitutions.contains($0) }.map { "test set contains no case from institution \($0)" }
    }
}

import Dosimetry

/// Two methods compared on the same cases (spec, dosimetry.md "Statistics across runs"): each side
/// is one method's evaluation records, one per seed. Per case, a side's seeds are averaged first,
/// so n is the number of cases common to both sides, never seeds × cases. Per metric: mean, sample
/// standard deviation and 95 % percentile bootstrap interval of each side and of the paired
/// difference B − A (the same resamples for all three); the paired two-sided Wilcoxon signed-rank
/// test on the per-case means; paired Cohen's d; Holm–Bonferroni over the metrics compared.
///
/// Everything here is what a comparison asserts — a `ComparisonRecord`'s identity: the compared
/// evaluations by hash, never by file (where each was read from, and its label, are the record's
/// context). Each side's records are taken in hash order, so the order they were named in changes
/// neither a number nor the hash.
public struct EvaluationComparison: Sendable, Equatable, Codable {
    public static let schemaName = "dosecurate/comparison/1"

    /// One evaluation record as given on the command line.
    public struct Input: Sendable {
        public let file: String
        public let record: EvaluationRecord
        /// What the reader calls it: the evaluation's label, else its run's (`--label` of train or run).
        public let label: String?

        public init(file: String, record: EvaluationRecord, label: String? = nil) {
            self.file = file
            self.record = record
            self.label = label ?? record.context.label
        }
    }

    /// One compared evaluation, as the identity names it.
    public struct RecordReference: Sendable, Equatable, Codable {
        public let hash: String
        public let cases: Int
        /// The run and weights behind its predictions (nil for a version 2 record).
        public let model: EvaluationModel?

        init(_ input: Input) {
            (hash, cases, model) = (input.record.hash, input.record.identity.cases.count, input.record.identity.model)
        }
    }

    /// How the evaluations were made (taken from the first record; `mismatches` lists differences).
    public struct Provenance: Sendable, Equatable, Codable {
        public let datasetVersion: String?
        public let split: EvaluationSettings.SplitPin?
        public let protocolName: String
        public let protocolHash: String
        public let gamma: String
    }

    public struct Statistics: Sendable, Equatable, Codable {
        public let mean: Double?
        public let std: Double?
        public let ci95: PercentileBootstrap.Interval?

        init(_ values: [Double], bootstrap: PercentileBootstrap) {
            let summary = EvaluationAggregate.Summary(values)
            mean = summary.mean
            std = summary.std
            ci95 = bootstrap.meanInterval(of: values)
        }
    }

    public struct MetricComparison: Sendable, Equatable, Codable {
        public let metric: ComparisonMetric
        /// Common cases with the metric on both sides.
        public let n: Int
        public let a: Statistics
        public let b: Statistics
        /// B − A, per case.
        public let difference: Statistics
        public let wilcoxon: WilcoxonSignedRank?
        public let cohensD: Double?
        /// Holm–Bonferroni over this comparison's metrics; nil when there is no p-value.
        public let holm: HolmBonferroni.Decision?
        /// Common cases left out of this metric because a side lacks it (e.g. no PTV region).
        public let casesWithoutValue: [String]
        /// Per case (sorted by case id): the side means, for readers who re-analyse.
        public let perCase: [String: [Double]]
    }

    public let schema: String
    public let a: [RecordReference]
    public let b: [RecordReference]
    public let provenance: Provenance
    public let commonCases: [String]
    public let onlyInA: [String]
    public let onlyInB: [String]
    /// Cases missing from some of a side's records ("A"/"B" → case ids): their means use fewer seeds.
    public let casesMissingFromSomeRecords: [String: [String]]
    public let bootstrap: PercentileBootstrap
    public let alpha: Double
    public let test: String
    /// Non-empty only with `allowMismatch`: the comparison was made despite these.
    public let mismatches: [ComparisonMismatch]
    public let metrics: [MetricComparison]

    public init(a unorderedA: [Input], b unorderedB: [Input], metrics: [ComparisonMetric] = ComparisonMetric.defaults,
                bootstrap: PercentileBootstrap, alpha: Double = 0.05, allowMismatch: Bool = false) throws {
        // Seed means are sums: one fixed order gives the same bits whatever order the records were named in.
        let a = Self.inHashOrder(unorderedA), b = Self.inHashOrder(unorderedB)
        guard !a.isEmpty else { throw ComparisonError.emptySide(side: "A") }
        guard !b.isEmpty else { throw ComparisonError.emptySide(side: "B") }
        let labelled = a.map { ("A", $0) } + b.map { ("B", $0) }
        for (hash, inputs) in Dictionary(grouping: labelled, by: { $0.1.record.hash }) where inputs.count > 1 {
            throw ComparisonError.recordGivenTwice(hash: hash, files: inputs.map { "\($0.0): \($0.1.file)" })
        }
        let mismatches = Self.mismatches(labelled)
        guard mismatches.isEmpty || allowMismatch else { throw ComparisonError.mismatched(mismatches) }

        let casesA = Self.casesById(a), casesB = Self.casesById(b)
        let common = Set(casesA.keys).intersection(casesB.keys).sorted()
        guard !common.isEmpty else { throw ComparisonError.noCommonCases(onlyA: casesA.keys.sorted(), onlyB: casesB.keys.sorted()) }

        var compared = metrics.map { Self.compare($0, cases: common, a: casesA, b: casesB, bootstrap: bootstrap) }
        let tested = compared.indices.filter { compared[$0].wilcoxon?.pValue != nil }
        let decisions = HolmBonferroni.decisions(for: tested.compactMap { compared[$0].wilcoxon?.pValue }, alpha: alpha)
        for (index, decision) in zip(tested, decisions) { compared[index] = compared[index].with(holm: decision) }

        let first = a[0].record.identity.settings
        schema = Self.schemaName
        self.a = a.map(RecordReference.init)
        self.b = b.map(RecordReference.init)
        provenance = Provenance(datasetVersion: first.datasetVersion, split: first.split, protocolName: first.acceptanceProtocol.definition.name,
                                protocolHash: first.acceptanceProtocol.hash, gamma: Self.gammaText(first))
        commonCases = common
        onlyInA = Set(casesA.keys).subtracting(casesB.keys).sorted()
        onlyInB = Set(casesB.keys).subtracting(casesA.keys).sorted()
        var partial: [String: [String]] = [:]
        for (side, inputs, cases) in [("A", a, casesA), ("B", b, casesB)] {
            let short = cases.filter { $0.value.count < inputs.count }.keys.sorted()
            if !short.isEmpty { partial[side] = short }
        }
        casesMissingFromSomeRecords = partial
        self.bootstrap = bootstrap
        self.alpha = alpha
        test = "Wilcoxon signed-rank on per-case means, paired, two-sided (scipy.stats.wilcoxon defaults, SciPy 1.17)"
        self.mismatches = mismatches
        self.metrics = compared
    }

    /// A side's records in the order the identity lists them.
    public static func inHashOrder(_ inputs: [Input]) -> [Input] { inputs.sorted { $0.record.hash < $1.record.hash } }

    /// Each case id's evaluations over a side's records (one per seed).
    private static func casesById(_ inputs: [Input]) -> [String: [CaseEvaluation]] {
        Dictionary(grouping: inputs.flatMap(\.record.identity.cases), by: \.caseId)
    }

    private static func compare(_ metric: ComparisonMetric, cases: [String], a: [String: [CaseEvaluation]], b: [String: [CaseEvaluation]],
                                bootstrap: PercentileBootstrap) -> MetricComparison {
        func seedMean(_ evaluations: [CaseEvaluation]?) -> Double? {
            let values = (evaluations ?? []).compactMap { metric.value(of: $0) }
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        var valuesA: [Double] = [], valuesB: [Double] = [], perCase: [String: [Double]] = [:], without: [String] = []
        for caseId in cases {
            guard let meanA = seedMean(a[caseId]), let meanB = seedMean(b[caseId]) else {
                without.append(caseId)
                continue
            }
            valuesA.append(meanA)
            valuesB.append(meanB)
            perCase[caseId] = [meanA, meanB]
        }
        let differences = zip(valuesB, valuesA).map { $0 - $1 }
        return MetricComparison(metric: metric, n: differences.count, a: Statistics(valuesA, bootstrap: bootstrap),
                                b: Statistics(valuesB, bootstrap: bootstrap), difference: Statistics(differences, bootstrap: bootstrap),
                                wilcoxon: differences.isEmpty ? nil : WilcoxonSignedRank(differences: differences),
                                cohensD: PairedEffectSize.cohensD(differences: differences), holm: nil, casesWithoutValue: without,
                                perCase: perCase)
    }

    /// What must agree between every compared record, and the case data behind each case id.
    private static func mismatches(_ labelled: [(String, Input)]) -> [ComparisonMismatch] {
        func label(_ side: String, _ input: Input) -> String { "\(side) \(input.record.hash.prefix(8))" }
        let aspects: [(String, (EvaluationSettings) -> String)] = [
            ("dataset version", { $0.datasetVersion ?? "none (unpinned)" }),
            ("split", { $0.split.map { "\($0.name)@\($0.revision) \($0.role) (\($0.hash.prefix(12)))" } ?? "none" }),
            ("protocol", { "\($0.acceptanceProtocol.definition.name) (\($0.acceptanceProtocol.hash.prefix(12)))" }),
            ("gamma settings", gammaText),
            ("dose scale", { "\($0.doseScaleGy) Gy" }),
        ]
        var found: [ComparisonMismatch] = []
        for (aspect, value) in aspects {
            let groups = Dictionary(grouping: labelled, by: { value($0.1.record.identity.settings) })
            if groups.count > 1 { found.append(ComparisonMismatch(aspect: aspect, values: groups.mapValues { $0.map(label) })) }
        }
        var hashesByCase: [String: [String: [String]]] = [:]
        for (side, input) in labelled {
            for evaluation in input.record.identity.cases {
                hashesByCase[evaluation.caseId, default: [:]][String(evaluation.caseHash.prefix(12)), default: []].append(label(side, input))
            }
        }
        for caseId in hashesByCase.keys.sorted() where hashesByCase[caseId, default: [:]].count > 1 {
            found.append(ComparisonMismatch(aspect: "case \(caseId) data", values: hashesByCase[caseId, default: [:]]))
        }
        return found
    }

    private static func gammaText(_ settings: EvaluationSettings) -> String {
        let gamma = settings.gamma
        return "\(gamma.criteria.summary), subsample \(gamma.subsample), PTV region \(settings.region.margin.rawValue)"
    }
}

extension EvaluationComparison.MetricComparison {
    func with(holm decision: HolmBonferroni.Decision) -> Self {
        .init(metric: metric, n: n, a: a, b: b, difference: difference, wilcoxon: wilcoxon, cohensD: cohensD, holm: decision,
              casesWithoutValue: casesWithoutValue, perCase: perCase)
    }
}

import Support
import Dosimetry
@testable import Evaluation
import Lineage
import XCTest

/// `compare`'s bookkeeping on records with chosen numbers: seeds averaged per case first, common
/// cases only, refusals, Holm over the metrics, the bootstrap seed used and recorded.
final class EvaluationComparisonTests: XCTestCase {
    private typealias Input = EvaluationComparison.Input

    /// One seed's record: case i has MAE base + i/10 + seed offset, pass rate 90 + i.
    private func seed(_ offset: Double, cases: ClosedRange<Int> = 1...6, base: Double, settings: EvaluationSettings? = nil,
                      caseHash: String = String(repeating: "a", count: 64)) throws -> Input {
        let evaluations = try cases.map {
            try SyntheticEvaluations.evaluation("c\($0)", mae: base + Double($0) / 10 + offset, passRate: Double(90 + $0),
                                                d95Error: Double($0) - 3, caseHash: caseHash)
        }
        let record = try SyntheticEvaluations.record(evaluations, settings: settings, createdAt: "seed \(offset)")
        return Input(file: "seed-\(offset).json", record: record)
    }

    func testSeedsAreAveragedPerCaseBeforeTheTest() throws {
        let a = [try seed(0, base: 1), try seed(0.2, base: 1)]
        let b = [try seed(0.05, base: 1.5), try seed(-0.35, base: 1.5), try seed(0.6, base: 1.5)]
        let comparison = try EvaluationComparison(a: a, b: b, metrics: [.mae], bootstrap: PercentileBootstrap(resamples: 1000, seed: 9))
        let mae = try XCTUnwrap(comparison.metrics.first)
        XCTAssertEqual(mae.n, 6, "n counts cases, not seeds × cases")
        let expectedA = (1...6).map { 1 + Double($0) / 10 + 0.1 }, expectedB = (1...6).map { 1.5 + Double($0) / 10 + 0.1 }
        for (index, caseId) in (1...6).map({ "c\($0)" }).enumerated() {
            let means = try XCTUnwrap(mae.perCase[caseId])
            XCTAssertEqual(means[0], expectedA[index], accuracy: 1e-12)
            XCTAssertEqual(means[1], expectedB[index], accuracy: 1e-12)
        }
        // Every case's difference is +0.5 (tied, so SciPy's permutation branch): p = 2/2⁶.
        XCTAssertEqual(try XCTUnwrap(mae.difference.mean), 0.5, accuracy: 1e-12)
        XCTAssertEqual(mae.wilcoxon?.method, .permutation)
        XCTAssertEqual(try XCTUnwrap(mae.wilcoxon?.pValue), 0.03125, accuracy: 1e-15)
        // The recorded seed reproduces the interval from the per-case means.
        let sideA = (1...6).compactMap { mae.perCase["c\($0)"]?[0] }
        XCTAssertEqual(mae.a.ci95, PercentileBootstrap(resamples: 1000, seed: 9).meanInterval(of: sideA))
        XCTAssertEqual(comparison.bootstrap.seed, 9)
        XCTAssertEqual(comparison.casesMissingFromSomeRecords, [:])
    }

    func testOnlyCommonCasesAreComparedAndTheOthersListed() throws {
        let a = [try seed(0, cases: 1...7, base: 1)], b = [try seed(0, cases: 2...8, base: 2)]
        let comparison = try EvaluationComparison(a: a, b: b, bootstrap: PercentileBootstrap(resamples: 100, seed: 0))
        XCTAssertEqual(comparison.commonCases, ["c2", "c3", "c4", "c5", "c6", "c7"])
        XCTAssertEqual(comparison.onlyInA, ["c1"])
        XCTAssertEqual(comparison.onlyInB, ["c8"])
        XCTAssertEqual(comparison.metrics.map(\.metric.name), ["mae", "gamma-global", "gamma-ptv", "compliance", "ptv70-d95-error"])
        // No case has a PTV region here: that metric has no value and no test, and Holm counts the other four.
        let region = try XCTUnwrap(comparison.metrics.first { $0.metric == .gammaPTVRegion })
        XCTAssertEqual(region.n, 0)
        XCTAssertEqual(region.casesWithoutValue.count, 6)
        XCTAssertNil(region.holm)

        let disjoint = [try seed(0, cases: 10...12, base: 1)]
        XCTAssertThrowsError(try EvaluationComparison(a: a, b: disjoint, bootstrap: PercentileBootstrap(seed: 0))) { error in
            XCTAssertEqual((error as? ComparisonError)?.code, "comparison.no_common_cases", "\(error)")
        }
    }

    /// Holm's step-down over the metrics of one invocation, with its monotone adjusted p.
    func testHolmIsAppliedOverTheTestedMetrics() throws {
        let a = [try seed(0, cases: 1...8, base: 1)]
        let b = [try seed(0, cases: 1...8, base: 1.2)]
        let metrics: [ComparisonMetric] = [.mae, .gammaGlobal, .ptv70D95Error, try .parse("dvh-abs-error:PTV70:D95")]
        let comparison = try EvaluationComparison(a: a, b: b, metrics: metrics, bootstrap: PercentileBootstrap(resamples: 100, seed: 0))
        // The pass rates and D95 errors are identical on both sides: p = 1 (SciPy's all-zero
        // permutation branch); MAE is higher on all eight cases: p = 2/2⁸, times 4 after Holm.
        XCTAssertEqual(comparison.metrics.map { $0.wilcoxon?.pValue }, [2.0 / 256, 1, 1, 1])
        XCTAssertEqual(comparison.metrics.map { $0.holm?.adjustedPValue }, [4 * 2.0 / 256, 1, 1, 1])
        XCTAssertEqual(comparison.metrics.map { $0.holm?.rejected }, [true, false, false, false])

        let shifted = [try seed(0, cases: 1...8, base: 1.2)].map { input -> Input in
            let cases = input.record.identity.cases.map { evaluation in
                (try? SyntheticEvaluations.evaluation(evaluation.caseId, mae: evaluation.maeGy ?? 0, passRate: 80,
                                                      d95Error: (evaluation.ptv70D95ErrorGy ?? 0) - 0.5)) ?? evaluation
            }
            return Input(file: "shifted.json", record: (try? SyntheticEvaluations.record(cases)) ?? input.record)
        }
        let three = try EvaluationComparison(a: a, b: shifted, metrics: [.mae, .gammaGlobal, .ptv70D95Error],
                                             bootstrap: PercentileBootstrap(resamples: 100, seed: 0))
        let raw = three.metrics.compactMap { $0.wilcoxon?.pValue }
        XCTAssertEqual(raw.count, 3)
        XCTAssertEqual(three.metrics.compactMap(\.holm), HolmBonferroni.decisions(for: raw, alpha: 0.05))
    }

    func testDifferentlyMadeEvaluationsAreRefusedUnlessAllowed() throws {
        let a = [try seed(0, base: 1)]
        let otherGamma = [try seed(0, base: 1, settings: EvaluationSettings(subsample: 4))]
        XCTAssertThrowsError(try EvaluationComparison(a: a, b: otherGamma, bootstrap: PercentileBootstrap(seed: 0))) { error in
            guard case let ComparisonError.mismatched(mismatches) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(mismatches.map(\.aspect), ["gamma settings"])
            XCTAssertEqual((error as? ComparisonError)?.code, "comparison.mismatched")
            XCTAssertFalse("\(error)".contains("--"), "the library names no command-line flag: \(error)")
        }
        let otherProtocol = [try seed(0, base: 1, settings: EvaluationSettings(subsample: 2, acceptanceProtocol: .builtIn(named: "published-v2.3")))]
        let allowed = try EvaluationComparison(a: a, b: otherProtocol, bootstrap: PercentileBootstrap(resamples: 10, seed: 0), allowMismatch: true)
        XCTAssertEqual(allowed.mismatches.map(\.aspect), ["protocol"])

        let otherData = [try seed(0, base: 1, caseHash: String(repeating: "c", count: 64))]
        XCTAssertThrowsError(try EvaluationComparison(a: a, b: otherData, bootstrap: PercentileBootstrap(seed: 0))) { error in
            guard case let ComparisonError.mismatched(mismatches) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(mismatches.map(\.aspect), (1...6).map { "case c\($0) data" })
        }
    }

    func testARecordCountsOnceOnOneSide() throws {
        let a = try seed(0, base: 1)
        XCTAssertThrowsError(try EvaluationComparison(a: [a], b: [Input(file: "copy.json", record: a.record)], bootstrap: PercentileBootstrap(seed: 0))) {
            XCTAssertEqual(($0 as? ComparisonError)?.code, "comparison.record_given_twice", "\($0)")
            guard case let .recordGivenTwice(_, files)? = $0 as? ComparisonError else { return }
            XCTAssertEqual(files, ["A: seed-0.0.json", "B: copy.json"])
        }
        XCTAssertThrowsError(try ComparisonMetric.parse("dvh-error:Rectum:V100")) {
            XCTAssertEqual(($0 as? ComparisonError)?.code, "comparison.unknown_metric", "\($0)")
            guard case let .unknownMetric(name, _)? = $0 as? ComparisonError else { return }
            XCTAssertEqual(name, "dvh-error:Rectum:V100")
        }
    }
}

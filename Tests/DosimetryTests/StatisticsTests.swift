import Support
import Dosimetry
import Foundation
import XCTest

/// The statistics across runs against SciPy 1.17, NumPy and statsmodels
/// (Fixtures/make_statistics_reference.py writes statistics_reference.json).
final class StatisticsTests: XCTestCase {
    struct Reference: Decodable {
        struct Wilcoxon: Decodable {
            let name: String
            let x: [Double]
            let y: [Double]
            let statistic: Double
            let pvalue: Double
            let method: String
            let n_nonzero: Int
            let r_plus: Double
        }
        struct Bootstrap: Decodable {
            let name: String
            let values: [Double]
            let seed: UInt64
            let resamples: Int
            let first_indices: [UInt64]
            let ci: [Double]
        }
        struct Holm: Decodable {
            let name: String
            let p: [Double]
            let alpha: Double
            let adjusted: [Double]
            let reject: [Bool]
            let naive_reject: [Bool]
        }
        struct CohenD: Decodable {
            let name: String
            let a: [Double]
            let b: [Double]
            let d: Double
        }
        let wilcoxon: [Wilcoxon]
        let bootstrap: [Bootstrap]
        let holm: [Holm]
        let cohen_d: [CohenD]
    }

    static let reference: Result<Reference, any Error> = Result {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("statistics_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// Every branch SciPy's method='auto' takes (exact; permutation with ties or zeros at n ≤ 13;
    /// normal approximation with the tie correction above), same statistic, same p.
    func testWilcoxonEqualsScipy() throws {
        let cases = try Self.reference.get().wilcoxon
        XCTAssertEqual(Set(cases.map(\.method)), ["exact", "permutation", "approx"])
        for item in cases {
            let test = WilcoxonSignedRank(differences: zip(item.x, item.y).map { $0 - $1 })
            let method: WilcoxonSignedRank.Method = switch item.method {
            case "exact": .exact
            case "permutation": .permutation
            default: .normalApproximation
            }
            XCTAssertEqual(test.method, method, item.name)
            XCTAssertEqual(test.pairs - test.zeroDifferences, item.n_nonzero, item.name)
            XCTAssertEqual(test.rankSumPositive, item.r_plus, item.name)
            XCTAssertEqual(test.statistic, item.statistic, item.name)
            let p = try XCTUnwrap(test.pValue, item.name)
            XCTAssertEqual(p, item.pvalue, accuracy: 1e-12 * max(1, item.pvalue), item.name)
        }
    }

    /// Above 13 pairs SciPy's normal approximation of all-zero differences divides by zero (NaN).
    func testWilcoxonOfManyZeroDifferencesHasNoPValue() {
        let test = WilcoxonSignedRank(differences: [Double](repeating: 0, count: 14))
        XCTAssertNil(test.pValue)
        XCTAssertNil(test.method)
        XCTAssertEqual(test.zeroDifferences, 14)
        XCTAssertNil(WilcoxonSignedRank(differences: []).pValue)
    }

    /// Same resampling indices as the NumPy replay of the seeded generator, same interval.
    func testBootstrapEqualsNumpyWithTheSameIndices() throws {
        for item in try Self.reference.get().bootstrap {
            var generator = SeededGenerator(seed: item.seed, stream: 0)
            let indices = (0..<item.first_indices.count).map { _ in generator.nextInt(below: UInt64(item.values.count)) }
            XCTAssertEqual(indices, item.first_indices, item.name)
            let interval = try XCTUnwrap(PercentileBootstrap(resamples: item.resamples, seed: item.seed).meanInterval(of: item.values), item.name)
            // NumPy's mean sums pairwise; a sequential sum differs in the last bit or so.
            XCTAssertEqual(interval.lower, item.ci[0], accuracy: 1e-12, item.name)
            XCTAssertEqual(interval.upper, item.ci[1], accuracy: 1e-12, item.name)
        }
    }

    func testBootstrapDependsOnTheSeed() throws {
        let values = (0..<20).map { Double($0 * $0 % 17) }
        let first = try XCTUnwrap(PercentileBootstrap(resamples: 500, seed: 1).meanInterval(of: values))
        let again = try XCTUnwrap(PercentileBootstrap(resamples: 500, seed: 1).meanInterval(of: values))
        let other = try XCTUnwrap(PercentileBootstrap(resamples: 500, seed: 2).meanInterval(of: values))
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, other)
        XCTAssertNil(PercentileBootstrap(seed: 1).meanInterval(of: []))
    }

    /// The step-down rule and monotone adjusted p of statsmodels' 'holm'; on `step_down_stops` the
    /// old per-test rule rejects a hypothesis that Holm keeps.
    func testHolmEqualsStatsmodelsAndDiffersFromTheNaiveRule() throws {
        let cases = try Self.reference.get().holm
        let stops = try XCTUnwrap(cases.first { $0.name == "step_down_stops" })
        XCTAssertNotEqual(stops.reject, stops.naive_reject)
        for item in cases {
            let decisions = HolmBonferroni.decisions(for: item.p, alpha: item.alpha)
            XCTAssertEqual(decisions.map(\.rejected), item.reject, item.name)
            for (decision, adjusted) in zip(decisions, item.adjusted) {
                XCTAssertEqual(decision.adjustedPValue, adjusted, accuracy: 1e-15, item.name)
            }
        }
    }

    func testPairedCohensDEqualsNumpy() throws {
        for item in try Self.reference.get().cohen_d {
            let d = try XCTUnwrap(PairedEffectSize.cohensD(differences: zip(item.b, item.a).map { $0 - $1 }), item.name)
            XCTAssertEqual(d, item.d, accuracy: 1e-12, item.name)
        }
        XCTAssertNil(PairedEffectSize.cohensD(differences: [1]))
        XCTAssertNil(PairedEffectSize.cohensD(differences: [2, 2, 2]))
    }
}

import Dosimetry
import Foundation
import XCTest

final class PercentileTests: XCTestCase {
    struct Reference: Decodable {
        struct Case: Decodable {
            let values: [Double]
            let q: [Double]
            let lower: [Double]
        }
        let cases: [Case]
    }

    /// Equals numpy.percentile(values, q, method='lower') (Fixtures/make_percentile_reference.py).
    func testEqualsNumpysLowerMethod() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("percentile_reference.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.cases.count, 6)
        for item in reference.cases {
            let sorted = item.values.sorted()
            for (q, expected) in zip(item.q, item.lower) {
                XCTAssertEqual(Percentile.lower(sortedValues: sorted, percent: q), expected, "n=\(sorted.count) q=\(q)")
            }
            XCTAssertEqual(Percentile.dose(covering: 95, sortedDoses: sorted), Percentile.lower(sortedValues: sorted, percent: 5))
        }
        XCTAssertNil(Percentile.lower(sortedValues: [], percent: 50))
    }
}

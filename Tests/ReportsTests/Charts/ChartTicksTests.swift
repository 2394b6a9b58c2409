import Reports
import XCTest

/// Round ticks for the ranges the report's axes meet: doses, small losses, negative differences and
/// a single value.
final class ChartTicksTests: XCTestCase {
    func testDoseRangeGetsRoundStepsFromZero() {
        let ticks = ChartTicks(covering: 0, 73.4)
        XCTAssertEqual(ticks.step, 20)
        XCTAssertEqual(ticks.values, [0, 20, 40, 60, 80])
        XCTAssertEqual(ticks.values.map(ticks.label), ["0", "20", "40", "60", "80"])
    }

    func testSmallRangeGetsDecimalLabels() {
        let ticks = ChartTicks(covering: 0.013, 0.087)
        XCTAssertEqual(ticks.step, 0.02)
        XCTAssertEqual(ticks.values.count, 6)
        XCTAssertEqual(ticks.values.first, 0)
        XCTAssertEqual(ticks.upper, 0.1, accuracy: 1e-12)
        XCTAssertEqual(ticks.values.map(ticks.label), ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10"])
    }

    func testNegativeRangeWidensOutwards() {
        let ticks = ChartTicks(covering: -2.7, -0.35)
        XCTAssertEqual(ticks.step, 0.5)
        XCTAssertEqual(ticks.lower, -3)
        XCTAssertEqual(ticks.upper, 0)
        XCTAssertEqual(ticks.values.map(ticks.label), ["-3.0", "-2.5", "-2.0", "-1.5", "-1.0", "-0.5", "0.0"])
    }

    func testRangeEndingOnAStepGainsNoEmptyInterval() {
        // 0.07 / 0.01 is 7.000000000000001 in binary; the axis must still end at 0.07.
        let ticks = ChartTicks(covering: 0, 0.07, count: 7)
        XCTAssertEqual(ticks.step, 0.01)
        XCTAssertEqual(ticks.upper, 0.07, accuracy: 1e-12)
        XCTAssertEqual(ticks.values.count, 8)
        // 0.3 / 0.1 is 2.9999999999999996: the axis must still start at 0.3.
        let above = ChartTicks(covering: 0.3, 1, count: 7)
        XCTAssertEqual(above.lower, 0.3, accuracy: 1e-12)
    }

    func testDegenerateAndNonFiniteRangesStillHaveTicks() {
        let single = ChartTicks(covering: 5, 5)
        XCTAssertLessThan(single.lower, 5)
        XCTAssertGreaterThan(single.upper, 5)
        XCTAssertGreaterThanOrEqual(single.values.count, 2)
        let zero = ChartTicks(covering: 0, 0)
        XCTAssertEqual(zero.lower, -1)
        XCTAssertEqual(zero.upper, 1)
        let broken = ChartTicks(covering: .nan, 3)
        XCTAssertEqual(broken.lower, 0)
        XCTAssertEqual(broken.upper, 1)
        XCTAssertEqual(broken.values.count, 6)
    }

    func testFixedEndsKeepTheirBoundsAndRoundInnerTicks() {
        let percent = ChartTicks(from: 0, to: 100)
        XCTAssertEqual(percent.values, [0, 20, 40, 60, 80, 100])
        let dose = ChartTicks(from: 0, to: 73.4)
        XCTAssertEqual(dose.upper, 73.4)
        XCTAssertEqual(dose.values, [0, 20, 40, 60])
    }
}

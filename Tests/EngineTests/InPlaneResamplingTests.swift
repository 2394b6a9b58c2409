import Engine
import XCTest

/// `--resample k` against PyTorch (`Fixtures/make_resampling_reference.py`): area averaging as
/// `avg_pool2d(k, ceil_mode=True)`, the way back as bilinear `interpolate` (align_corners=False),
/// in the axial plane only, including volumes whose extent k does not divide.
final class InPlaneResamplingTests: XCTestCase {
    func testDownAndUpSamplingMatchPyTorch() throws {
        let reference = try LayerReference(file: "resampling_reference.npz")
        for factor in [2, 3] {
            let resampling = try InPlaneResampling(factor: factor)
            let native = try reference.tensor("k\(factor).native"), coarse = try reference.tensor("k\(factor).coarse")
            let down = resampling.downsample(native.elements, channels: 1, native: native.shape)
            XCTAssertEqual(resampling.coarseExtent(native.shape), coarse.shape)
            assertClose(try Tensor(shape: coarse.shape, elements: down), try reference.tensor("k\(factor).downsampled"), "downsample ×\(factor)")
            let up = resampling.upsample(coarse.elements, native: native.shape)
            assertClose(try Tensor(shape: native.shape, elements: up), try reference.tensor("k\(factor).upsampled"), "upsample ×\(factor)")
        }
    }

    func testMasksKeepTheBlocksAtLeastHalfInside() throws {
        let resampling = try InPlaneResampling(factor: 2)
        // 3 × 2 × 1: rows (1 1), (1 0), (0 0); the last row is a half block.
        let masks: [UInt8] = [1, 1, 1, 0, 0, 0]
        XCTAssertEqual(resampling.downsampleMasks(masks, channels: 1, native: [3, 2, 1]), [1, 0])
        XCTAssertThrowsError(try InPlaneResampling(factor: 0)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.invalid_setting")
        }
    }
}

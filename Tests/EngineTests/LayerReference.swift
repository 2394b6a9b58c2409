import Engine
import Foundation
import NumpyFormat
import XCTest

/// The arrays PyTorch wrote (`Fixtures/make_layer_reference.py`, `layer_reference.npz`).
struct LayerReference {
    let archive: NPZArchive

    init(file: String = "layer_reference.npz") throws {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        archive = try NPZArchive(path: folder.appendingPathComponent(file).path)
    }

    func tensor(_ key: String) throws -> Tensor {
        let array = try archive.read(key)
        return try Tensor(shape: array.shape, elements: array.elements(as: Float.self))
    }
}

/// Every element within `relative` of the expected tensor's largest magnitude (the issue's
/// criterion: 1e-5), and the same shape.
func assertClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-5, _ label: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(label): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let tolerance = relative * max(expected.maximumMagnitude, .leastNormalMagnitude)
    var worst: Float = 0, worstIndex = 0
    for index in actual.elements.indices {
        let difference = abs(actual.elements[index] - expected.elements[index])
        if !(difference <= worst) { (worst, worstIndex) = (difference, index) }
    }
    XCTAssertLessThanOrEqual(worst, tolerance,
                             "\(label): element \(worstIndex) is \(actual.elements[worstIndex]), PyTorch has \(expected.elements[worstIndex])",
                             file: file, line: line)
}

import Foundation
import XCTest
@testable import NumpyFormat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hostile and corrupt pickles are refused with the right error, quickly, without running
/// anything and without allocating what their length fields claim.
final class PickleDecoderSafetyTests: XCTestCase {
    func testEveryMaliciousFixtureIsRefusedByNameAndRunsNothing() throws {
        let manifest = try PickleFixtures.manifest()
        let marker = manifest.markerPath
        try? FileManager.default.removeItem(atPath: marker)
        let fixtures = manifest.fixtures.filter { $0.kind == "malicious" }
        XCTAssertGreaterThanOrEqual(fixtures.count, 10)
        for fixture in fixtures {
            let expected = try XCTUnwrap(fixture.expectedError, fixture.file)
            let bytes = try PickleFixtures.bytes(fixture.file)
            for attempt in [{ try PickleDecoder().decode(bytes) }, { try PickleDecoder().metadataDictionary(fromPickle: bytes) }] {
                XCTAssertThrowsError(try attempt(), fixture.file) { error in
                    guard let error = error as? PickleError else { return XCTFail("\(fixture.file): \(error)") }
                    if let mismatch = expected.mismatch(with: error) { XCTFail("\(fixture.file): \(mismatch)") }
                }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "a hostile pickle ran a command")
    }

    func testEveryMalformedFixtureFailsWithTheRightErrorQuicklyAndWithoutHugeAllocation() throws {
        let manifest = try PickleFixtures.manifest()
        let fixtures = manifest.fixtures.filter { $0.kind == "malformed" }
        XCTAssertGreaterThanOrEqual(fixtures.count, 25)
        let residentBefore = Self.peakResidentBytes()
        for fixture in fixtures {
            let expected = try XCTUnwrap(fixture.expectedError, fixture.file)
            let bytes = try PickleFixtures.bytes(fixture.file)
            let start = Date()
            XCTAssertThrowsError(try PickleDecoder().decode(bytes), fixture.file) { error in
                guard let error = error as? PickleError else { return XCTFail("\(fixture.file): \(error)") }
                if let mismatch = expected.mismatch(with: error) { XCTFail("\(fixture.file): \(mismatch)") }
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "\(fixture.file) took too long")
        }
        // The 2^62-byte length fields would need exabytes; the whole run may grow by little.
        XCTAssertLessThan(Self.peakResidentBytes() - residentBefore, 64 << 20)
    }

    func testTruncationAtEveryOffsetOfARealPickleIsReportedAsTruncation() throws {
        for file in ["pipeline_v24.numpy2.p4.pkl", "pipeline_v24.numpy1.p3.pkl", "pipeline_v24.numpy2.p0.pkl"] {
            let bytes = try PickleFixtures.bytes(file)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try PickleDecoder().decode(Array(bytes[..<length]))) { error in
                    guard case .truncated? = error as? PickleError else {
                        return XCTFail("\(file) cut at \(length): \(error)")
                    }
                }
            }
        }
    }

    func testHundredThousandLevelRecursionBombsStopAtTheDepthLimit() {
        let levels = 100_000
        // MARK-nested lists: refused at the 201st open MARK.
        let marks: [UInt8] = [0x80, 0x02, 0x5D] + Array(repeating: [0x28, 0x5D], count: levels - 1).flatMap { $0 }
            + [UInt8](repeating: 0x65, count: levels - 1) + [0x2E]
        // EMPTY_LIST × n, APPEND × n−1: no MARKs, caught when the chain grows past the limit.
        let appends: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x5D, count: levels)
            + [UInt8](repeating: 0x61, count: levels - 1) + [0x2E]
        // TUPLE1 × n: immutable nesting.
        let tuples: [UInt8] = [0x80, 0x02, 0x4E] + [UInt8](repeating: 0x85, count: levels) + [0x2E]
        for (name, bytes) in [("marks", marks), ("appends", appends), ("tuples", tuples)] {
            let start = Date()
            XCTAssertThrowsError(try PickleDecoder().decode(bytes), name) { error in
                guard case .nestingTooDeep(let limit, _)? = error as? PickleError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(limit, PickleLimits.default.maxDepth)
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2.0, name)
        }
    }

    func testDepthAliasedThroughTheMemoIsStillCaught() {
        // Lists appended into their parent *before* they get children, via the memo, so the
        // decoder's running height is stale: materialisation must still refuse the depth.
        var bytes: [UInt8] = [0x80, 0x02, 0x5D, 0x72, 0, 0, 0, 0]  // EMPTY_LIST, LONG_BINPUT 0
        let levels = 300
        for level in 1...levels {
            bytes += [0x6A] + le32(level - 1)           // LONG_BINGET parent
            bytes += [0x5D, 0x72] + le32(level)         // EMPTY_LIST, LONG_BINPUT level
            bytes += [0x61, 0x30]                       // APPEND (child into parent), POP parent
        }
        bytes += [0x6A] + le32(0) + [0x2E]              // GET root, STOP
        XCTAssertThrowsError(try PickleDecoder().decode(bytes)) { error in
            guard case .nestingTooDeep? = error as? PickleError else { return XCTFail("\(error)") }
        }
    }

    func testBillionLaughsIsRefusedBeforeExpanding() {
        // t0 = 1; t(k+1) = (tk, tk): 64 doublings make 2^64 leaves from ~260 bytes.
        var bytes: [UInt8] = [0x80, 0x02, 0x4B, 0x01]
        for level in 0..<64 {
            bytes += [0x71, UInt8(level), 0x68, UInt8(level), 0x86]  // BINPUT k, BINGET k, TUPLE2
        }
        bytes.append(0x2E)
        let start = Date()
        XCTAssertThrowsError(try PickleDecoder().decode(bytes)) { error in
            XCTAssertEqual(error as? PickleError, .tooManyItems(limit: PickleLimits.default.maxTotalItems))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testSharedReferencesWithinTheLimitsAreExpanded() throws {
        // A list stored once and referenced twice is two equal lists in the value tree.
        let bytes: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x4B, 0x07, 0x61, 0x68, 0x00, 0x86, 0x2E]
        XCTAssertEqual(try PickleDecoder().decode(bytes), .tuple([.list([.int(7)]), .list([.int(7)])]))
    }

    func testHugeFlexibleDTypesAndTextIntegersAreBounded() throws {
        // dtype('U999999999') then scalar(dtype): a zero scalar would be 4 GB.
        let hugeUnicode: [UInt8] = [0x80, 0x02] + Array("cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\n".utf8)
            + [0x58, 10, 0, 0, 0] + Array("U999999999".utf8) + [0x85, 0x52, 0x85, 0x52, 0x2E]
        XCTAssertThrowsError(try PickleDecoder().decode(hugeUnicode)) { error in
            guard case .lengthExceedsLimit(_, 3_999_999_996, _, _)? = error as? PickleError else { return XCTFail("\(error)") }
        }
        // A protocol-0 INT of 100 000 digits: converting it would be quadratic.
        let longText: [UInt8] = Array("I".utf8) + [UInt8](repeating: UInt8(ascii: "7"), count: 100_000) + Array("\n.".utf8)
        XCTAssertThrowsError(try PickleDecoder().decode(longText)) { error in
            guard case .lengthExceedsLimit(opcode: "INT", _, _, _)? = error as? PickleError else { return XCTFail("\(error)") }
        }
        // An empty array whose outer dimension is 0 but whose inner dimensions overflow Int
        // together: numpy-legal, and its JSON must not multiply them.
        let emptyButHuge = MetadataValue.numpyArray(try NumpyArrayValue(descr: "<f8", shape: [0, 1 << 40, 1 << 40], data: []))
        XCTAssertEqual(emptyButHuge.canonicalJSON(), "[]")
    }

    func testLimitsAreConfigurable() throws {
        let text = try PickleWriter.pickle(.string(String(repeating: "a", count: 100)))
        let small = PickleDecoder(limits: PickleLimits(maxItemBytes: 99))
        XCTAssertThrowsError(try small.decode(text)) { error in
            XCTAssertEqual(error as? PickleError, .lengthExceedsLimit(opcode: "SHORT_BINUNICODE", length: 100, limit: 99, offset: 11))
        }
        XCTAssertEqual(try PickleDecoder(limits: PickleLimits(maxItemBytes: 100)).decode(text), .string(String(repeating: "a", count: 100)))

        let nested = try PickleWriter.pickle(.list([.list([.list([])])]))
        XCTAssertThrowsError(try PickleDecoder(limits: PickleLimits(maxDepth: 2)).decode(nested)) {
            XCTAssertEqual(($0 as? PickleError)?.code, "pickle.nesting_too_deep", "\($0)")
        }
        XCTAssertNoThrow(try PickleDecoder(limits: PickleLimits(maxDepth: 3)).decode(nested))

        let many = try PickleWriter.pickle(.list((0..<50).map { .int($0) }))
        XCTAssertThrowsError(try PickleDecoder(limits: PickleLimits(maxTotalItems: 50)).decode(many)) { error in
            XCTAssertEqual(error as? PickleError, .tooManyItems(limit: 50))
        }
        XCTAssertNoThrow(try PickleDecoder(limits: PickleLimits(maxTotalItems: 51)).decode(many))

        let big = try PickleWriter.pickle(.bigInt("1" + String(repeating: "0", count: 100)))
        XCTAssertThrowsError(try PickleDecoder(limits: PickleLimits(maxIntegerBytes: 8)).decode(big)) {
            XCTAssertEqual(($0 as? PickleError)?.code, "pickle.length_exceeds_limit", "\($0)")
        }
    }

    func testRefusalHappensWhenTheGlobalIsReadNotWhenItIsCalled() {
        // GLOBAL os.system followed by garbage: the name is refused before the garbage is seen.
        let bytes: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0xFF, 0xFF]
        XCTAssertThrowsError(try PickleDecoder().decode(bytes)) { error in
            XCTAssertEqual(error as? PickleError, .disallowedGlobal(module: "os", name: "system"))
        }
        // An allowed name that is only half right is still refused.
        for (module, name) in [("numpy", "core"), ("numpy.core.multiarray", "_reconstructx"), ("numpy.ndarray", ""),
                               ("builtins", "setattr"), ("collections", "namedtuple"), ("_codecs", "decode")] {
            let global: [UInt8] = [0x80, 0x02, 0x63] + Array("\(module)\n\(name)\n".utf8) + [0x2E]
            XCTAssertThrowsError(try PickleDecoder().decode(global)) { error in
                XCTAssertEqual(error as? PickleError, .disallowedGlobal(module: module, name: name))
            }
        }
    }

    func testAllowedCallablesOnlyAcceptTheArgumentsNumpyWrites() {
        let proto2: [UInt8] = [0x80, 0x02]
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
        func binUnicode(_ text: String) -> [UInt8] { [0x58, UInt8(text.utf8.count), 0, 0, 0] + ascii(text) }
        let (tuple1, tuple2, reduce, stop): (UInt8, UInt8, UInt8, UInt8) = (0x85, 0x86, 0x52, 0x2E)
        let cases: [(String, [UInt8])] = [
            // scalar(dtype('f8'), b'abc'): three bytes for an eight-byte float.
            ("short scalar", proto2 + ascii("cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\n") + binUnicode("f8")
                + [tuple1, reduce, 0x43, 3] + ascii("abc") + [tuple2, reduce, stop]),
            // _codecs.encode with an encoding other than latin1/utf-8.
            ("rot13", proto2 + ascii("c_codecs\nencode\n") + binUnicode("a") + binUnicode("rot13") + [tuple2, reduce, stop]),
            // REDUCE of numpy.ndarray itself.
            ("ndarray call", proto2 + ascii("cnumpy\nndarray\n") + [0x29, reduce, stop]),
            // collections.OrderedDict with positional arguments.
            ("OrderedDict args", proto2 + ascii("ccollections\nOrderedDict\n") + [0x4B, 1, tuple1, reduce, stop]),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try PickleDecoder().decode(bytes), name) { error in
                guard case .invalidArguments? = error as? PickleError else { return XCTFail("\(name): \(error)") }
            }
        }
    }

    func testErrorMessagesNameWhatWasFound() {
        let refusal = PickleError.disallowedGlobal(module: "os", name: "system").description
        XCTAssertEqual(refusal, "pickle refers to os.system, which dosecurate never calls; only numpy array/scalar reconstruction is allowed")
        XCTAssertTrue(PickleError.unknownOpcode(byte: 0xFF, offset: 2).description.contains("0xFF at offset 2"))
        XCTAssertTrue(PickleError.lengthExceedsLimit(opcode: "BINUNICODE8", length: 1 << 62, limit: 64, offset: 2).description.contains("4611686018427387904"))
        XCTAssertTrue(PickleError.notADictionary(found: "list").description.contains("list"))
        XCTAssertTrue(PickleError.truncated(offset: 7).description.contains("truncated"))
    }

    // MARK: - Helpers

    private func le32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Peak resident set size of this process so far (Linux reports kilobytes).
    private static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}

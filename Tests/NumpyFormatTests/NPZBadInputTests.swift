import Foundation
import NumpyFormat
import Support
import XCTest

/// Each malformed archive in Fixtures/bad/ is refused with an error that names the file (and the
/// member where one is involved); none crashes, none yields a partial array.
final class NPZBadInputTests: XCTestCase {
    /// Opens the archive and reads every member, as an audit would.
    private func readEverything(_ name: String, maximumArrayBytes: Int = NPZArchive.defaultMaximumArrayBytes) throws {
        let archive = try NPZArchive(path: FixtureSupport.path("bad/\(name)"), maximumArrayBytes: maximumArrayBytes)
        try archive.forEachMember { _, _ in }
    }

    /// Refused with `code`; the message (what a user reads) names the file, and `check` looks at
    /// the case and at what its message says about the damage.
    private func assertRefused(_ name: String, code: String, file: StaticString = #filePath, line: UInt = #line,
                               _ check: (Error, String) -> Bool) {
        XCTAssertThrowsError(try readEverything(name), name, file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertEqual((error as? any CodedError)?.code, code, "\(name): \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(name), "message should name the file: \(message)", file: file, line: line)
            XCTAssertTrue(check(error, message), "\(name): unexpected error \(message)", file: file, line: line)
        }
    }

    func testContainerDefects() {
        assertRefused("truncated.npz", code: "npz.truncated") { error, _ in if case .truncated = error as? NPZError { true } else { false } }
        assertRefused("empty.npz", code: "npz.not_zip") { error, message in
            if case .notZip = error as? NPZError { message.contains("empty") } else { false }
        }
        assertRefused("not_a_zip.npz", code: "npz.not_zip") { error, _ in if case .notZip = error as? NPZError { true } else { false } }
        assertRefused("unsupported_method.npz", code: "npz.unsupported_compression") { error, message in
            error as? NPZError == .unsupportedCompression(file: (try? FixtureSupport.path("bad/unsupported_method.npz")) ?? "", member: "a.npy", method: 6, methodName: "implode")
                && message.contains("implode")
        }
        assertRefused("dotdot_member.npz", code: "npz.unsafe_member_name") { error, message in
            if case .unsafeMemberName(_, "../evil.npy") = error as? NPZError { message.contains("../evil.npy") } else { false }
        }
        assertRefused("absolute_member.npz", code: "npz.unsafe_member_name") { error, _ in
            if case .unsafeMemberName(_, "/tmp/evil.npy") = error as? NPZError { true } else { false }
        }
        assertRefused("duplicate_member.npz", code: "npz.duplicate_member") { error, _ in
            if case .duplicateMember(_, "a.npy") = error as? NPZError { true } else { false }
        }
    }

    func testCorruptDataIsCaughtByTheCRC() {
        for name in ["crc_mismatch.npz", "crc_mismatch_deflated.npz"] {
            assertRefused(name, code: "npz.corrupt_member") { error, message in
                if case .corruptMember(_, "a.npy", _) = error as? NPZError { message.lowercased().contains("crc") } else { false }
            }
        }
    }

    /// Damage only the inflater can see: the directory is consistent, the DEFLATE data is not.
    func testDeflateDamageIsRefusedByTheInflater() {
        assertRefused("deflate_truncated_stream.npz", code: "npz.corrupt_member") { error, message in
            if case .corruptMember(_, "a.npy", _) = error as? NPZError { message.contains("before its final block") } else { false }
        }
        assertRefused("deflate_invalid_block.npz", code: "npz.corrupt_member") { error, message in
            if case .corruptMember(_, "a.npy", _) = error as? NPZError { message.contains("invalid DEFLATE data (invalid block)") } else { false }
        }
        assertRefused("pickle_longer_than_declared.npz", code: "npz.corrupt_member") { error, message in
            if case .corruptMember(_, "metadata.npy", _) = error as? NPZError { message.contains("more data than its header declares") } else { false }
        }
        assertRefused("local_name_mismatch.npz", code: "npz.corrupt_member") { error, message in
            if case .corruptMember(_, "a.npy", _) = error as? NPZError { message.contains("local header (name b.npy") } else { false }
        }
    }

    /// Every single-byte corruption of a NumPy-written archive (one variant per byte position) is
    /// either refused with an error or reads back arrays identical to the original: never a
    /// crash, never silently different data.
    func testEveryCorruptedByteIsRefusedOrHarmless() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("npz-corruption-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        func contents(_ path: String) throws -> [String: [UInt8]] {
            var arrays: [String: [UInt8]] = [:]
            try NPZArchive(path: path).forEachMember { member, content in
                switch content {
                case let .array(array): arrays["\(member.key) \(array.dtype.descr) \(array.shape)"] = array.canonicalBytes()
                case let .pickledObject(object): arrays[member.key] = object.pickle
                }
            }
            return arrays
        }
        for name in ["deflated.npz", "stored.npz", "with_metadata.npz"] {
            let original = try Data(contentsOf: FixtureSupport.url("npz/\(name)"))
            let expected = try contents(FixtureSupport.path("npz/\(name)"))
            var refused = 0
            for position in 0..<original.count {
                var damaged = original
                damaged[position] ^= 0x5A
                let path = scratch.appendingPathComponent("\(position)-\(name)").path
                try damaged.write(to: URL(fileURLWithPath: path))
                defer { try? FileManager.default.removeItem(atPath: path) }
                if let read = try? contents(path) {
                    XCTAssertTrue(read == expected, "\(name): byte \(position) changed, and different arrays were read without an error")
                } else {
                    refused += 1
                }
            }
            // Most bytes are data or structure: a corrupt archive that is never refused would mean the checks are off.
            XCTAssertGreaterThan(refused, original.count / 2, name)
        }
    }

    func testMemberDefects() {
        assertRefused("not_npy_member.npz", code: "npy.not_npy") { error, message in
            if case .notNPY = error as? NPYError { message.contains("a.npy") } else { false }
        }
        assertRefused("header_not_dict.npz", code: "npy.malformed_header") { error, message in
            if case .malformedHeader = error as? NPYError { message.contains("not a dict") } else { false }
        }
        assertRefused("fortran_header_bad.npz", code: "npy.malformed_header") { error, message in
            if case .malformedHeader = error as? NPYError { message.contains("fortran_order") } else { false }
        }
        for name in ["unknown_dtype.npz", "unknown_dtype_text.npz"] {
            assertRefused(name, code: "npy.unsupported_dtype") { error, message in
                if case .unsupportedDType = error as? NPYError { message.contains("a.npy") } else { false }
            }
        }
        assertRefused("shape_exceeds_size.npz", code: "npy.size_mismatch") { error, message in
            error as? NPYError == .sizeMismatch(source: "\((try? FixtureSupport.path("bad/shape_exceeds_size.npz")) ?? "")!a.npy", expectedBytes: 40_000, foundBytes: 40)
                && message.contains("40000")
        }
        assertRefused("huge_shape.npz", code: "npy.invalid_shape") { error, message in
            if case .invalidShape = error as? NPYError { message.contains("overflow") } else { false }
        }
        assertRefused("negative_dim.npz", code: "npy.invalid_shape") { error, message in
            if case .invalidShape = error as? NPYError { message.contains("-3") } else { false }
        }
        assertRefused("noninteger_dim.npz", code: "npy.invalid_shape") { error, message in
            if case .invalidShape = error as? NPYError { message.contains("3.5") } else { false }
        }
    }

    func testDeclaredSizeAboveTheCeilingIsRefusedBeforeAllocating() throws {
        // stored.npz's ct member holds 480 bytes of data; a 100-byte ceiling must refuse it.
        let archive = try NPZArchive(path: FixtureSupport.path("npz/stored.npz"), maximumArrayBytes: 100)
        XCTAssertThrowsError(try archive.read("ct")) { error in
            guard case let .exceedsCeiling(_, declared, ceiling) = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(declared, 480)
            XCTAssertEqual(ceiling, 100)
        }
    }

    func testMissingFileAndDirectoryAreClearErrors() throws {
        XCTAssertThrowsError(try NPZArchive(path: "/nonexistent/case.npz")) { error in
            XCTAssertEqual((error as? NPZError)?.code, "npz.cannot_open", "\(error)")
            guard case let .cannotOpen(file, _)? = error as? NPZError else { return }
            XCTAssertEqual(file, "/nonexistent/case.npz")
        }
        let folder = try FixtureSupport.path("bad")
        XCTAssertThrowsError(try NPZArchive(path: folder)) { error in
            XCTAssertEqual((error as? NPZError)?.code, "npz.cannot_open", "\(error)")
            XCTAssertEqual(error as? NPZError, .cannotOpen(file: folder, reason: "not a regular file"))
        }
    }
}

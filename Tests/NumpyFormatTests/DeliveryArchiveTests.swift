import Foundation
import NumpyFormat
import XCTest

/// `.npz` cases read in place from `.zip`, `.tar` and `.tar.gz` deliveries (made here by the
/// system's `tar` and Python's `zipfile`) deliver exactly the events the same files give on disk.
final class DeliveryArchiveTests: XCTestCase {
    static let cases = ["deflated.npz", "stored.npz", "with_metadata.npz"]

    /// Every event of a streaming pass, flattened to comparable values.
    static func events(_ stream: ((NPZStreamEvent) throws -> Void) throws -> Void) throws -> [String] {
        var events: [String] = []
        try stream { event in
            switch event {
            case let .arrayStart(key, header): events.append("start \(key) \(header.dtype.descr) \(header.shape)")
            case let .arrayChunk(key, _, elements, bytes): events.append("chunk \(key) \(elements) \(Array(bytes))")
            case let .arrayEnd(key, _): events.append("end \(key)")
            case let .pickledObject(key, object): events.append("pickle \(key) \(object.pickle)")
            }
        }
        return events
    }

    func makeDelivery(kind: String, from files: [String], in directory: URL) throws -> String {
        let archive = directory.appendingPathComponent("delivery.\(kind)").path
        let process = Process()
        switch kind {
        case "zip":
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // zipfile's CLI names members by path only when given the folder.
            let staged = directory.appendingPathComponent("zip-staging")
            try FileManager.default.createDirectory(at: staged.appendingPathComponent("cases"), withIntermediateDirectories: true)
            for file in files {
                try FileManager.default.copyItem(at: directory.appendingPathComponent("cases/\(file)"), to: staged.appendingPathComponent("cases/\(file)"))
            }
            process.arguments = ["python3", "-m", "zipfile", "-c", archive, "cases"]
            process.currentDirectoryURL = staged
        default:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tar", kind == "tar" ? "-cf" : "-czf", archive] + files.map { "cases/\($0)" }
            process.currentDirectoryURL = directory
        }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("could not make a .\(kind) delivery with \(process.arguments ?? [])") }
        return archive
    }

    func stagedCases() throws -> URL {
        let directory = try FixtureSupport.temporaryDirectory()
        let cases = directory.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: cases, withIntermediateDirectories: true)
        for file in Self.cases {
            try FileManager.default.copyItem(atPath: FixtureSupport.path("npz/\(file)"), toPath: cases.appendingPathComponent(file).path)
        }
        return directory
    }

    func testArchivesReadInPlaceEqualTheFilesOnDisk() throws {
        let directory = try stagedCases()
        defer { try? FileManager.default.removeItem(at: directory) }
        for kind in ["tar", "tar.gz", "zip"] {
            let delivery = DeliveryArchive(path: try makeDelivery(kind: kind, from: Self.cases, in: directory))
            XCTAssertEqual(try delivery.caseMembers().cases.sorted(), Self.cases.map { "cases/\($0)" }, kind)
            // A streamed case reads once: one pass through the delivery per chunk size.
            for chunkBytes in [7, 1 << 20] {
                var seen: [String] = []
                try delivery.forEachCase(where: { _ in true }) { streamed in
                    seen.append(streamed.name)
                    let onDisk = try NPZArchive(path: directory.appendingPathComponent(streamed.member).path)
                    XCTAssertEqual(try Self.events { try streamed.stream(maxChunkBytes: chunkBytes, $0) },
                                   try Self.events { try onDisk.stream(maxChunkBytes: chunkBytes, $0) }, "\(kind): \(streamed.name)")
                }
                XCTAssertEqual(seen.sorted(), Self.cases.map { "\(delivery.path)!cases/\($0)" })
            }
        }
    }

    /// A case whose member fails its CRC fails alone; the cases after it still read.
    func testACorruptCaseInsideATarFailsAloneWithItsCRC() throws {
        let directory = try stagedCases()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(atPath: FixtureSupport.path("bad/crc_mismatch_deflated.npz"),
                                         toPath: directory.appendingPathComponent("cases/bad.npz").path)
        let delivery = DeliveryArchive(path: try makeDelivery(kind: "tar.gz", from: ["bad.npz", "deflated.npz"], in: directory))
        var outcomes: [String: Result<Void, any Error>] = [:]
        try delivery.forEachCase(where: { _ in true }) { streamed in
            outcomes[streamed.member] = Result { _ = try Self.events { try streamed.stream($0) } }
        }
        XCTAssertNoThrow(try XCTUnwrap(outcomes["cases/deflated.npz"]).get())
        guard case let .failure(failure)? = outcomes["cases/bad.npz"] else { return XCTFail("cases/bad.npz was read") }
        XCTAssertEqual((failure as? NPZError)?.code, "npz.corrupt_member", "\(failure)")
        guard case let .corruptMember(file, member, _)? = failure as? NPZError else { return }
        XCTAssertTrue(file.hasSuffix("delivery.tar.gz!cases/bad.npz"), file)
        XCTAssertEqual(member, "a.npy")
    }

    /// A delivery cut short throws from the pass itself, naming the archive.
    func testATruncatedDeliveryThrows() throws {
        let directory = try stagedCases()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try makeDelivery(kind: "tar.gz", from: Self.cases, in: directory)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try DeliveryArchive(path: path).forEachCase(where: { _ in true }) { streamed in
            _ = try Self.events { try streamed.stream($0) }
        }) { error in
            // A small delivery is read whole when it is opened, so the cut gzip stream is found then:
            // libarchive's open fails ("truncated gzip input"), which ArchiveReader reports as cannot_open.
            XCTAssertEqual((error as? NPZError)?.code, "npz.cannot_open", "\(error)")
            guard case let .cannotOpen(file, _)? = error as? NPZError else { return }
            XCTAssertEqual(file, path, "the error names the archive")
        }
    }
}

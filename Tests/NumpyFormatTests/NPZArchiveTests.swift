import Foundation
import NumpyFormat
import XCTest

/// `.npz` archives written by numpy.savez / numpy.savez_compressed (ZIP64 local headers).
final class NPZArchiveTests: XCTestCase {
    struct ExpectedMember: Decodable {
        let member: String
        let compress_type: Int
        let compress_size: Int
        let file_size: Int
        let crc: UInt32
        let descr: String
        let fortran_order: Bool
        let shape: [Int]
        let canonical_sha256: String
        let values: [ExpectedValue]
        var array: ExpectedArray {
            ExpectedArray(descr: descr, fortran_order: fortran_order, shape: shape, version: nil,
                          canonical_sha256: canonical_sha256, values: values)
        }
    }
    struct ExpectedArchive: Decodable {
        let member_names: [String]
        let members: [String: ExpectedMember]
    }
    struct ExpectedObjectArchive: Decodable {
        let member_names: [String]
        let metadata_shape: [Int]
        let metadata_pickle_length: Int
        let metadata_pickle_sha256: String
    }
    struct Manifest: Decodable {
        let archives: [String: ExpectedArchive]
        let object_members: [String: ExpectedObjectArchive]
    }

    func testListingMatchesZipfile() throws {
        let manifest = try FixtureSupport.decode(Manifest.self, from: "npz/manifest.json")
        for (file, expected) in manifest.archives {
            let archive = try NPZArchive(path: FixtureSupport.path("npz/\(file)"))
            XCTAssertEqual(archive.members.map(\.name), expected.member_names, file)
            for member in archive.members {
                let want = try XCTUnwrap(expected.members[member.key], "\(file): \(member.key)")
                XCTAssertEqual(member.compressedSize, want.compress_size, "\(file)!\(member.name)")
                XCTAssertEqual(member.inflatedSize, want.file_size, "\(file)!\(member.name)")
                XCTAssertEqual(Int(member.compressionMethod), want.compress_type, "\(file)!\(member.name)")
                XCTAssertEqual(member.crc32, want.crc, "\(file)!\(member.name)")
            }
        }
    }

    func testEveryMemberReadsExactlyInOnePassSinglyAndConcurrently() async throws {
        let manifest = try FixtureSupport.decode(Manifest.self, from: "npz/manifest.json")
        for (file, expected) in manifest.archives {
            let archive = try NPZArchive(path: FixtureSupport.path("npz/\(file)"))
            var visited: [String] = []
            try archive.forEachMember { member, content in
                visited.append(member.name)
                let array = try XCTUnwrap(content.array)
                let want = try XCTUnwrap(expected.members[member.key])
                XCTAssertEqual(array.dtype.descr, want.descr)
                XCTAssertEqual(array.shape, want.shape)
                XCTAssertEqual(FixtureSupport.sha256Hex(of: array), want.canonical_sha256, "\(file)!\(member.name)")
                try assertElements(array, equal: want.array, "\(file)!\(member.name)")
            }
            XCTAssertEqual(visited, expected.member_names)
            let dose = try archive.read("dose")
            XCTAssertEqual(dose.header.fortranOrder, true)
            XCTAssertEqual(FixtureSupport.sha256Hex(of: dose), expected.members["dose"]?.canonical_sha256)
            let all = try await archive.readAll(concurrency: 2)
            XCTAssertEqual(Set(all.keys), Set(expected.members.keys))
            for (key, content) in all {
                XCTAssertEqual(FixtureSupport.sha256Hex(of: try XCTUnwrap(content.array)), expected.members[key]?.canonical_sha256, "\(file): \(key)")
            }
        }
    }

    func testStreamingChunksAndSlabsReassembleTheArray() throws {
        for file in ["stored.npz", "deflated.npz"] {
            let archive = try NPZArchive(path: FixtureSupport.path("npz/\(file)"))
            for key in ["masks", "dose", "ct"] {
                let whole = try archive.read(key).canonicalBytes()
                for chunk in [1, 7, 64, 10_000] {
                    var joined: [UInt8] = []
                    var nextElement = 0
                    try archive.streamChunks(of: key, chunkElements: { _ in chunk }) { header, elements, bytes in
                        XCTAssertEqual(elements.lowerBound, nextElement)
                        XCTAssertEqual(bytes.count, elements.count * header.dtype.itemSize)
                        nextElement = elements.upperBound
                        joined.append(contentsOf: bytes)
                    }
                    XCTAssertEqual(joined, whole, "\(file)!\(key) in chunks of \(chunk)")
                }
            }
            var channels: [Int] = []
            var joined: [UInt8] = []
            try archive.forEachSlab(of: "masks") { header, channel, bytes in
                XCTAssertEqual(bytes.count, header.shape.dropFirst().reduce(1, *))
                channels.append(channel)
                joined.append(contentsOf: bytes)
            }
            XCTAssertEqual(channels, [0, 1, 2])
            XCTAssertEqual(joined, try archive.read("masks").canonicalBytes())
        }
    }

    func testPickledMetadataIsReturnedAsBytesNeverUnpickled() throws {
        let manifest = try FixtureSupport.decode(Manifest.self, from: "npz/manifest.json")
        let expected = try XCTUnwrap(manifest.object_members["with_metadata.npz"])
        let archive = try NPZArchive(path: FixtureSupport.path("npz/with_metadata.npz"))
        XCTAssertEqual(archive.members.map(\.name), expected.member_names)
        let metadata = try archive.readPickledObject("metadata")
        XCTAssertEqual(metadata.shape, expected.metadata_shape)
        XCTAssertEqual(metadata.pickle.count, expected.metadata_pickle_length)
        let pickleArray = try NPYArray(shape: [metadata.pickle.count], elements: metadata.pickle)
        XCTAssertEqual(FixtureSupport.sha256Hex(of: pickleArray), expected.metadata_pickle_sha256)
        XCTAssertThrowsError(try archive.read("metadata")) { error in
            XCTAssertEqual(error as? NPYError, .pickledObject(source: metadata.source))
        }
        XCTAssertThrowsError(try archive.readPickledObject("ct")) {
            XCTAssertEqual(($0 as? NPYError)?.code, "npy.wrong_kind", "\($0)")
        }
        var kinds: [String] = []
        try archive.forEachMember { member, content in
            kinds.append(content.array == nil ? "\(member.key):pickle" : "\(member.key):array")
        }
        XCTAssertEqual(kinds, ["ct:array", "metadata:pickle"])
    }

    func testMissingMemberNamesWhatExists() throws {
        let archive = try NPZArchive(path: FixtureSupport.path("npz/stored.npz"))
        XCTAssertThrowsError(try archive.read("masks_sdf")) { error in
            XCTAssertEqual((error as? NPZError)?.code, "npz.member_not_found", "\(error)")
            XCTAssertEqual(error as? NPZError, .memberNotFound(file: archive.path, member: "masks_sdf", available: archive.keys))
            // What a user reads names the missing member and the ones that exist.
            XCTAssertTrue("\(error)".contains("masks_sdf") && "\(error)".contains("ct, masks, dose"), "\(error)")
        }
    }
}

final class NPZStreamTests: XCTestCase {
    /// One pass sees every member in archive order, and the chunks of each array join up to the
    /// canonical bytes a whole read gives, whatever the chunk size.
    func testStreamingPassSeesEveryByteOnce() throws {
        for file in ["npz/deflated.npz", "npz/stored.npz", "npz/with_metadata.npz"] {
            let archive = try NPZArchive(path: FixtureSupport.path(file))
            for chunkBytes in [1, 13, 4096] {
                var order: [String] = []
                var joined: [String: [UInt8]] = [:]
                var pickles: [String: [UInt8]] = [:]
                try archive.stream(maxChunkBytes: chunkBytes) { event in
                    switch event {
                    case let .arrayStart(key, _): order.append(key); joined[key] = []
                    case let .arrayChunk(key, _, _, bytes): joined[key, default: []].append(contentsOf: bytes)
                    case .arrayEnd: break
                    case let .pickledObject(key, object): order.append(key); pickles[key] = object.pickle
                    }
                }
                XCTAssertEqual(order, archive.keys, file)
                for (key, bytes) in joined {
                    XCTAssertEqual(bytes, try archive.read(key).canonicalBytes(), "\(file)!\(key), chunks of \(chunkBytes) bytes")
                }
                for (key, pickle) in pickles {
                    XCTAssertEqual(pickle, try archive.readPickledObject(key).pickle)
                }
            }
        }
    }

    func testStreamingStopsAtACorruptMember() throws {
        let archive = try NPZArchive(path: FixtureSupport.path("bad/crc_mismatch.npz"))
        XCTAssertThrowsError(try archive.stream { _ in }) { error in
            XCTAssertEqual((error as? NPZError)?.code, "npz.corrupt_member", "\(error)")
            guard case let .corruptMember(_, member, _)? = error as? NPZError else { return }
            XCTAssertEqual(member, "a.npy")
        }
    }
}

import Support
import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import Phantoms
import SharedCohort
import XCTest

/// Per-member fingerprints of a case, to say which members two cases differ in.
enum MemberFingerprint {
    static func of(_ phantom: PhantomCase) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try phantom.members().map { ($0.key, fingerprint($0.content)) })
    }

    /// The same fingerprints, read from a written file.
    static func of(file path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        try NPZArchive(path: path).forEachMember { member, content in result[member.key] = fingerprint(content) }
        return result
    }

    private static func fingerprint(_ content: NPZContent) -> String {
        switch content {
        case .array(let array): array.dtype.descr + "\(array.shape)" + SHA256Hex.of(array.canonicalBytes())
        case .pickledObject(let object): "pickle" + SHA256Hex.of(object.pickle)
        }
    }

    static func differingKeys(_ a: [String: String], _ b: [String: String]) -> Set<String> {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
    }
}

/// Clinical measurements on a case read back through dosecurate's own reader.
struct ReadBack {
    let doseCase: DoseCase
    let masks: ChannelStack<UInt8>
    let dose: Volume<Float>

    init(_ path: String) throws {
        doseCase = try DoseCase.open(path: path)
        masks = try doseCase.masks()
        dose = try doseCase.volume("dose")
    }

    func mask(_ name: String) throws -> [UInt8] { try masks.channel(named: name).elements }

    /// Sorted doses in Gy (stored × 70, as every consumer reads them) inside `mask`.
    func dosesGy(inside mask: [UInt8]) -> [Double] {
        mask.indices.compactMap { mask[$0] != 0 ? Double(dose.elements[$0]) * 70 : nil }.sorted()
    }

    func d95Gy(_ name: String) throws -> Double {
        try XCTUnwrap(Percentile.dose(covering: 95, sortedDoses: dosesGy(inside: mask(name))))
    }

    func meanGy(_ name: String) throws -> Double {
        let doses = dosesGy(inside: try mask(name))
        return doses.reduce(0, +) / Double(max(1, doses.count))
    }

    func centroidColumn(_ name: String) throws -> Double {
        let mask = try mask(name)
        let shape = masks.shape
        var sum = 0.0, count = 0.0
        for index in mask.indices where mask[index] != 0 {
            sum += Double(index / shape.slices % shape.columns)
            count += 1
        }
        return sum / count
    }
}

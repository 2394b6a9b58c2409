import Foundation
import NumpyFormat

/// What `inspect` reports about one file, and its two renderings.
struct NPZInspection: Encodable {
    struct ArrayEntry {
        let name: String
        let dtype: String
        let shape: [Int]
        let fortranOrder: Bool
        let compression: String
        let compressedBytes: Int
        let inflatedBytes: Int
    }

    let file: String
    /// In archive order, for the table; the JSON form is keyed by array name.
    var arrays: [ArrayEntry] = []
    var error: String?

    private enum CodingKeys: String, CodingKey { case file, arrays, error }
    private enum ArrayKeys: String, CodingKey { case dtype, shape, fortranOrder, compression, compressedBytes, inflatedBytes }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encodeIfPresent(error, forKey: .error)
        var byName = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .arrays)
        for entry in arrays {
            var fields = byName.nestedContainer(keyedBy: ArrayKeys.self, forKey: DynamicKey(entry.name))
            try fields.encode(entry.dtype, forKey: .dtype)
            try fields.encode(entry.shape, forKey: .shape)
            try fields.encode(entry.fortranOrder, forKey: .fortranOrder)
            try fields.encode(entry.compression, forKey: .compression)
            try fields.encode(entry.compressedBytes, forKey: .compressedBytes)
            try fields.encode(entry.inflatedBytes, forKey: .inflatedBytes)
        }
    }

    /// Reads every member (so CRCs and headers are checked), keeping what each declares.
    static func inspect(_ file: String) -> NPZInspection {
        var report = NPZInspection(file: file)
        do {
            let archive = try NPZArchive(path: file)
            try archive.forEachMember { member, content in
                let (dtype, shape, fortranOrder) = switch content {
                case let .array(array): (array.dtype.descr, array.shape, array.header.fortranOrder)
                case let .pickledObject(object): ("|O", object.shape, object.fortranOrder)
                }
                report.arrays.append(ArrayEntry(
                    name: member.key, dtype: dtype, shape: shape, fortranOrder: fortranOrder,
                    compression: member.isCompressed ? "deflate" : "stored",
                    compressedBytes: member.compressedSize, inflatedBytes: member.inflatedSize))
            }
        } catch {
            report.error = "\(error)"
        }
        return report
    }

    static func json(_ reports: [NPZInspection]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(["cases": reports]), as: UTF8.self)
    }

    static func table(_ report: NPZInspection) -> String {
        var lines = [report.file]
        if let error = report.error {
            lines.append("  unreadable: \(error)")
            return lines.joined(separator: "\n") + "\n"
        }
        let rows = report.arrays.map { entry in
            [entry.name, entry.dtype, entry.shape.map(String.init).joined(separator: "×").ifEmpty("scalar"),
             entry.fortranOrder ? "F" : "C", entry.compression, megabytes(entry.compressedBytes), megabytes(entry.inflatedBytes)]
        }
        let header = ["array", "dtype", "shape", "order", "member", "stored MB", "inflated MB"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            lines.append("  " + row.enumerated().map { column, text in
                column >= 5 ? String(repeating: " ", count: widths[column] - text.count) + text
                    : text + String(repeating: " ", count: widths[column] - text.count)
            }.joined(separator: "  "))
        }
        let stored = report.arrays.reduce(0) { $0 + $1.compressedBytes }
        let inflated = report.arrays.reduce(0) { $0 + $1.inflatedBytes }
        lines.append("  \(report.arrays.count) arrays, \(megabytes(stored)) MB stored, \(megabytes(inflated)) MB inflated")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func megabytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_000_000) }
}

private struct DynamicKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

private extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

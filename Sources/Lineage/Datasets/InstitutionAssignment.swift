import DoseCase
import Audit
import Foundation
import NumpyFormat

/// Which institution each case came from, as `freeze` was told: one name for all, a CSV map by
/// case id, or (by default) the name of the folder holding the case.
public enum InstitutionAssignment: Sendable, Equatable {
    case fixed(String)
    case map(path: String, institutions: [String: String])
    case parentFolder

    /// How the manifest's context names the source.
    public var source: String {
        switch self {
        case let .fixed(name): "--institution \(name)"
        case let .map(path, _): "--institution-map \(path)"
        case .parentFolder: "parent-folder"
        }
    }

    /// The institution of a case; nil when a map has no row for it.
    public func institution(caseId: String, location: CaseLocation) -> String? {
        switch self {
        case let .fixed(name): name
        case let .map(_, institutions): institutions[caseId]
        case .parentFolder: Self.parentFolder(of: location)
        }
    }

    /// The folder holding the file; for a member of a delivery archive, its folder inside the
    /// archive, or the archive's own name (without its suffix) when it lies at the top.
    static func parentFolder(of location: CaseLocation) -> String {
        switch location {
        case let .file(path):
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return ((absolute as NSString).standardizingPath as NSString).deletingLastPathComponent.split(separator: "/").last.map(String.init) ?? "/"
        case let .archiveMember(archive, member):
            let folders = member.split(separator: "/").dropLast()
            if let folder = folders.last { return String(folder) }
            let name = (archive as NSString).lastPathComponent
            let suffix = DeliveryArchive.suffixes.first { name.lowercased().hasSuffix($0) } ?? ""
            return String(name.dropLast(suffix.count))
        }
    }

    /// Reads a `caseId,institution` CSV (header required; no quoting; blank lines ignored).
    public static func loadMap(path: String) throws -> InstitutionAssignment {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw LineageError.invalidInstitutionMap(path: path, reason: "\(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LineageError.invalidInstitutionMap(path: path, reason: "cannot be read as UTF-8 text")
        }
        var rows = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (line: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.text.isEmpty }
        guard let header = rows.first,
              header.text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) == ["caseId", "institution"] else {
            throw LineageError.invalidInstitutionMap(path: path, reason: "the first line must be the header caseId,institution")
        }
        rows.removeFirst()
        var institutions: [String: String] = [:]
        for row in rows {
            let fields = row.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty, !row.text.contains("\"") else {
                throw LineageError.invalidInstitutionMap(path: path, reason: "line \(row.line): expected caseId,institution (two non-empty fields, no quotes), found \(row.text)")
            }
            if let earlier = institutions[fields[0]], earlier != fields[1] {
                throw LineageError.invalidInstitutionMap(path: path, reason: "line \(row.line): case \(fields[0]) is mapped to both \(earlier) and \(fields[1])")
            }
            institutions[fields[0]] = fields[1]
        }
        return .map(path: path, institutions: institutions)
    }
}

import Foundation
import Lineage

/// `split export`: the split in the formats trainers read. Paths are the dataset version's latest
/// recorded paths (relative to the workspace when inside it; `ARCHIVE!member` inside a delivery).
public enum SplitExport {
    public enum Format: String, Sendable, CaseIterable {
        /// nnU-Net's `splits_final.json`: a list of folds `{"train": [ids], "val": [ids]}`.
        case nnunet
        /// A MONAI datalist: `training` / `validation` / `test` lists of `{"image": PATH, "caseId": ID}`.
        case monai
        /// `caseId,role,fold,stratum,institution,planType,path`.
        case csv
    }

    public static func render(_ split: SplitRevision, dataset: DatasetRevision, format: Format) throws -> Data {
        let cases = split.identity.cases
        switch format {
        case .nnunet:
            let trainVal = cases.filter { $0.role != .test }
            let folds: [[String: [String]]]
            if let count = split.identity.folds {
                folds = (0..<count).map { fold in
                    ["train": trainVal.filter { $0.fold != fold }.map(\.caseId), "val": trainVal.filter { $0.fold == fold }.map(\.caseId)]
                }
            } else {
                folds = [["train": cases.filter { $0.role == .train }.map(\.caseId), "val": cases.filter { $0.role == .val }.map(\.caseId)]]
            }
            return try json(folds)
        case .monai:
            let paths = dataset.dataset.keptPaths
            func entries(_ role: LockedSplit.Role) -> [MonaiEntry] {
                cases.filter { $0.role == role }.map { MonaiEntry(image: paths[$0.caseId] ?? "", caseId: $0.caseId, fold: $0.fold) }
            }
            return try json(["training": entries(.train), "validation": entries(.val), "test": entries(.test)])
        case .csv:
            let byId = Dictionary(dataset.identity.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
            let paths = dataset.dataset.keptPaths
            var lines = ["caseId,role,fold,stratum,institution,planType,path"]
            for assignment in cases {
                let entry = byId[assignment.caseId]
                let fold = assignment.fold.map(String.init) ?? ""
                let fields: [String] = [assignment.caseId, assignment.role.rawValue, fold, assignment.stratum, entry?.institution ?? "",
                                        entry?.planType ?? "", paths[assignment.caseId] ?? ""]
                lines.append(fields.map(csvField).joined(separator: ","))
            }
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }
    }

    private struct MonaiEntry: Encodable {
        let image: String
        let caseId: String
        let fold: Int?
    }

    private static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

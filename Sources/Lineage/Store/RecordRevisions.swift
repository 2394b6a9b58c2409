/// The `<name>@<revision>.json` files of a workspace folder (`datasets/`, `splits/`).
enum RecordRevisions {
    /// Revisions per name, ascending, and the files whose names do not parse (`isName` rejects the name part).
    static func catalog(in folder: String, of workspace: Workspace, isName: (String) -> Bool) -> (revisions: [String: [Int]], unrecognised: [String]) {
        var revisions: [String: [Int]] = [:], unrecognised: [String] = []
        for file in workspace.files(in: folder) where file != ".gitkeep" {
            guard file.hasSuffix(".json"), let at = file.lastIndex(of: "@"),
                  let revision = Int(file[file.index(after: at)..<file.index(file.endIndex, offsetBy: -5)]), revision >= 1,
                  isName(String(file[..<at])) else {
                unrecognised.append("\(folder)/\(file)")
                continue
            }
            revisions[String(file[..<at]), default: []].append(revision)
        }
        return (revisions.mapValues { $0.sorted() }, unrecognised)
    }

    /// `NAME` → its latest revision, `NAME@k` → k; nil when the catalog does not hold it.
    static func resolve(_ reference: String, in revisions: [String: [Int]]) -> (name: String, revision: Int)? {
        let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
        guard let name = parts.first, let held = revisions[name], let latest = held.last else { return nil }
        guard parts.count == 2 else { return (name, latest) }
        guard let revision = Int(parts[1]), held.contains(revision) else { return nil }
        return (name, revision)
    }
}

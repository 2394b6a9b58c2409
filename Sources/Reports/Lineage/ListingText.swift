import Lineage

/// What `list` prints: one tree per dataset version — its revisions, splits, runs and evaluations —
/// then the comparisons.
public enum ListingText {
    public static func render(_ listing: WorkspaceListing) -> String {
        var lines: [String] = []
        if listing.versions.isEmpty && listing.unpinnedEvaluations.isEmpty && listing.comparisons.isEmpty {
            lines.append("the workspace holds no record yet (`dosecurate freeze PATH…` makes the first dataset version)")
        }
        for version in listing.versions {
            let cases = version.revisions.last.map { ", \($0.cases) case\($0.cases == 1 ? "" : "s")" } ?? ""
            lines.append("\(version.id)\(cases)")
            var items: [String] = version.revisions.map { revision in
                "revision @\(revision.revision)  \(revision.createdAt)" + (revision.parent.map { "  (parent \($0))" } ?? "")
            }
            items += version.splits.map { split in
                "split \(split.name)  revisions \(split.revisions.map { "@\($0)" }.joined(separator: ", "))"
            }
            items += version.runs.map { run in
                "run \(run.runId)  \(run.createdAt ?? "?")  \(run.split ?? "?")  \(run.finished ? "finished" : "not finished")" + quoted(run.label)
            }
            items += version.evaluations.map(evaluationLine)
            for (index, item) in items.enumerated() { lines.append((index == items.count - 1 ? "└─ " : "├─ ") + item) }
        }
        if !listing.unpinnedEvaluations.isEmpty {
            lines.append("evaluations not pinned to a version")
            for (index, evaluation) in listing.unpinnedEvaluations.enumerated() {
                lines.append((index == listing.unpinnedEvaluations.count - 1 ? "└─ " : "├─ ") + evaluationLine(evaluation))
            }
        }
        if !listing.comparisons.isEmpty {
            lines.append("comparisons")
            for (index, comparison) in listing.comparisons.enumerated() {
                let sides = "A: \(comparison.a.map { String($0.prefix(8)) }.joined(separator: " ")) vs B: \(comparison.b.map { String($0.prefix(8)) }.joined(separator: " "))"
                lines.append((index == listing.comparisons.count - 1 ? "└─ " : "├─ ")
                             + "comparison \(comparison.id)  \(comparison.createdAt ?? "?")  \(sides)" + quoted(comparison.label))
            }
        }
        if !listing.unreadable.isEmpty {
            lines.append("unreadable records (see `dosecurate verify`): \(listing.unreadable.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func evaluationLine(_ evaluation: WorkspaceListing.Evaluation) -> String {
        let on = evaluation.split.map { "  \($0) \(evaluation.role ?? "")" } ?? ""
        return "evaluation \(evaluation.id)  \(evaluation.createdAt ?? "?")\(on)  \(evaluation.cases) case\(evaluation.cases == 1 ? "" : "s")"
            + quoted(evaluation.label)
    }

    private static func quoted(_ label: String?) -> String { label.map { "  \"\($0)\"" } ?? "" }
}

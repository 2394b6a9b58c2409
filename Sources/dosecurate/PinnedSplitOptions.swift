import ArgumentParser
import Evaluation
import Lineage

/// `--dataset`, `--split` and `--role`: the cases a locked split of a dataset version assigns to
/// one role, for the commands that work on pinned cases (`evaluate`, `predict`).
struct PinnedSplitOptions: ParsableArguments {
    @Option(name: .long, help: "Pin to this dataset version (dsv-…, or dsv-…@k).")
    var dataset: String?

    @Option(name: .long, help: "The locked split of that version (NAME or NAME@k).")
    var split: String?

    @Option(name: .long, help: "The split role: train, val or test.")
    var role: LockedSplit.Role = .test

    var isPinned: Bool { dataset != nil || split != nil }

    func validate() throws {
        guard (dataset == nil) == (split == nil) else { throw ValidationError("give --dataset and --split together") }
    }

    /// The selection in `workspace`, when pinned.
    func selection(in workspace: Workspace) -> SplitSelection? {
        guard let dataset, let split else { return nil }
        return SplitSelection(workspace: workspace, dataset: dataset, split: split, role: role)
    }
}

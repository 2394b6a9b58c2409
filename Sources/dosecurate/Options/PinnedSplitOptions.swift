import ArgumentParser
import Evaluation
import Lineage

/// `--dataset` and `--split`: a dataset version and a locked split of it, for the commands that
/// work on pinned data (`train`, and through `PinnedSplitOptions` `evaluate` and `predict`).
struct PinnedVersionOptions: ParsableArguments {
    @Option(name: .long, help: "Pin to this dataset version (dsv-…, or dsv-…@k).")
    var dataset: String?

    @Option(name: .long, help: "The locked split of that version (NAME or NAME@k).")
    var split: String?

    var isPinned: Bool { dataset != nil || split != nil }

    func validate() throws {
        guard (dataset == nil) == (split == nil) else { throw ValidationError("give --dataset and --split together") }
    }
}

/// The cases a locked split of a dataset version assigns to one role (`--role`).
struct PinnedSplitOptions: ParsableArguments {
    @OptionGroup var version: PinnedVersionOptions

    @Option(name: .long, help: "The split role: train, val or test.")
    var role: LockedSplit.Role = .test

    var isPinned: Bool { version.isPinned }

    /// The selection in `workspace`, when pinned.
    func selection(in workspace: Workspace) -> SplitSelection? {
        guard let dataset = version.dataset, let split = version.split else { return nil }
        return SplitSelection(workspace: workspace, dataset: dataset, split: split, role: role)
    }
}

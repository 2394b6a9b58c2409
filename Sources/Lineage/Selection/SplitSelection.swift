import Foundation

/// A request for the cases one role of a locked split assigns: the workspace, a dataset version
/// (`dsv-…` or `dsv-…@k`), a split of it (`NAME` or `NAME@k`) and the role.
public struct SplitSelection: Sendable {
    public let workspace: Workspace
    public let dataset: String
    public let split: String
    public let role: LockedSplit.Role

    public init(workspace: Workspace, dataset: String, split: String, role: LockedSplit.Role) {
        self.workspace = workspace
        self.dataset = dataset
        self.split = split
        self.role = role
    }

    /// The role's cases, verified (`PinnedSelection.resolve`).
    public func resolve(workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws -> PinnedSelection {
        try await PinnedSelection.resolve(in: workspace, dataset: dataset, split: split, roles: [role], workers: workers)
    }
}

/// A locked train/val/test split of one dataset version (`splits/NAME@k.json`, schema
/// `dosecurate/locked-split/1`): every case's role, fold and stratum, fixed once and never moved.
/// Revision 1 is `split lock`; each `split extend` adds a revision that keeps every earlier
/// assignment, adds the new cases, and names its parent by hash.
public struct LockedSplit: Sendable, Equatable {
    public static let schemaName = "dosecurate/locked-split/1"

    public enum Role: String, Sendable, Codable, CaseIterable {
        case train, val, test

        /// Allocation order inside a stratum: test first, so the rarest role is never starved.
        static let allocationOrder: [Role] = [.test, .val, .train]
    }

    public struct Algorithm: Sendable, Codable, Equatable {
        public let name: String
        public let version: Int
        /// The one algorithm: strata, hash order within a stratum, largest-remainder role counts.
        public static let current = Algorithm(name: "stratified-hash-largest-remainder", version: 1)
    }

    /// Relative weights of the roles (`--ratios 80/10/10`).
    public struct Ratios: Sendable, Codable, Equatable {
        public let train: Int
        public let val: Int
        public let test: Int

        public init(train: Int, val: Int, test: Int) {
            self.train = train
            self.val = val
            self.test = test
        }

        public func weight(_ role: Role) -> Int {
            switch role {
            case .train: train
            case .val: val
            case .test: test
            }
        }

        public var total: Int { train + val + test }
        public var text: String { "\(train)/\(val)/\(test)" }
    }

    /// One case's place in the split.
    public struct Assignment: Sendable, Codable, Equatable {
        public let caseId: String
        public let caseHash: String
        public let role: Role
        /// The cross-validation fold over train+val (`--folds K`); nil for test or without folds.
        public let fold: Int?
        /// The stratum the case was allocated in (after pooling).
        public let stratum: String
        /// The duplicate / near-duplicate group it was assigned with, when it has one.
        public let group: String?
        /// The revision that assigned it.
        public let revision: Int
    }

    /// A stratum too small to split, merged into its nearest neighbour.
    public struct Pooling: Sendable, Codable, Equatable {
        public let stratum: String
        public let into: String
        public let units: Int
    }

    public struct Strata: Sendable, Codable, Equatable {
        /// Which of `plan_type`, `institution`, `ptv70_tertile`, in the order they appear in labels.
        public let keys: [String]
        /// NumPy `percentile(volumes, [100/3, 200/3], method='lower')` of the locked version's PTV70
        /// volumes; kept by every extension. Nil without `ptv70_tertile`.
        public let ptv70TertileBoundariesCC: [Double]?
        public let pooled: [Pooling]
    }

    public struct StratumCount: Sendable, Codable, Equatable {
        public let stratum: String
        public let train: Int
        public let val: Int
        public let test: Int

        public func count(_ role: Role) -> Int {
            switch role {
            case .train: train
            case .val: val
            case .test: test
            }
        }
    }

    /// The revision an extension grew from, by its record hash.
    public struct Parent: Sendable, Codable, Equatable {
        public let revision: Int
        public let hash: String
    }

    /// What the split asserts; hashed.
    public struct Identity: Sendable, Codable, Equatable {
        public let dataset: String
        public let parent: Parent?
        public let algorithm: Algorithm
        public let seed: UInt64
        public let ratios: Ratios
        public let strata: Strata
        public let folds: Int?
        /// False when the latest extension kept new cases out of test (`--no-new-test`).
        public let newCasesInTest: Bool
        /// Sorted by case id.
        public let cases: [Assignment]
        /// Sorted by stratum.
        public let summary: [StratumCount]
    }

    public struct Context: Sendable, Codable, Equatable {
        public let createdAt: String
        public let tool: ToolBuild
        /// The dataset revision whose paths exports use (`dsv-…@k`).
        public let datasetRevision: String
    }

    public let identity: Identity
    public let context: Context
}

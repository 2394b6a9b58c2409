import Support
import DoseCase
import Dosimetry

/// What a phantom cohort holds, decided before anything is generated: one entry per file.
///
/// Clean cases cycle through every version × plan type the format allows (v2.4: all four plan
/// types; v2.3 and v2.2: single_rx and sib_2level, having no PTV50.4 channel), spread over the
/// institutions so each institution gets each kind in turn. Each selected defect then adds its
/// own case(s), numbered after the clean ones. Seeds derive from the cohort seed and the case's
/// number alone, so adding defects or cases never changes the cases already there.
public struct CohortPlan: Sendable {
    public struct Entry: Sendable {
        /// Path relative to the cohort folder: `INSTITUTION/CASE.npz`, or `CASE.npz` without institutions.
        public var fileName: String
        public var recipe: PhantomRecipe
        /// For the second file of an exact duplicate: the file it copies byte for byte.
        public var copyOf: String?
    }

    /// What the user asked for.
    public struct Options: Sendable {
        public var cleanCases: Int
        public var defects: [PlantedDefect]
        public var institutions: [String]
        public var size: PhantomSize
        public var seed: UInt64
        /// The number of the first case id (`case_0000` by default), so a later delivery can be
        /// numbered after an earlier one and no id collides.
        public var firstCaseNumber: Int

        public init(cleanCases: Int, defects: [PlantedDefect], institutions: [String], size: PhantomSize, seed: UInt64,
                    firstCaseNumber: Int = 0) {
            self.cleanCases = cleanCases
            self.defects = defects
            self.institutions = institutions
            self.size = size
            self.seed = seed
            self.firstCaseNumber = firstCaseNumber
        }
    }

    public let options: Options
    public let entries: [Entry]

    /// Version × plan type of clean cases, in the order they are dealt.
    public static let cleanKinds: [(FormatVersion, PlanType)] = [
        (.v2_4, .singleRx), (.v2_4, .sib2Level), (.v2_4, .sib3Level), (.v2_4, .nodalOnly),
        (.v2_3, .singleRx), (.v2_3, .sib2Level), (.v2_2, .singleRx), (.v2_2, .sib2Level),
    ]

    public init(_ options: Options) {
        self.options = options
        let institutions = options.institutions, seed = options.seed
        var entries: [Entry] = []
        var number = options.firstCaseNumber
        func institution(_ number: Int) -> String? { institutions.isEmpty ? nil : institutions[number % institutions.count] }
        func recipe(_ number: Int, _ kind: (FormatVersion, PlanType), defect: PlantedDefect?, patientOf: Int? = nil,
                    institutionSlot: Int? = nil) -> PhantomRecipe {
            PhantomRecipe(caseId: Self.caseId(number), institution: institution(institutionSlot ?? patientOf ?? number), planType: kind.1,
                          formatVersion: kind.0, patientSeed: Self.seed(seed, stream: 1 << 40 | UInt64(patientOf ?? number)),
                          planSeed: Self.seed(seed, stream: 2 << 40 | UInt64(number)), defect: defect)
        }
        func file(_ recipe: PhantomRecipe, number: Int) -> String {
            (recipe.institution.map { $0 + "/" } ?? "") + Self.caseId(number) + ".npz"
        }
        for index in 0..<options.cleanCases {
            let kinds = Self.cleanKinds.count
            // Round r deals kind j to institution (j + r) mod k, so every institution gets every kind.
            let made = recipe(number, Self.cleanKinds[index % kinds], defect: nil,
                              institutionSlot: index % kinds + index / kinds)
            entries.append(Entry(fileName: file(made, number: number), recipe: made))
            number += 1
        }
        for defect in PlantedDefect.allCases where options.defects.contains(defect) {
            let first = recipe(number, defect.base, defect: defect)
            entries.append(Entry(fileName: file(first, number: number), recipe: first))
            let firstNumber = number
            number += 1
            switch defect {
            case .exactDuplicate:
                // The same bytes under another file name: metadata (and so the case id) included.
                entries.append(Entry(fileName: file(first, number: number), recipe: first, copyOf: file(first, number: firstNumber)))
                number += 1
            case .nearDuplicate:
                // The same patient (anatomy, CT) re-planned: another plan seed and case id.
                let replanned = recipe(number, defect.base, defect: defect, patientOf: firstNumber)
                entries.append(Entry(fileName: file(replanned, number: number), recipe: replanned))
                number += 1
            default: break
            }
        }
        self.entries = entries
    }

    static func caseId(_ number: Int) -> String {
        let digits = String(number)
        return "case_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func seed(_ cohortSeed: UInt64, stream: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: cohortSeed, stream: stream)
        return generator.next()
    }
}

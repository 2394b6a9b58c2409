// swift-tools-version:6.0
import PackageDescription

// The numeric modules are optimised in debug builds too: the tests build cohorts, audit them,
// compute full gamma maps, DVHs, distance maps and training steps, which unoptimised generic
// (SIMD) code makes ten times slower.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "dosecurate",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Support", targets: ["Support"]),
        .library(name: "NumpyFormat", targets: ["NumpyFormat"]),
        .library(name: "DoseCase", targets: ["DoseCase"]),
        .library(name: "Dosimetry", targets: ["Dosimetry"]),
        .library(name: "Audit", targets: ["Audit"]),
        .library(name: "Lineage", targets: ["Lineage"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Workflows", targets: ["Workflows"]),
        .library(name: "Phantoms", targets: ["Phantoms"]),
        .library(name: "Engine", targets: ["Engine"]),
        .executable(name: "dosecurate", targets: ["dosecurate"]),
        .executable(name: "dosecurate-bench", targets: ["dosecurate-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // YAML for `train --config` (JSON files are read without it).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // System-library shims over Debian's -dev packages (DESIGN.md, module table).
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // glibc's <malloc.h> (mallopt), for the engine's allocation policy.
        .systemLibrary(name: "CMalloc"),

        // The bottom module: JSON values and their canonical form, SHA-256 hex, atomic files, the
        // seeded generator, crash points and a lock box — what several modules share.
        .target(name: "Support", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "NumpyFormat",
            dependencies: ["Support", "CArchive", "CISAL"],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "DoseCase",
            dependencies: ["Support", "NumpyFormat", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: optimisedInDebug
        ),
        // The gamma index's inner loop in C: AVX-512 / AVX2 / scalar, chosen at run time (Swift cannot
        // reach the vector units without fixing the CPU at build time). -O2 in debug builds too: the
        // tests compare full gamma maps.
        .target(name: "CGammaKernel", cSettings: [.unsafeFlags(["-O2"])]),
        // The convolutions' matrix products (AVX-512 / AVX2 / portable, chosen at run time): the
        // machine's BLAS may not know its CPU (Debian's OpenBLAS falls back to SSE3 kernels on
        // some) and is tuned for large square products, not 8–64 output channels.
        .target(name: "CEngineKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Dosimetry", dependencies: ["NumpyFormat", "Support", "DoseCase", "CGammaKernel"], swiftSettings: optimisedInDebug),
        .target(name: "Audit", dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry"], swiftSettings: optimisedInDebug),
        .target(name: "Lineage", dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry", "Audit"], plugins: ["EmbedBuildCommit"]),
        .plugin(name: "EmbedBuildCommit", capability: .buildTool()),
        .target(name: "Evaluation", dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry", "Audit", "Lineage"]),
        .target(name: "Reports", dependencies: ["DoseCase", "Dosimetry", "NumpyFormat", "Support", "Audit", "Lineage", "Evaluation", "CXML2", "CISAL"]),
        .target(name: "Workflows", dependencies: ["DoseCase", "Dosimetry", "Phantoms", "Support", "NumpyFormat", "Audit", "Lineage", "Evaluation", "Reports", "Engine",
                                                .product(name: "Yams", package: "Yams")]),
        .target(name: "Phantoms", dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry"], swiftSettings: optimisedInDebug),
        .target(name: "Engine", dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry", "CBLAS", "CEngineKernels", "CHDF5", "CMalloc"],
                swiftSettings: optimisedInDebug),
        .executableTarget(
            name: "dosecurate",
            dependencies: ["Support", "NumpyFormat", "DoseCase", "Dosimetry", "Audit", "Lineage", "Evaluation", "Reports", "Workflows", "Phantoms", "Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "dosecurate-bench",
            dependencies: ["CBLAS", "Support", "NumpyFormat", "DoseCase", "Dosimetry", "Audit", "Evaluation", "Phantoms", "Engine", "CArchive", .product(name: "Crypto", package: "swift-crypto")]
        ),

        .testTarget(name: "SupportTests", dependencies: ["Support"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SystemShimTests", dependencies: ["CArchive", "CHDF5", "CXML2", "CBLAS"]),
        .testTarget(
            name: "NumpyFormatTests",
            dependencies: ["NumpyFormat", "Support", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "DoseCaseTests",
            dependencies: ["DoseCase", "NumpyFormat"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "DosimetryTests",
            dependencies: ["NumpyFormat", "Support", "Dosimetry", "DoseCase"],
            resources: [.copy("Fixtures")]
        ),
        // The phantom cohort (and its audit) every test target shares, generated once per test run.
        .target(name: "SharedCohort", dependencies: ["DoseCase", "Support", "Phantoms", "Audit", "Lineage"], path: "Tests/SharedCohort"),
        .testTarget(name: "PhantomsTests", dependencies: ["Support", "Phantoms", "DoseCase", "Dosimetry", "NumpyFormat", "SharedCohort"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Phantoms", "DoseCase", "NumpyFormat", "SharedCohort"]),
        .testTarget(name: "LineageTests", dependencies: ["DoseCase", "Support", "Lineage", "Audit", "Phantoms", "SharedCohort"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EvaluationTests", dependencies: ["Support", "Evaluation", "Dosimetry", "DoseCase", "NumpyFormat", "Lineage", "Phantoms", "SharedCohort"]),
        .testTarget(name: "ReportsTests", dependencies: ["Phantoms", "Reports", "Audit", "Lineage", "CXML2", "SharedCohort", "DoseCase", "NumpyFormat"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Dosimetry", "Support", "Workflows", "Lineage", "Audit", "DoseCase", "Evaluation", "NumpyFormat", "Phantoms", "Reports", "Engine", "SharedCohort"]),
        .testTarget(name: "EngineTests", dependencies: ["DoseCase", "Dosimetry", "Support", "Engine", "CEngineKernels", "NumpyFormat", "SharedCohort"], resources: [.copy("Fixtures")]),
        // Fixtures are read through #filePath (the binary under test gets their paths), not bundled.
        .testTarget(name: "dosecurateTests", dependencies: ["Support", "dosecurate", "Phantoms", "Engine", "Dosimetry", "NumpyFormat", "SharedCohort"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

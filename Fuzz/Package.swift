// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for the parsers that read untrusted bytes (docs/fuzzing.md). A separate
// package, so the sanitized build lives in its own scratch folder and never touches the root
// package's `.build`. Build and run it with `make fuzz` / `make fuzz-smoke`; the Makefile's
// FUZZ_BUILD_FLAGS are the exact flags.
let package = Package(
    name: "dosecurate-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "dosecurate", path: ".."),
    ],
    targets: [
        // libFuzzer's driver, declared for Swift (the library comes with `-sanitize=fuzzer`).
        .systemLibrary(name: "CLibFuzzer"),
        // One sanitized binary; `DOSECURATE_FUZZ_TARGET` picks the harness.
        .executableTarget(
            name: "dosecurate-fuzz",
            dependencies: [
                "CLibFuzzer",
                .product(name: "NumpyFormat", package: "dosecurate"),
                .product(name: "Support", package: "dosecurate"),
                .product(name: "Engine", package: "dosecurate"),
                .product(name: "Dosimetry", package: "dosecurate"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

import Foundation
import XCTest
@testable import NumpyFormat

/// The fixtures made by `Fixtures/pickle/make_pickle_fixtures.py`, and a way to ask a real
/// numpy about Swift's output through the same script's `check` mode.
enum PickleFixtures {
    struct Manifest: Decodable {
        let numpy2: String
        let numpy1: String
        let markerPath: String
        let fixtures: [Entry]
        let expected: [String: String]

        enum CodingKeys: String, CodingKey {
            case numpy2, numpy1, fixtures, expected
            case markerPath = "marker_path"
        }
    }

    struct Entry: Decodable {
        let file: String
        let kind: String
        let protocolVersion: Int?
        let expected: String?
        let byteIdentical: Bool?
        let pythonTypesPreserved: Bool?
        let dialect: String?
        let expectedError: ExpectedError?

        enum CodingKeys: String, CodingKey {
            case file, kind, expected, dialect
            case protocolVersion = "protocol"
            case byteIdentical = "byte_identical"
            case pythonTypesPreserved = "python_types_preserved"
            case expectedError = "expected_error"
        }

        var pickleDialect: PickleDialect? {
            switch dialect {
            case "numpy2": return .numpy2
            case "numpy1": return .numpy1
            default: return nil
            }
        }
    }

    /// What the manifest says an error must be; only the fields it names are compared.
    struct ExpectedError: Decodable {
        let errorCase: String
        let module: String?
        let name: String?
        let byte: Int?
        let offset: Int?
        let opcode: String?
        let key: UInt64?
        let descr: String?
        let found: String?

        enum CodingKeys: String, CodingKey {
            case errorCase = "case"
            case module, name, byte, offset, opcode, key, descr, found
        }

        /// Nil when `error` matches, else what differs.
        func mismatch(with error: PickleError) -> String? {
            let actualCase = PickleFixtures.caseName(of: error)
            guard actualCase == errorCase else { return "expected \(errorCase), got \(error)" }
            switch error {
            case .disallowedGlobal(let actualModule, let actualName):
                if actualModule != module || actualName != name { return "expected \(module ?? "?").\(name ?? "?"), got \(error)" }
            case .unknownOpcode(let actualByte, let actualOffset):
                if let byte, Int(actualByte) != byte { return "byte: \(error)" }
                if let offset, actualOffset != offset { return "offset: \(error)" }
            case .lengthExceedsLimit(let actualOpcode, _, _, _):
                if let opcode, actualOpcode != opcode { return "opcode: \(error)" }
            case .memoKeyMissing(let actualKey, _):
                if let key, actualKey != key { return "key: \(error)" }
            case .unsupportedDType(let actualDescr):
                if let descr, actualDescr != descr { return "descr: \(error)" }
            case .notADictionary(let actualFound):
                if let found, actualFound != found { return "found: \(error)" }
            default:
                break
            }
            return nil
        }
    }

    static var directory: URL {
        get throws {
            guard let resources = Bundle.module.resourceURL else {
                throw XCTSkip("test bundle has no resource directory")
            }
            return resources.appendingPathComponent("Fixtures/pickle", isDirectory: true)
        }
    }

    static func manifest() throws -> Manifest {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    static func caseName(of error: PickleError) -> String {
        // Mirror names the case of an enum value with a payload; `recursiveStructure` has none.
        Mirror(reflecting: error).children.first?.label ?? "recursiveStructure"
    }

    // MARK: - numpy's verdict on Swift's output

    struct CheckRequest: Encodable {
        let path: String
        var reference: String?
        var redumpProtocol: Int?

        enum CodingKeys: String, CodingKey {
            case path, reference
            case redumpProtocol = "redump_protocol"
        }
    }

    struct CheckResult: Decodable {
        let numpy: String
        let canonicalJSON: String?
        let equalsReference: Bool?
        let redumpIdentical: Bool?
        let error: String?

        enum CodingKeys: String, CodingKey {
            case numpy, error
            case canonicalJSON = "canonical_json"
            case equalsReference = "equals_reference"
            case redumpIdentical = "redump_identical"
        }
    }

    /// A Python interpreter with numpy of the given major version, or nil. `python3` on
    /// PATH is expected to carry numpy 2; Debian's `/usr/bin/python3` numpy 1
    /// (`apt-get install python3-numpy`).
    static func python(numpyMajor: Int) -> String? {
        let candidates = numpyMajor == 1 ? ["/usr/bin/python3", "python3"] : ["python3", "/usr/bin/python3"]
        for candidate in candidates {
            guard let version = try? run(candidate, ["-c", "import numpy; print(numpy.__version__)"], input: nil),
                  let text = String(data: version, encoding: .utf8),
                  text.hasPrefix("\(numpyMajor).")
            else { continue }
            return candidate
        }
        return nil
    }

    /// Probed once per test run: starting Python and importing numpy costs ~0.3 s.
    private static let numpy2Python = python(numpyMajor: 2)
    private static let numpy1Python = python(numpyMajor: 1)

    static func requirePython(numpyMajor: Int) throws -> String {
        guard let python = numpyMajor == 1 ? numpy1Python : numpy2Python else {
            throw XCTSkip("no python3 with numpy \(numpyMajor).x found; install it to check Swift's pickles against numpy")
        }
        return python
    }

    static func check(_ requests: [CheckRequest], python: String) throws -> [CheckResult] {
        let script = try directory.appendingPathComponent("make_pickle_fixtures.py").path
        let input = try JSONEncoder().encode(requests)
        let output = try run(python, [script, "check"], input: input)
        return try JSONDecoder().decode([CheckResult].self, from: output)
    }

    /// Runs a program (looked up on PATH unless absolute) and returns its stdout.
    static func run(_ program: String, _ arguments: [String], input: Data?) throws -> Data {
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "PickleFixtures", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(program) \(arguments.first ?? "") exited with \(process.terminationStatus)"])
        }
        return data
    }

    /// A temporary directory removed by the caller's `addTeardownBlock`.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pickle-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A format-1.0 `.npy` whose data is `pickle` — what `np.save` writes for a 0-d object
    /// array — so numpy's own loader, not just `pickle.loads`, reads Swift's bytes.
    static func objectNPY(pickle: [UInt8]) -> [UInt8] {
        var header = Array("{'descr': '|O', 'fortran_order': False, 'shape': (), }".utf8)
        let unpadded = 10 + header.count + 1
        header += [UInt8](repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64)
        header.append(UInt8(ascii: "\n"))
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + pickle
    }
}

import Foundation

/// Runs a program for a test and collects what it printed.
public enum TestProcess {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public let errors: String
    }

    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while the child runs, so neither fills and blocks it.
        let errorBox = DataBox(), reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errorBox.data = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorBox.data, as: UTF8.self))
    }

    /// Runs a Python script with numpy (`python3` on PATH), failing with its stderr when it fails.
    public static func python(_ script: String, _ arguments: [String]) throws {
        let result = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
        guard result.status == 0 else { throw TestProcessError.failed(command: "python3 \(arguments)", errors: result.errors) }
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }
}

public enum TestProcessError: Error, CustomStringConvertible {
    case failed(command: String, errors: String)
    public var description: String {
        switch self {
        case let .failed(command, errors): "\(command) failed: \(errors)"
        }
    }
}

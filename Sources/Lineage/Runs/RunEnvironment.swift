import Support
import Foundation

/// The machine a run (or a resume) ran on: kept in a record's context, never hashed.
public struct RunEnvironment: Sendable, Equatable {
    public let host: String
    public let swiftVersion: String
    public let os: String
    public let cpuModel: String
    public let cores: Int
    /// `nvidia-smi -L`'s lines; empty when there is no NVIDIA driver.
    public let gpus: [String]
    /// The scheduler's and the launcher's variables, when set: every `SLURM_*`,
    /// `CUDA_VISIBLE_DEVICES`, `WORLD_SIZE`.
    public let variables: [String: String]
    /// The built-in engine's BLAS and thread count; nil for an external engine.
    public let blas: String?, threads: Int?

    /// This machine. `blas` and `threads` describe the built-in engine when it is the one training.
    public static func current(blas: String? = nil, threads: Int? = nil) -> RunEnvironment {
        let environment = ProcessInfo.processInfo.environment
        let variables = environment.filter { $0.key.hasPrefix("SLURM_") || schedulerVariables.contains($0.key) }
        return RunEnvironment(host: ProcessInfo.processInfo.hostName, swiftVersion: compilerVersion, os: operatingSystem, cpuModel: cpuModelName,
                              cores: ProcessInfo.processInfo.activeProcessorCount, gpus: nvidiaGPUs, variables: variables, blas: blas, threads: threads)
    }

    static let schedulerVariables: Set<String> = ["CUDA_VISIBLE_DEVICES", "WORLD_SIZE"]

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "host": .string(host), "swiftVersion": .string(swiftVersion), "os": .string(os), "cpuModel": .string(cpuModel),
            "cores": .int(Int64(cores)), "gpus": .array(gpus.map(JSONValue.string)), "variables": .object(variables.mapValues(JSONValue.string)),
        ]
        if let blas { members["blas"] = .string(blas) }
        if let threads { members["threads"] = .int(Int64(threads)) }
        return .object(members)
    }

    /// The compiler this build was made with (Swift has no run-time query for it).
    static var compilerVersion: String {
        #if compiler(>=6.3)
        "6.3 or later"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static var operatingSystem: String {
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return [pretty, "kernel " + ProcessInfo.processInfo.operatingSystemVersionString].compactMap { $0 }.joined(separator: ", ")
    }

    static var cpuModelName: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    static var nvidiaGPUs: [String] {
        guard let listing = HelperCommand.output(["nvidia-smi", "-L"]) else { return [] }
        return listing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Where a folder stands in git: the checked-out commit and whether anything under the folder
/// differs from it (tracked changes, or untracked files git does not ignore), leaving out
/// `.dosecurate/` (the tool's cache, lock and journal: never inputs).
public struct GitState: Sendable, Equatable {
    public let commit: String?
    public let dirty: Bool

    /// Nil when `directory` is not inside a git work tree (or git is not installed).
    public static func of(directory: String) -> GitState? {
        guard let inside = HelperCommand.output(["git", "-C", directory, "rev-parse", "--is-inside-work-tree"]), inside == "true" else { return nil }
        let commit = HelperCommand.output(["git", "-C", directory, "rev-parse", "--verify", "--quiet", "HEAD"])
        let status = HelperCommand.output(["git", "-C", directory, "status", "--porcelain", "--", ".", ":(exclude).dosecurate"]) ?? ""
        return GitState(commit: commit.flatMap { $0.isEmpty ? nil : $0 }, dirty: !status.isEmpty)
    }

    static func json(_ state: GitState?) -> JSONValue {
        state.map { .object(["commit": $0.commit.map(JSONValue.string) ?? .null, "dirty": .bool($0.dirty)]) } ?? .null
    }
}

/// A short-lived helper program (git, nvidia-smi) looked up on PATH.
enum HelperCommand {
    /// Its standard output, trimmed; nil when it is not installed or exits non-zero.
    static func output(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

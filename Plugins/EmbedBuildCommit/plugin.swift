import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` (the git commit the tool is built from, or nil outside a git
/// checkout) into the target before every build, so a plain `swift build` records it: run
/// records name the code that produced them (issue 13, `tool.commit`).
@main
struct EmbedBuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let file = output.appendingPathComponent("BuildCommit.swift").path
        let repository = context.package.directoryURL.path
        // git may be missing or the source may not be a checkout: then the commit is nil.
        let script = """
            mkdir -p '\(output.path)'
            commit=$(git -C '\(repository)' rev-parse HEAD 2>/dev/null || true)
            if [ -n "$commit" ]; then value="\\"$commit\\""; else value="nil"; fi
            text="/// Generated before each build by the EmbedBuildCommit plugin.
            let buildCommit: String? = $value"
            if [ "$(cat '\(file)' 2>/dev/null)" != "$text" ]; then printf '%s\\n' "$text" > '\(file)'; fi
            """
        return [.prebuildCommand(displayName: "Embedding the git commit", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script], outputFilesDirectory: output)]
    }
}

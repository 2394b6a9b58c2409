import Support
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An external engine's command, run as `dosecurate run` promises: its output goes to the
/// terminal and to a log file, and SIGINT / SIGTERM sent to dosecurate reach it.
///
/// The command runs in its own process group, so a signal is delivered to it (and to the workers
/// a launcher such as `torchrun` starts) once, by dosecurate, rather than twice by the terminal
/// and by dosecurate. posix_spawn rather than Foundation's `Process`: it puts the child in its own
/// group and restores the default action of the signals dosecurate ignores while it waits.
struct ChildProcess {
    struct Termination: Sendable, Equatable {
        /// The exit status; 128 + the signal when a signal ended the command (as shells report it).
        let exitCode: Int32
        /// The signal that ended the command, when one did.
        let signal: Int32?
        /// The first SIGINT or SIGTERM dosecurate received and passed on.
        let forwardedSignal: Int32?
    }

    let executable: String
    let arguments: [String]
    private(set) var environment: [String: String]

    /// Looks `command[0]` up as a shell would (a name with a `/` as it is, else on `PATH`).
    init(command: [String], environment: [String: String]) throws {
        guard let name = command.first, !name.isEmpty else { throw RunError.noCommand }
        let candidates = name.contains("/") ? [name]
            : (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map { "\($0.isEmpty ? "." : String($0))/\(name)" }
        var isDirectory: ObjCBool = false
        guard let found = candidates.first(where: {
            access($0, X_OK) == 0 && FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }) else { throw RunError.commandNotFound(name) }
        (executable, arguments, self.environment) = (found, command, environment)
    }

    /// The same command with more environment variables.
    func adding(_ variables: [String: String]) -> ChildProcess {
        var copy = self
        copy.environment.merge(variables) { _, new in new }
        return copy
    }

    /// Runs the command to its end, appending everything it prints to `log`.
    func run(log: String) throws -> Termination {
        let logFile = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard logFile >= 0 else { throw RunError.cannotStart(command: arguments[0], reason: "cannot create \(log): \(errorText())") }
        defer { close(logFile) }
        var output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        // Close-on-exec: the child keeps only the ends dup'ed onto its stdout and stderr
        // (pipe2 is a GNU extension Swift's Glibc module does not show).
        guard pipe(&output) == 0, pipe(&errors) == 0, (output + errors).allSatisfy({ fcntl($0, F_SETFD, FD_CLOEXEC) == 0 }) else {
            throw RunError.cannotStart(command: arguments[0], reason: "no pipe: \(errorText())")
        }

        // Ignored while the command runs; the handlers pass them on to its process group.
        let state = LockedBox<(child: pid_t?, forwarded: Int32?)>((nil, nil))
        let forwarded: [Int32] = [SIGINT, SIGTERM]
        let sources = forwarded.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let child = state.withLock { current -> pid_t? in
                    if current.forwarded == nil { current.forwarded = number }
                    return current.child
                }
                if let child { kill(-child, number) }
            }
            source.resume()
            return source
        }
        // A terminal that went away must not kill dosecurate before the result is written.
        signal(SIGPIPE, SIG_IGN)
        defer {
            sources.forEach { $0.cancel() }
            (forwarded + [SIGPIPE]).forEach { signal($0, SIG_DFL) }
        }

        let child = try spawn(output: output[1], errors: errors[1])
        close(output[1])
        close(errors[1])
        // A signal that came before the child existed is passed on now.
        if let early = state.withLock({ current -> Int32? in current.child = child; return current.forwarded }) { kill(-child, early) }
        copy(from: [output[0], errors[0]], to: [STDOUT_FILENO, STDERR_FILENO], log: logFile)
        close(output[0])
        close(errors[0])

        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let received = state.withLock { $0.forwarded }
        // waitpid's status: the low 7 bits are the terminating signal, 0 when the command exited.
        let signalNumber = status & 0x7F
        return signalNumber == 0
            ? Termination(exitCode: (status >> 8) & 0xFF, signal: nil, forwardedSignal: received)
            : Termination(exitCode: 128 + signalNumber, signal: signalNumber, forwardedSignal: received)
    }

    private func spawn(output: Int32, errors: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, errors, STDERR_FILENO)
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        sigemptyset(&empty)
        for number in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let failure = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard failure == 0 else { throw RunError.cannotStart(command: arguments[0], reason: String(cString: strerror(failure))) }
        return child
    }

    /// Copies each source to its destination and to the log until every source is closed.
    private func copy(from sources: [Int32], to destinations: [Int32], log: Int32) {
        var open = sources.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while open.contains(where: { $0.fd >= 0 }) {
            guard poll(&open, nfds_t(open.count), -1) >= 0 || errno == EINTR else { return }
            for index in open.indices where open[index].fd >= 0 && open[index].revents != 0 {
                let count = read(open[index].fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    open[index].fd = -1  // poll skips negative descriptors
                    continue
                }
                buffer.withUnsafeBytes { bytes in
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                    writeFully(destinations[index], piece)
                    writeFully(log, piece)
                }
            }
        }
    }

    private func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // a closed terminal must not stop the command's log
            offset += written
        }
    }

    private func errorText() -> String { String(cString: strerror(errno)) }
}

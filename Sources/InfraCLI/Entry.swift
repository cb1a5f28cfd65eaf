import ArgumentParser
import Foundation
import InfraDSL

// The CLI as a library: a user's executable is a complete `infra` for its own stack definitions.
//
//     import InfraCLI
//     InfraCommand.main(definitions: [
//         StackDefinition(name: "orders", summary: "queue, bucket, worker") { app, config in
//             OrdersStack.build(app, config: config)
//         },
//     ])
//
// Every command (synth, ls, deploy, diff, destroy, bootstrap) then works for those definitions,
// with config/*.json files naming them in `app`, `-c KEY=VALUE` and `--config DIR`.

extension InfraCommand {
    /// Where `definitions` come from until first read: set by `main(definitions:)` and
    /// `main(builtin:)`, called only by a command that reads the config (`infra --help` builds no
    /// definition, and so no settings schema).
    nonisolated(unsafe) private static var loadDefinitions: () -> [StackDefinition] = { [] }
    nonisolated(unsafe) private static var loadedDefinitions: [StackDefinition]?

    /// The stack definitions config files may name (`app`). The InfraCLI library knows none: the
    /// `infra` executable registers the built-in stacks (`main(builtin:)`, the BuiltinStacks
    /// module), a user's executable its own (`main(definitions:)`). Settable (tests).
    public static var definitions: [StackDefinition] {
        get {
            if let loadedDefinitions { return loadedDefinitions }
            let loaded = loadDefinitions()
            loadedDefinitions = loaded
            return loaded
        }
        set { loadedDefinitions = newValue }
    }

    /// True when this process is the built-in `infra` executable (it forwards to a project's app,
    /// see `ProjectFile`); a user's executable started with `main(definitions:)` never forwards.
    nonisolated(unsafe) static var forwardsToProjectApp = false

    /// Runs the CLI for `definitions` (a user's stacks, evaluated only when a command reads the
    /// config) and exits with its status. Never crashes on a synthesis or config error: the
    /// diagnostics are printed and the status is non-zero.
    public static func main(definitions: @autoclosure @escaping () -> [StackDefinition], arguments: [String]? = nil) -> Never {
        loadDefinitions = definitions
        loadedDefinitions = nil
        forwardsToProjectApp = false
        start(arguments ?? Array(CommandLine.arguments.dropFirst()))
    }

    /// The `infra` executable's entry point: the built-in stacks (`StackRegistry.all` of the
    /// BuiltinStacks module), and in a folder with an `infra.json` project file the project's
    /// app runs the command (see `ProjectFile`).
    public static func main(builtin definitions: @autoclosure @escaping () -> [StackDefinition]) -> Never {
        loadDefinitions = definitions
        loadedDefinitions = nil
        forwardsToProjectApp = true
        start(Array(CommandLine.arguments.dropFirst()))
    }

    /// Parses on the main thread and runs a synchronous command there; an asynchronous one
    /// (deploy, diff, destroy, bootstrap, watch) runs in a task while the main thread serves the
    /// main queue, as an `async` main does.
    private static func start(_ args: [String]) -> Never {
        if forwardsToProjectApp, let forwarded = ProjectFile.forward(args) { Foundation.exit(forwarded) }
        if let status = ProjectFile.appProtocol(args) { Foundation.exit(status) }
        // The two command lines start-up is measured by, without ArgumentParser's parse (its
        // command tree and completion-script check): the same help text, a plain synth.
        if args == ["--help"] || args == ["-h"] {
            print(helpMessage())
            Foundation.exit(0)
        }
        if let synth = Synth.Plain(args) { Foundation.exit(status { try synth.run() }) }
        let command: ParsableCommand
        do {
            command = try parseAsRoot(args)
        } catch {
            Foundation.exit(status(for: error))
        }
        guard var asynchronous = command as? AsyncParsableCommand else {
            var synchronous = command
            Foundation.exit(status { try synchronous.run() })
        }
        Task.detached {
            let code = await status { try await asynchronous.run() }
            Foundation.exit(code)
        }
        dispatchMain()
    }

    /// Parses and runs one command line; returns the exit status: 0 success (help included),
    /// 1 failure, 2 usage or config error (ArgumentParser's 64 mapped to 2, as documented), 130 Ctrl-C.
    public static func run(arguments: [String]?) async -> Int32 {
        let args = arguments ?? Array(CommandLine.arguments.dropFirst())
        if forwardsToProjectApp, let forwarded = ProjectFile.forward(args) { return forwarded }
        if let status = ProjectFile.appProtocol(args) { return status }
        return await status {
            var command = try parseAsRoot(args)
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        }
    }

    private static func status(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            return status(for: error)
        }
    }

    private static func status(_ body: () async throws -> Void) async -> Int32 {
        do {
            try await body()
            return 0
        } catch {
            return status(for: error)
        }
    }

    /// Prints what `error` says (help and version on standard output) and returns its status.
    private static func status(for error: Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            return 0
        }
        if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        if code == .validationFailure { return 2 }
        return code.rawValue
    }
}

/// The project's definitions, for the commands that build stacks.
extension ProjectOptions {
    /// The project, or a config error saying where infra looked and what else works.
    func checkedProject() throws -> Project {
        try Self.checkedProject(configDirectory: configDirectory)
    }

    static func checkedProject(configDirectory: String) throws -> Project {
        let url = URL(fileURLWithPath: configDirectory)
        try ProjectFile.requireConfigFolder(url, flag: configDirectory)
        return Project(configDirectory: url, definitions: InfraCommand.definitions)
    }
}

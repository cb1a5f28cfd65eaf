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
    /// The stack definitions config files may name (`app`). The `infra` executable registers the
    /// built-in stacks (`StackRegistry.all`); `main(definitions:)` replaces them.
    nonisolated(unsafe) public static var definitions: [StackDefinition] = StackRegistry.all

    /// True when this process is the built-in `infra` executable (it forwards to a project's app,
    /// see `ProjectFile`); a user's executable started with `main(definitions:)` never forwards.
    nonisolated(unsafe) static var forwardsToProjectApp = false

    /// Runs the CLI for `definitions` (a user's stacks) and exits with its status. Never crashes
    /// on a synthesis or config error: the diagnostics are printed and the status is non-zero.
    public static func main(definitions: [StackDefinition], arguments: [String]? = nil) -> Never {
        self.definitions = definitions
        forwardsToProjectApp = false
        Foundation.exit(run(arguments: arguments))
    }

    /// The `infra` executable's entry point: the built-in stacks, and in a folder with an
    /// `infra.json` project file the project's app runs the command (see `ProjectFile`).
    public static func main() {
        forwardsToProjectApp = true
        Foundation.exit(run(arguments: nil))
    }

    /// Parses and runs one command line; returns the exit status: 0 success (help included),
    /// 1 failure, 2 usage or config error (ArgumentParser's 64 mapped to 2, as documented), 130 Ctrl-C.
    public static func run(arguments: [String]?) -> Int32 {
        let args = arguments ?? Array(CommandLine.arguments.dropFirst())
        if forwardsToProjectApp, let forwarded = ProjectFile.forward(args) { return forwarded }
        do {
            var command = try parseAsRoot(args)
            try command.run()
            return 0
        } catch {
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
}

/// The project's definitions, for the commands that build stacks.
extension ProjectOptions {
    /// The project, or a config error saying where infra looked and what else works.
    func checkedProject() throws -> Project {
        let url = URL(fileURLWithPath: configDirectory)
        try ProjectFile.requireConfigFolder(url, flag: configDirectory)
        return Project(configDirectory: url, definitions: InfraCommand.definitions)
    }
}

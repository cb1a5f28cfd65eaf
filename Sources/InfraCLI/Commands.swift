import ArgumentParser
import Foundation
import InfraDSL

extension TemplateFormat: ExpressibleByArgument {}

/// `infra`: synthesize, deploy, diff and destroy CloudFormation stacks written in Swift.
public struct InfraCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "infra",
        abstract: "Infrastructure as typed Swift: synthesize and deploy CloudFormation stacks.",
        subcommands: [Synth.self, List.self, ContextCommand.self, Deploy.self, Watch.self, Diff.self, Destroy.self,
                      Bootstrap.self, GraphCommand.self, Init.self])

    public init() {}
}

/// Options shared by the commands that read the project's config.
struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The folder of stack config files.")
    var configDirectory: String = "config"

    @Option(name: .customShort("c"), help: ArgumentHelp("Override a context value (KEY=VALUE); repeatable.", valueName: "KEY=VALUE"))
    var context: [String] = []

    func project() -> Project {
        Project(configDirectory: URL(fileURLWithPath: configDirectory), definitions: InfraCommand.definitions)
    }
}

struct Synth: ParsableCommand {
    // An explicit name: without one, ArgumentParser derives it with String(describing:) at
    // every start, which costs runtime conformance scans (see docs/BENCHMARKS.md).
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Synthesize the configured stacks into a cloud assembly (templates + manifest).")

    @Argument(help: "Stacks to synthesize (default: all); their dependencies are included.")
    var stacks: [String] = []

    @Flag(name: .long, help: "Synthesize every stack (the default).")
    var all = false

    @Option(name: [.short, .long], help: "The assembly folder.")
    var output: String = "infra.out"

    @Option(name: .long, help: "The templates' format.")
    var format: TemplateFormat = .json

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(name: .long, help: "Apply the -c overrides to this stack only (repeatable; default: the named stacks, or all).")
    var scope: [String] = []

    @OptionGroup var options: ProjectOptions

    func run() throws {
        try Self.run(stacks: stacks, all: all, scope: scope, output: output, format: format, quiet: quiet,
                     configDirectory: options.configDirectory, context: options.context)
    }

    static func run(stacks: [String], all: Bool, scope: [String] = [], output: String, format: TemplateFormat, quiet: Bool,
                    configDirectory: String, context: [String]) throws {
        try CLI.run {
            let overrides = try StackConfig.parseOverrides(context)
            try InfraApp.synth(ProjectOptions.checkedProject(configDirectory: configDirectory), stacks: all ? [] : stacks,
                               overrides: overrides, scope: scope.isEmpty ? nil : scope, output: output, format: format,
                               quiet: quiet)
        }
    }
}

extension Synth {
    /// A plain `synth` command line, read without ArgumentParser: stack names, `--all`,
    /// `--quiet`/`-q`, and `--output`/`-o`, `--format`, `--config`, `-c` each followed by a value
    /// in the next argument. Anything else (help, `--name=value`, a repeated single option, a
    /// value starting with `-`, an unknown format) is nil and goes through ArgumentParser, which
    /// prints its usual help and errors. Parsing with ArgumentParser costs more than the rest of
    /// a one-stack synth's start (its command tree and completion-script check are built from
    /// runtime reflection: ~15 M instructions).
    struct Plain: Equatable {
        var stacks: [String] = []
        var all = false
        var output = "infra.out"
        var format = TemplateFormat.json
        var quiet = false
        var configDirectory = "config"
        var context: [String] = []

        init?(_ args: [String]) {
            guard args.first == "synth" else { return nil }
            var seen: Set<String> = []
            var i = 1
            while i < args.count {
                let arg = args[i]
                i += 1
                if !arg.hasPrefix("-") {
                    guard !arg.isEmpty, arg != "help" else { return nil }
                    stacks.append(arg)
                    continue
                }
                switch arg {
                case "--all":
                    guard seen.insert("all").inserted else { return nil }
                    all = true
                case "--quiet", "-q":
                    guard seen.insert("quiet").inserted else { return nil }
                    quiet = true
                case "--output", "-o", "--format", "--config", "-c":
                    guard i < args.count, !args[i].isEmpty, !args[i].hasPrefix("-") else { return nil }
                    let value = args[i]
                    i += 1
                    switch arg {
                    case "-c":
                        context.append(value)
                    case "--format":
                        guard seen.insert(arg).inserted, let f = TemplateFormat(rawValue: value) else { return nil }
                        format = f
                    case "--config":
                        guard seen.insert(arg).inserted else { return nil }
                        configDirectory = value
                    default:
                        guard seen.insert("output").inserted else { return nil }
                        output = value
                    }
                default:
                    return nil
                }
            }
        }

        init(stacks: [String] = [], all: Bool = false, output: String = "infra.out", format: TemplateFormat = .json,
             quiet: Bool = false, configDirectory: String = "config", context: [String] = []) {
            self.stacks = stacks
            self.all = all
            self.output = output
            self.format = format
            self.quiet = quiet
            self.configDirectory = configDirectory
            self.context = context
        }

        func run() throws {
            try Synth.run(stacks: stacks, all: all, output: output, format: format, quiet: quiet,
                          configDirectory: configDirectory, context: context)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the configured stacks.")

    @Flag(name: .shortAndLong, help: "Show the definition, region and dependencies of each stack.")
    var long = false

    @OptionGroup var options: ProjectOptions

    func run() throws {
        try CLI.run {
            let overrides = try StackConfig.parseOverrides(options.context)
            try InfraApp.list(options.checkedProject(), overrides: overrides, long: long)
        }
    }
}

/// `infra context [STACK...]`: the context keys each configured stack reads, with type, default,
/// current value and doc line, all from the stack definition's declarations.
struct ContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "List each stack's context keys: type, default, current value and what it sets.")

    @Argument(help: "Stacks to list (default: all; `*` wildcards allowed).")
    var stacks: [String] = []

    @Flag(name: .long, help: "Print each stack definition's keys as a Markdown table (as in the README).")
    var markdown = false

    @OptionGroup var options: ProjectOptions

    func run() throws {
        try CLI.run {
            // the Markdown tables read no config: the overrides are checked only without --markdown
            let overrides = markdown ? [] : try StackConfig.parseOverrides(options.context)
            try InfraApp.context(options.project(), stacks: stacks, markdown: markdown, overrides: overrides)
        }
    }
}

/// Error reporting and exit codes: 2 for configuration errors, 1 for everything else.
enum CLI {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as ConfigError {
            for one in e.all { printError(one.description) }
            throw ExitCode(2)
        } catch let e as SynthesisError {
            printError(e.description)
            throw ExitCode(1)
        } catch let e as AssemblyError {
            printError(e.description)
            throw ExitCode(1)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}

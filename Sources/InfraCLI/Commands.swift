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

    @OptionGroup var options: ProjectOptions

    func run() throws {
        try Self.run(stacks: stacks, all: all, output: output, format: format, quiet: quiet,
                     configDirectory: options.configDirectory, context: options.context)
    }

    static func run(stacks: [String], all: Bool, output: String, format: TemplateFormat, quiet: Bool,
                    configDirectory: String, context: [String]) throws {
        try CLI.run {
            let overrides = try StackConfig.parseOverrides(context)
            let assembly = try ProjectOptions.checkedProject(configDirectory: configDirectory)
                .synthesize(stacks: all ? [] : stacks, overrides: overrides)
            try assembly.write(to: URL(fileURLWithPath: output), format: format)
            if !quiet {
                for s in assembly.stacks {
                    let resources = s.template["Resources"].flatMap { v -> Int? in
                        if case .object(let p) = v { return p.count } else { return nil }
                    } ?? 0
                    print("\(s.stackName): \(resources) resources -> \(output)/\(s.templateFile(format))")
                    if !s.exampleKeys.isEmpty {
                        print("  example values (synth uses them; deploy needs yours): \(s.exampleKeys.joined(separator: ", "))"
                              + (s.configFile.map { " in \($0)" } ?? ""))
                    }
                }
            }
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
            let project = try options.checkedProject()
            let configs = try project.loadConfigs(overrides: overrides)
            if !long {
                for c in configs { print(c.stackName) }
                return
            }
            let assembly = try project.buildApp(configs).synthesize()
            for (c, s) in zip(configs, assembly.stacks) {
                let deps = s.dependencies.isEmpty ? "" : " (after \(s.dependencies.joined(separator: ", ")))"
                print("\(c.stackName)\t\(c.app)\t\(c.region ?? "-")\t\(c.file)\(deps)")
            }
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
            let project = options.project()
            if markdown {
                for d in project.definitions {
                    guard let schema = d.schema, stacks.isEmpty || stacks.contains(d.name) else { continue }
                    print("### \(d.name)\n")
                    print(schema.markdownTable())
                }
                return
            }
            let overrides = try StackConfig.parseOverrides(options.context)
            let configs = try project.loadConfigs(overrides: overrides, scope: stacks)
            var first = true
            for c in configs where Project.inScope(c.stackName, stacks) {
                let definition = project.definitions.first { $0.name == c.app }!
                if !first { print("") }
                first = false
                print("\(c.stackName) (\(c.app), \(c.file))")
                let rows: [[String]]
                if let schema = definition.schema {
                    rows = [["KEY", "TYPE", "DEFAULT", "VALUE", "DESCRIPTION"]] + schema.rows(c)
                } else {
                    rows = [["KEY", "VALUE"]] + (definition.contextKeys ?? c.context.keys.sorted()).map { k in
                        [k, c.context[k].map { JSONRenderer.render($0, pretty: false) } ?? "-"]
                    }
                }
                let widths = (0..<rows[0].count).map { i in rows.map { $0[i].count }.max()! }
                for row in rows {
                    let cells = row.enumerated().map { i, cell in
                        i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    }
                    print("  " + cells.joined(separator: "  "))
                }
            }
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

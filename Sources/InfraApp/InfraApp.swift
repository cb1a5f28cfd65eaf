import Foundation
import InfraDSL
import InfraGraph

/// A project's app, synthesis side only: the executable a package made by `infra init` builds.
///
///     import InfraApp
///     InfraApp.main(definitions: [
///         StackDefinition(name: "orders", summary: "queue, bucket, worker") { app, config in
///             try OrdersStack.build(app, config: config)
///         },
///     ])
///
/// It links the DSL and nothing of deployment (no AWS clients, no argument parser), so a user's
/// package builds only what synthesis needs. The shipped `infra` runs it (a folder's `infra.json`
/// names it) and deploys what it writes, as `cdk` runs a CDK app and deploys its cloud assembly.
///
/// The app protocol, version 1 (`APP --help` prints it):
///
/// - `APP synth [--output DIR] [--config DIR] [-c KEY=VALUE]... [--scope STACK]... [--format json|yaml] [--quiet] [--all] [STACK...]`
///   writes the cloud assembly (templates + `manifest.json`) into DIR (default `infra.out`),
///   byte for byte what `infra synth` writes, and prints the same lines. The `-c` overrides apply
///   to the named stacks (all when none), or to the stacks `--scope` names (`*` wildcards) when
///   given: `infra destroy NAME -c ...` has every stack synthesized, the overrides for NAME only.
/// - `APP ls [--long] [--config DIR] [-c KEY=VALUE]...`: the configured stacks, as `infra ls`.
/// - `APP context [--markdown] [--config DIR] [-c KEY=VALUE]... [STACK...]`: the stacks' context
///   keys, as `infra context`.
/// - `APP graph [--format dot|mermaid|svg|markdown|json] [--level constructs|resources] [-o FILE|DIR]
///   [--config DIR] [-c KEY=VALUE]... [STACK...]`: the stacks' architecture, as `infra graph`.
/// - `APP --protocol-version`: `1`.
///
/// Exit status: 0 success, 1 synthesis error (diagnostics on standard error, naming the construct
/// path), 2 usage or config error (naming the file and key). An app started with
/// `InfraCommand.main(definitions:)` (InfraCLI) understands the same command lines.
///
/// The version handshake, the same in every version: `infra` runs the app with
/// `INFRA_APP_PROTOCOL` set to the version it speaks and `INFRA_PROJECT_APP` to the app's
/// command (infra.json's `app`). An app that does not speak that version runs nothing: it says
/// so on standard error, naming the command and both versions, and exits 2 (so `infra deploy`
/// deploys nothing). It costs no extra process: the check is part of the command's own run.
public enum InfraApp {
    /// The version of the command lines above (`--protocol-version`).
    public static let protocolVersion = 1

    /// The variable `infra` sets for the app's process: the protocol version it speaks.
    public static let protocolVariable = "INFRA_APP_PROTOCOL"
    /// The variable `infra` sets for the app's process: the app's command (infra.json's `app`).
    public static let appVariable = "INFRA_PROJECT_APP"

    /// The error when the infra running this app (`INFRA_APP_PROTOCOL`) speaks another protocol
    /// version than this app; nil when it speaks this one, or when no infra runs the app.
    public static func protocolMismatch(_ environment: [String: String]? = nil) -> String? {
        func variable(_ name: String) -> String? {
            if let environment { return environment[name] }
            return getenv(name).map { String(cString: $0) }
        }
        guard let asked = variable(protocolVariable), asked != String(protocolVersion) else { return nil }
        let app = variable(appVariable).map { "the project's app (infra.json: \($0))" } ?? "this app"
        return "\(app) speaks infra app protocol \(protocolVersion), the infra that runs it speaks protocol \(asked): "
            + "build the app with the infra of the same version (the infra dependency in its Package.swift), or run "
            + "the infra its package depends on; nothing was run"
    }

    /// Runs one command line of the app protocol for `definitions` (evaluated only when a command
    /// reads the config) and exits with its status.
    public static func main(definitions: @autoclosure () -> [StackDefinition], arguments: [String]? = nil) -> Never {
        let status = run(arguments ?? Array(CommandLine.arguments.dropFirst()), definitions: definitions())
        exit(status)
    }

    /// Runs one command line; returns the exit status (messages already written).
    public static func run(_ arguments: [String], definitions: @autoclosure () -> [StackDefinition]) -> Int32 {
        var words = arguments[...]
        guard let command = words.popFirst() else {
            printError("a command is required (synth, ls, context, graph; --help lists their options)")
            return 2
        }
        switch command {
        case "-h", "--help", "help":
            print(usage, terminator: "")
            return 0
        case "--protocol-version":
            print(protocolVersion)
            return 0
        default:
            break
        }
        // the version handshake (help and --protocol-version answer whatever runs the app)
        if let mismatch = protocolMismatch() {
            printError(mismatch)
            return 2
        }
        let options: Options
        do {
            options = try Options.parse(command: command, words)
        } catch let e as UsageError {
            printError(e.message + " (--help lists the commands and their options)")
            return 2
        } catch {
            printError("\(error)")
            return 2
        }
        if options.help {
            print(usage, terminator: "")
            return 0
        }
        return report {
            // (the Markdown tables of `context` read no config, and no override)
            let overrides = options.markdown ? [] : try StackConfig.parseOverrides(options.context)
            let project = Project(configDirectory: URL(fileURLWithPath: options.config), definitions: definitions())
            switch command {
            case "synth":
                try Project.requireConfigFolder(project.configDirectory, flag: options.config)
                try synth(project, stacks: options.all ? [] : options.stacks, overrides: overrides,
                          scope: options.scope.isEmpty ? nil : options.scope,
                          output: options.output, format: options.format, quiet: options.quiet)
            case "ls":
                try Project.requireConfigFolder(project.configDirectory, flag: options.config)
                try list(project, overrides: overrides, long: options.long)
            case "graph":
                try graph(project, stacks: options.stacks, overrides: overrides, format: options.graphFormat,
                          level: options.level, output: options.graphOutput)
            default:
                try context(project, stacks: options.stacks, markdown: options.markdown, overrides: overrides)
            }
        }
    }

    static let usage = """
        usage: APP <command> [options]   (infra app protocol \(protocolVersion))

        The synthesis side of a project: `infra` (infra.json in the project's folder) runs these
        command lines and deploys what synth writes.

          synth [STACK...]     Synthesize the configured stacks (default: all; their dependencies are
                               included) into a cloud assembly (templates + manifest.json).
            -o, --output DIR   The assembly folder (default: infra.out).
            --format FORMAT    The templates' format: json (default) or yaml.
            -q, --quiet        Print nothing but errors.
            --all              Synthesize every stack (the default).
            --scope STACK      Apply the -c overrides to this stack only (repeatable; default: the
                               named stacks, or all).
          ls                   List the configured stacks.
            -l, --long         Show the definition, region and dependencies of each stack.
          context [STACK...]   List each stack's context keys: type, default, current value, description.
            --markdown         Print each stack definition's keys as a Markdown table.
          graph [STACK...]     Draw the stacks' architecture (default: every configured stack).
            --format FORMAT    dot (default), mermaid, svg (Graphviz's dot), markdown or json.
            --level LEVEL      constructs (default): L2 constructs by VPC and subnet tier;
                               resources: every CloudFormation resource.
            -o, --output PATH  A file (one stack) or folder (several); default: standard output.

        Options of every command:
          --config DIR         The folder of stack config files (default: config).
          -c KEY=VALUE         Override a context value; repeatable.
          -h, --help           Show this help.
        --protocol-version     Print the protocol's version.

        Exit status: 0 success, 1 synthesis error, 2 usage or config error (and when the infra
        running the app speaks another protocol version: INFRA_APP_PROTOCOL).

        """

    struct UsageError: Error { let message: String }

    /// One command line's options (hand-parsed: `--name VALUE`, `--name=VALUE`, `-c VALUE`, `-cVALUE`).
    struct Options {
        var stacks: [String] = []
        var config = "config"
        var context: [String] = []
        var output = "infra.out"
        var format = TemplateFormat.json
        var quiet = false
        var all = false
        var long = false
        var markdown = false
        var help = false
        var graphFormat = GraphFormat.dot
        var level = GraphLevel.constructs
        var graphOutput: String?
        var scope: [String] = []

        static func parse(command: String, _ arguments: ArraySlice<String>) throws -> Options {
            let flags: Set<String>
            let valued: Set<String>
            switch command {
            case "synth":
                flags = ["-q", "--quiet", "--all"]
                valued = ["-o", "--output", "--format", "--config", "-c", "--scope"]
            case "ls":
                flags = ["-l", "--long"]
                valued = ["--config", "-c"]
            case "context":
                flags = ["--markdown"]
                valued = ["--config", "-c"]
            case "graph":
                flags = []
                valued = ["-o", "--output", "--format", "--level", "--config", "-c"]
            default:
                throw UsageError(message: "unknown command '\(command)' (this app synthesizes: synth, ls, context, graph; "
                    + "`infra` deploys what it writes)")
            }
            var options = Options()
            var words = arguments
            var positionalOnly = false
            while let word = words.popFirst() {
                if positionalOnly || !word.hasPrefix("-") || word == "-" {
                    guard command != "ls" else { throw UsageError(message: "ls takes no stack names ('\(word)')") }
                    options.stacks.append(word)
                    continue
                }
                if word == "--" {
                    positionalOnly = true
                    continue
                }
                if word == "-h" || word == "--help" {
                    options.help = true
                    continue
                }
                var name = word
                var value: String?
                if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                    name = String(word[..<eq])
                    value = String(word[word.index(after: eq)...])
                } else if !word.hasPrefix("--"), word.count > 2, valued.contains(String(word.prefix(2))) {
                    name = String(word.prefix(2))
                    value = String(word.dropFirst(2))
                }
                if flags.contains(name) {
                    guard value == nil else { throw UsageError(message: "\(name) takes no value") }
                    switch name {
                    case "-q", "--quiet": options.quiet = true
                    case "--all": options.all = true
                    case "-l", "--long": options.long = true
                    default: options.markdown = true
                    }
                    continue
                }
                guard valued.contains(name) else { throw UsageError(message: "unknown option '\(name)' for \(command)") }
                if value == nil { value = words.popFirst() }
                guard let value else { throw UsageError(message: "missing value for '\(name)'") }
                switch name {
                case "-o", "--output":
                    options.output = value
                    options.graphOutput = value
                case "--config": options.config = value
                case "-c": options.context.append(value)
                case "--scope": options.scope.append(value)
                case "--level":
                    guard let level = GraphLevel(rawValue: value) else {
                        throw UsageError(message: "the value '\(value)' is invalid for '--level' (constructs, resources)")
                    }
                    options.level = level
                case "--format" where command == "graph":
                    guard let format = GraphFormat(rawValue: value) else {
                        throw UsageError(message: "the value '\(value)' is invalid for '--format' ("
                            + GraphFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                    }
                    options.graphFormat = format
                default:
                    guard let format = TemplateFormat(rawValue: value) else {
                        throw UsageError(message: "the value '\(value)' is invalid for '--format' (json, yaml)")
                    }
                    options.format = format
                }
            }
            return options
        }
    }

    // MARK: The commands (the CLI's synth, ls and context run the same code)

    /// Synthesizes `stacks` (all when empty, with their dependencies) into `output` and prints a
    /// line per stack unless `quiet`.
    /// `scope`: the stacks the overrides apply to, when not the selected ones.
    public static func synth(_ project: Project, stacks: [String], overrides: [(String, String)], scope: [String]? = nil,
                             output: String, format: TemplateFormat, quiet: Bool) throws {
        let assembly = try project.synthesize(stacks: stacks, overrides: overrides, scope: scope)
        try assembly.write(to: URL(fileURLWithPath: output), format: format)
        if quiet { return }
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

    /// The configured stacks' names; `long`: with definition, region, config file and dependencies.
    public static func list(_ project: Project, overrides: [(String, String)], long: Bool) throws {
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

    /// Each configured stack's context keys (type, default, current value, doc line), or with
    /// `markdown` each definition's keys as a table (no config read).
    public static func context(_ project: Project, stacks: [String], markdown: Bool, overrides: [(String, String)]) throws {
        if markdown {
            for d in project.definitions {
                guard let schema = d.schema, stacks.isEmpty || stacks.contains(d.name) else { continue }
                print("### \(d.name)\n")
                print(schema.markdownTable())
            }
            return
        }
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

    /// The diagrams of `stacks` (all configured stacks when empty) at `level`, written in `format`
    /// to standard output or `output` (`Diagram.write`). The stacks are synthesized first: a
    /// diagram of an invalid stack is refused as synth refuses it.
    public static func graph(_ project: Project, stacks: [String], overrides: [(String, String)],
                             format: GraphFormat, level: GraphLevel, output: String?) throws {
        let app = try project.buildApp(project.loadConfigs(overrides: overrides, scope: stacks), selecting: stacks)
        let assembly = try app.synthesize().selecting(stacks)
        var graphs: [StackGraph] = []
        for artifact in assembly.stacks {
            guard let stack = app.stacks.first(where: { $0.stackName == artifact.stackName }) else { continue }
            graphs.append(Diagram.graph(stack, template: artifact.template, level: level))
        }
        try Diagram.write(graphs, format: format, output: output)
    }

    // MARK: Errors

    /// Runs `body`; the exit status: 2 for config errors (every one printed), 1 for the rest.
    public static func report(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch let e as ConfigError {
            for one in e.all { printError(one.description) }
            return 2
        } catch let e as SynthesisError {
            printError(e.description)
            return 1
        } catch let e as AssemblyError {
            printError(e.description)
            return 1
        } catch let e as GraphError {
            printError(e.description)
            return 1
        } catch {
            printError("\(error)")
            return 1
        }
    }

    public static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}

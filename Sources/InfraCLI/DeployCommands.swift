import ArgumentParser
import Foundation
import InfraDeploy
import InfraDSL

// `infra deploy`, `infra diff`, `infra destroy`, `infra bootstrap`: thin layers over InfraDeploy.
// Each command's `execute(_:)` does the work against an injected `DeployContext` (tests point it
// at moto or a scripted server); `run()` builds the real context and handles Ctrl-C.

/// AWS access: `--region`, `--profile`, `-v`.
struct AWSOptions: ParsableArguments {
    @Option(help: "The region of stacks whose config names none (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).")
    var region: String?

    @Option(help: "The AWS profile to use (~/.aws/config, ~/.aws/credentials).")
    var profile: String?

    @Flag(name: .shortAndLong, help: "Log every AWS request and response (secrets redacted) on standard error.")
    var verbose = false
}

/// Where the stacks come from: synthesized now from config/, or an assembly folder.
struct AssemblySource: ParsableArguments {
    @Option(help: ArgumentHelp("Use this assembly (written by `infra synth`, possibly on another machine) as it is, "
        + "instead of synthesizing.", valueName: "DIR"))
    var assembly: String?

    @Option(name: [.short, .long], help: "The folder synthesis writes the assembly to.")
    var output: String = "infra.out"

    @OptionGroup var project: ProjectOptions

    /// Synthesizes every configured stack into `output` and reads it back, or reads `--assembly`.
    /// `-c` overrides apply to the `stacks` named on the command line (all when none).
    func load(_ context: DeployContext, stacks: [String] = []) throws -> DeployAssembly {
        if let assembly {
            guard project.context.isEmpty else {
                throw DeployError(.usage, "-c overrides apply to synthesis; --assembly \(assembly) is used as it was "
                    + "synthesized (synthesize it again with the overrides)")
            }
            return try DeployAssembly.read(from: context.url(assembly))
        }
        let overrides = try StackConfig.parseOverrides(project.context)
        try ProjectFile.requireConfigFolder(context.url(project.configDirectory), flag: project.configDirectory)
        let configured = Project(configDirectory: context.url(project.configDirectory), definitions: InfraCommand.definitions)
        let synthesized = try configured.buildApp(configured.loadConfigs(overrides: overrides, scope: stacks)).synthesize()
        let directory = context.url(output)
        try synthesized.write(to: directory, format: .json)
        return try DeployAssembly.read(from: directory)
    }
}

public struct Deploy: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy stacks: publish assets, create a change set, show it, execute it, watch it.",
        discussion: """
            Synthesizes first (into --output) unless --assembly names a folder to deploy as it is. \
            Stacks are deployed after the stacks they depend on (those are included), up to \
            --concurrency at a time. Preflight checks run first (read-only calls: images, hosted zones, \
            certificates, bucket names, Cognito prefixes, retained resources, failed stacks) and stop the \
            deploy before anything is created; --dry-run runs only them. A stack already being updated is waited for; a stack whose first \
            create failed (ROLLBACK_COMPLETE) is deleted and created again. Ctrl-C stops watching \
            (CloudFormation carries on); deploying again attaches to the operation in progress.
            """)

    @Argument(help: "Stacks to deploy (names or ids, * wildcards); with several stacks, name them or pass --all.")
    var stacks: [String] = []

    @Flag(help: "Deploy every stack of the assembly.")
    var all = false

    @Option(name: .customLong("parameters"),
            help: ArgumentHelp("A stack parameter, STACK:KEY=VALUE or KEY=VALUE (every stack declaring KEY); repeatable. "
                + "Parameters not given keep their deployed value.", valueName: "STACK:KEY=VALUE"))
    var parameters: [String] = []

    @Option(name: .customLong("require-approval"),
            help: ArgumentHelp("never, broadening (ask when IAM or security-group changes widen access; fails without "
                + "a terminal), any-change."))
    var requireApproval: String = ApprovalLevel.broadening.rawValue

    @Flag(name: .customLong("no-execute"), help: "Create the change set and stop (review it, execute it later).")
    var noExecute = false

    @Option(help: "How many independent stacks to deploy at the same time.")
    var concurrency: Int = 1

    @Option(name: .customLong("outputs-file"), help: "Write the stacks' outputs here as JSON ({stack: {key: value}}).")
    var outputsFile: String?

    @Option(help: ArgumentHelp("Live progress: bar (redrawn in place; terminals) or events (one line per resource "
        + "event). Default: bar on a terminal, events otherwise."))
    var progress: String?

    @Flag(help: "Deploy even when the template, parameters and tags are unchanged.")
    var force = false

    @Flag(name: .customLong("dry-run"),
          help: "Run the preflight checks only (read-only AWS calls): report what would fail, deploy nothing.")
    var dryRun = false

    @Flag(name: .customLong("import-existing"),
          help: ArgumentHelp("Adopt resources with fixed names that exist outside the stack (e.g. kept by an "
              + "earlier destroy) without asking: the change set imports them (CloudFormation ImportExistingResources)."))
    var importExisting = false

    @Option(name: .customLong("toolkit-stack-name"), help: "The toolkit stack `infra bootstrap` deployed.")
    var toolkitStackName: String = Toolkit.defaultStackName

    @Flag(help: ArgumentHelp("Apply Lambda code/configuration and ECS container image/environment changes through "
        + "the service APIs, without a change set (seconds instead of a CloudFormation update); any other change "
        + "falls back to a change set and says why. Leaves drift: a deploy without --hotswap reconciles it."))
    var hotswap = false

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() throws {
        nonisolated(unsafe) let command = self
        try DeployCLI.run(aws) { context in await command.execute(context) }
    }

    /// Deploys; returns the exit code (messages already written).
    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            guard let approval = ApprovalLevel(rawValue: requireApproval) else {
                throw DeployError(.usage, "--require-approval must be never, broadening or any-change")
            }
            guard concurrency >= 1 else { throw DeployError(.usage, "--concurrency must be 1 or more") }
            let style = try DeployCLI.progressStyle(progress)
            let overrides = try parameters.map(ParameterOverride.parse)
            let assembly = try source.load(context, stacks: stacks)
            let chosen = try assembly.select(stacks, all: all, upstream: true)
            var options = DeployOptions(parameters: overrides, requireApproval: approval, execute: !noExecute,
                                        concurrency: concurrency, outputsFile: outputsFile.map(context.url),
                                        force: force, toolkitStackName: toolkitStackName, progress: style)
            options.dryRun = dryRun
            options.importExisting = importExisting
            if hotswap && !dryRun && !noExecute {
                let summary = await HotswapDeployer(context: context, assembly: assembly, options: options).deploy(chosen)
                return summary.exitCode
            }
            let summary = await Deployer(context: context, assembly: assembly, options: options).deploy(chosen)
            return summary.exitCode
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

/// `infra watch`: deploy (hot-swapping what allows it), then re-synthesize and hot-swap whenever
/// a file under the watched paths changes (the config folder and the stacks' asset directories).
public struct Watch: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Re-synthesize and hot-swap (or deploy) whenever the config or an asset directory changes.",
        discussion: """
            Deploys the stacks once (like `infra deploy --hotswap`), then polls the config folder and the \
            directories of the stacks' assets (a function's code). When files change (and have stopped \
            changing for --debounce milliseconds), it synthesizes again and applies the change: hot-swapped \
            when it allows it, otherwise with a change set. One line per update. Ctrl-C ends it (exit 130). \
            A change to the stacks' Swift code needs a rebuild of infra: watch does not see it.
            """)

    @Argument(help: "Stacks to watch (names or ids, * wildcards).")
    var stacks: [String] = []

    @Flag(help: "Watch every stack of the app.")
    var all = false

    @Option(help: "Milliseconds without further changes before an update starts.")
    var debounce: Int = 200

    @Option(name: .customLong("require-approval"),
            help: ArgumentHelp("For updates that need a change set: never, broadening, any-change."))
    var requireApproval: String = ApprovalLevel.broadening.rawValue

    @Option(help: "Live progress of change sets: bar or events.")
    var progress: String?

    @Option(name: .customLong("toolkit-stack-name"), help: "The toolkit stack `infra bootstrap` deployed.")
    var toolkitStackName: String = Toolkit.defaultStackName

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() throws {
        nonisolated(unsafe) let command = self
        try DeployCLI.run(aws) { context in await command.execute(context) }
    }

    /// Runs until cancelled (130), or after `updates` updates (tests, benchmarks: 0 when all
    /// succeeded). `ready` is called once the first deploy is done and the files are being watched.
    public func execute(_ context: DeployContext, updates: Int? = nil,
                        ready: (@Sendable () -> Void)? = nil) async -> Int32 {
        do {
            guard source.assembly == nil else {
                throw DeployError(.usage, "watch synthesizes the app itself: --assembly cannot be used with it")
            }
            guard let approval = ApprovalLevel(rawValue: requireApproval) else {
                throw DeployError(.usage, "--require-approval must be never, broadening or any-change")
            }
            guard debounce >= 0 else { throw DeployError(.usage, "--debounce must be 0 or more") }
            let style = try DeployCLI.progressStyle(progress)
            let options = DeployOptions(requireApproval: approval, toolkitStackName: toolkitStackName, progress: style)
            var assembly = try source.load(context, stacks: stacks)
            var chosen = try assembly.select(stacks, all: all, upstream: true)
            var deployer = HotswapDeployer(context: context, assembly: assembly, options: options)
            let first = await deployer.deploy(chosen)
            if first.exitCode == 130 { return 130 }
            let configDirectory = context.url(source.project.configDirectory)
            func paths(_ assembly: DeployAssembly, _ chosen: [AssemblyStack]) -> WatchedPaths {
                let ids = Set(chosen.flatMap(\.assets))
                let dirs = assembly.assets.filter { ids.contains($0.id) && $0.kind != .containerImage }
                    .map { URL(fileURLWithPath: $0.source) }
                return WatchedPaths(roots: [configDirectory] + dirs)
            }
            var watched = paths(assembly, chosen)
            var base = watched.snapshot()
            context.console.out("watch: watching \(watched.roots.map(\.path).joined(separator: ", ")) "
                + "(\(base.count) files); Ctrl-C to stop")
            ready?()
            let loop = WatchLoop(interval: 0.05, debounce: Double(debounce) / 1000)
            var done = 0
            var failed = !first.succeeded
            while updates.map({ done < $0 }) ?? true {
                let current = watched
                let changed = try await loop.next({ current }, since: &base)
                let started = Date()
                let first = changed.first.map { ($0 as NSString).lastPathComponent } ?? "?"
                let what = changed.count == 1 ? first : "\(first) and \(changed.count - 1) more"
                do {
                    assembly = try source.load(context, stacks: stacks)
                    chosen = try assembly.select(stacks, all: all, upstream: true)
                } catch {
                    context.console.err("watch: \(what) changed; synthesis failed: \((error as? CustomStringConvertible)?.description ?? "\(error)")")
                    done += 1
                    failed = true
                    continue
                }
                let next = deployer.with(assembly: assembly)
                let summary = await next.deploy(chosen)
                deployer = next
                if summary.exitCode == 130 { return 130 }
                watched = paths(assembly, chosen)
                base = watched.snapshot()
                let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
                if summary.succeeded {
                    context.console.out("watch: \(what) changed -> \(chosen.map(\.stackName).joined(separator: ", ")) "
                        + "updated in \(seconds) s")
                } else {
                    context.console.err("watch: \(what) changed -> update failed after \(seconds) s (see above); "
                        + "still watching")
                    failed = true
                }
                done += 1
            }
            return failed ? 1 : 0
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

public struct Diff: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the deployed templates with the new ones: resources, properties, replacements, security.")

    @Argument(help: "Stacks to compare (default: all).")
    var stacks: [String] = []

    @Flag(help: "Exit with status 1 when there are differences.")
    var fail = false

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() throws {
        nonisolated(unsafe) let command = self
        try DeployCLI.run(aws) { context in await command.execute(context) }
    }

    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            let assembly = try source.load(context, stacks: stacks)
            let chosen = try assembly.select(stacks, all: true)
            try Preflight.refuseExamples(chosen, command: "diff")
            let diffs = try await Differ(context: context).diff(chosen)
            for (i, d) in diffs.enumerated() {
                if i > 0 { context.console.out("") }
                for line in Differ.render(d, color: context.console.isTerminal) { context.console.out(line) }
            }
            let differing = diffs.filter { !$0.diff.isEmpty }
            context.console.out("")
            context.console.out(differing.isEmpty ? "no differences"
                : "\(differing.count) of \(diffs.count) stack\(diffs.count == 1 ? "" : "s") differ\(differing.count == 1 ? "s" : "")")
            return fail && !differing.isEmpty ? 1 : 0
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

public struct Destroy: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete stacks (after confirmation), dependents first, and report what was retained.")

    @Argument(help: "Stacks to delete; the stacks that depend on them are deleted first.")
    var stacks: [String] = []

    @Flag(help: "Delete every stack of the assembly.")
    var all = false

    @Flag(help: "Do not ask for confirmation (required without a terminal).")
    var force = false

    @Option(help: "Live progress: bar or events.")
    var progress: String?

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() throws {
        nonisolated(unsafe) let command = self
        try DeployCLI.run(aws) { context in await command.execute(context) }
    }

    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            let style = try DeployCLI.progressStyle(progress)
            let assembly = try source.load(context, stacks: stacks)
            let chosen = try assembly.select(stacks, all: all, downstream: true)
            let summary = await Destroyer(context: context, force: force, progress: style).destroy(chosen)
            return summary.exitCode
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

public struct Bootstrap: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Deploy the toolkit stack (asset bucket and image repository) into an account and region.",
        discussion: "Needed once per account and region before deploying stacks with assets or templates over "
            + "51,200 bytes; run it again after upgrading infra when deploy says the toolkit is too old.")

    @Argument(help: "Regions to bootstrap (default: --region, AWS_REGION, the profile's).")
    var regions: [String] = []

    @Option(name: .customLong("toolkit-stack-name"), help: "The toolkit stack's name.")
    var toolkitStackName: String = Toolkit.defaultStackName

    @Flag(name: .customLong("termination-protection"), inversion: .prefixedNo,
          help: "Protect the toolkit stack from deletion.")
    var terminationProtection = false

    @Flag(help: "Deploy even when the toolkit is unchanged, or newer than this infra's.")
    var force = false

    @Option(help: "Live progress: bar or events.")
    var progress: String?

    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() throws {
        nonisolated(unsafe) let command = self
        try DeployCLI.run(aws) { context in await command.execute(context) }
    }

    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            let style = try DeployCLI.progressStyle(progress)
            let template = ToolkitTemplate.json
            let summary = await Bootstrapper(context: context).bootstrap(
                templateBody: template, stackName: toolkitStackName, regions: regions.map { Optional($0) },
                terminationProtection: terminationProtection, force: force, progress: style)
            return summary.exitCode
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

/// Running the async commands from ArgumentParser's synchronous `run()`.
enum DeployCLI {
    /// Builds the real context, runs `body` in a task that Ctrl-C cancels (a second Ctrl-C exits
    /// at once), and turns a non-zero result into the exit code.
    static func run(_ aws: AWSOptions, _ body: @escaping @Sendable (DeployContext) async -> Int32) throws {
        let context = DeployContext(region: aws.region, profile: aws.profile, verbose: aws.verbose)
        let code = runInterruptible(console: context.console) { await body(context) }
        if code != 0 { throw ExitCode(code) }
    }

    static func runInterruptible(console: any DeployConsole, _ body: @escaping @Sendable () async -> Int32) -> Int32 {
        final class Box: @unchecked Sendable { var code: Int32 = 1; var interrupts = 0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            box.code = await body()
            done.signal()
        }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            box.interrupts += 1
            if box.interrupts == 1 {
                console.err("\ninterrupted: stopping (CloudFormation operations already started carry on; "
                    + "press Ctrl-C again to quit at once)")
                task.cancel()
            } else {
                exit(130)
            }
        }
        source.resume()
        done.wait()
        source.cancel()
        signal(SIGINT, SIG_DFL)
        return box.code
    }

    static func progressStyle(_ text: String?) throws -> ProgressStyle? {
        guard let text else { return nil }
        guard let style = ProgressStyle(rawValue: text) else {
            throw DeployError(.usage, "--progress must be bar or events")
        }
        return style
    }

    /// Writes an error and returns its exit code: 2 for configuration and usage errors, 130 for
    /// Ctrl-C, 1 otherwise.
    static func report(_ error: Error, _ console: any DeployConsole) -> Int32 {
        switch error {
        case let e as ConfigError:
            console.err("error: \(e.description)")
            return 2
        case let e as DeployError:
            console.err("error: \(e.message)")
            return e.exitCode
        case let e as SynthesisError:
            console.err("error: \(e.description)")
            return 1
        case let e as AssemblyError:
            console.err("error: \(e.description)")
            return 1
        case is CancellationError:
            console.err("interrupted")
            return 130
        default:
            console.err("error: \(error)")
            return 1
        }
    }
}

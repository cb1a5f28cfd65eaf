import ArgumentParser
import Foundation
import InfraDeploy
import InfraDSL

// `infra deploy`, `infra diff`, `infra destroy`, `infra bootstrap`: thin layers over InfraDeploy.
// Each command's `execute(_:)` does the work against an injected `DeployContext` (tests point it
// at moto or a scripted server); `run()` builds the real context and handles Ctrl-C.

// The option enums as argument types: help lists their values, ArgumentParser rejects others
// (a usage error, exit 2). Their modules stay free of ArgumentParser.
extension ApprovalLevel: ExpressibleByArgument {}
extension ProgressStyle: ExpressibleByArgument {}

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

    /// What synthesis builds for named stacks.
    enum Building {
        /// The configs of the named stacks (and the stacks their definitions create).
        case selected
        /// Every config (destroy: the stacks that depend on the named ones are deleted first).
        case all
    }

    /// Synthesizes the stacks into `output` and reads them back, or reads `--assembly`. Named
    /// `stacks` build only their configs unless `building` is `.all`; `-c` overrides apply to
    /// the `stacks` named on the command line (all when none).
    func load(_ context: DeployContext, stacks: [String] = [], building: Building = .selected) throws -> DeployAssembly {
        if let assembly {
            guard project.context.isEmpty else {
                throw DeployError(.usage, "-c overrides apply to synthesis; --assembly \(assembly) is used as it was "
                    + "synthesized (synthesize it again with the overrides)")
            }
            return try DeployAssembly.read(from: context.url(assembly))
        }
        if let app = ProjectApp.current {
            // the project's app synthesizes (infra.json): it reads the config and the overrides
            let directory = context.url(output)
            // (destroy builds every stack, the overrides scoped to the named ones)
            try app.synthesize(into: directory, config: project.configDirectory, context: project.context,
                               stacks: building == .all ? [] : stacks, scope: building == .all ? stacks : [])
            return try DeployAssembly.read(from: directory)
        }
        let overrides = try StackConfig.parseOverrides(project.context)
        try ProjectFile.requireConfigFolder(context.url(project.configDirectory), flag: project.configDirectory)
        let configured = Project(configDirectory: context.url(project.configDirectory), definitions: InfraCommand.definitions)
        let configs = try configured.loadConfigs(overrides: overrides, scope: stacks)
        let synthesized = try configured.buildApp(configs, selecting: building == .all ? [] : stacks).synthesize()
        let directory = context.url(output)
        try synthesized.write(to: directory, format: .json)
        return try DeployAssembly.read(from: directory)
    }
}

public struct Deploy: AsyncParsableCommand, Sendable {
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
            help: ArgumentHelp("When to ask before executing a change set: broadening asks when IAM or security-group "
                + "changes widen access (and fails without a terminal)."))
    var requireApproval: ApprovalLevel = .broadening

    @Flag(name: .customLong("no-execute"), help: "Create the change set and stop (review it, execute it later).")
    var noExecute = false

    @Option(help: "How many independent stacks to deploy at the same time.")
    var concurrency: Int = 1

    @Option(name: .customLong("outputs-file"), help: "Write the stacks' outputs here as JSON ({stack: {key: value}}).")
    var outputsFile: String?

    @Option(help: ArgumentHelp("Live progress: bar (redrawn in place; terminals) or events (one line per resource "
        + "event). Default: bar on a terminal, events otherwise."))
    var progress: ProgressStyle?

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

    public func run() async throws {
        try await DeployCLI.run(aws) { context in await execute(context) }
    }

    /// Deploys; returns the exit code (messages already written).
    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            guard concurrency >= 1 else { throw DeployError(.usage, "--concurrency must be 1 or more") }
            let overrides = try parameters.map(ParameterOverride.parse)
            let assembly = try source.load(context, stacks: stacks)
            let chosen = try assembly.select(stacks, all: all, upstream: true)
            var options = DeployOptions(parameters: overrides, requireApproval: requireApproval, execute: !noExecute,
                                        concurrency: concurrency, outputsFile: outputsFile.map(context.url),
                                        force: force, toolkitStackName: toolkitStackName, progress: progress)
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
/// a file under the watched paths changes (the config folder, the stacks' asset directories, and
/// in a project folder the app's Swift sources: the app is built again before it synthesizes).
public struct Watch: AsyncParsableCommand, Sendable {
    public static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Re-synthesize and hot-swap (or deploy) whenever the stacks' code, config or assets change.",
        discussion: """
            Deploys the stacks once (like `infra deploy --hotswap`), then polls the config folder, the \
            directories of the stacks' assets (a function's code) and, in a project folder (infra.json), \
            the app's package: Package.swift and its targets' Swift sources. When files change (and have \
            stopped changing for --debounce milliseconds), it builds the app again (a compile error: the \
            compiler's messages, and watch carries on), synthesizes and applies the change: hot-swapped \
            when it allows it, otherwise with a change set. One line per update. Ctrl-C ends it (exit 130).
            """)

    @Argument(help: "Stacks to watch (names or ids, * wildcards).")
    var stacks: [String] = []

    @Flag(help: "Watch every stack of the app.")
    var all = false

    @Option(help: "Milliseconds without further changes before an update starts.")
    var debounce: Int = 200

    @Option(name: .customLong("require-approval"),
            help: ArgumentHelp("When to ask before executing an update that needs a change set."))
    var requireApproval: ApprovalLevel = .broadening

    @Option(help: "Live progress of change sets (default: bar on a terminal, events otherwise).")
    var progress: ProgressStyle?

    @Option(name: .customLong("toolkit-stack-name"), help: "The toolkit stack `infra bootstrap` deployed.")
    var toolkitStackName: String = Toolkit.defaultStackName

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() async throws {
        try await DeployCLI.run(aws) { context in await execute(context) }
    }

    /// Runs until cancelled (130), or after `updates` updates (tests, benchmarks: 0 when all
    /// succeeded). `ready` is called once the first deploy is done and the files are being watched.
    public func execute(_ context: DeployContext, updates: Int? = nil,
                        ready: (@Sendable () -> Void)? = nil) async -> Int32 {
        do {
            guard source.assembly == nil else {
                throw DeployError(.usage, "watch synthesizes the app itself: --assembly cannot be used with it")
            }
            guard debounce >= 0 else { throw DeployError(.usage, "--debounce must be 0 or more") }
            let options = DeployOptions(requireApproval: requireApproval, toolkitStackName: toolkitStackName, progress: progress)
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
                return WatchedPaths(roots: [configDirectory] + dirs + (ProjectApp.current?.sources() ?? []))
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
                } catch let failure as ProjectApp.Failure {
                    context.console.err("watch: \(what) changed; \(failure.message); still watching")
                    done += 1
                    failed = true
                    continue
                } catch {
                    context.console.err("watch: \(what) changed; synthesis failed: \(error)")
                    done += 1
                    failed = true
                    continue
                }
                let next = deployer.with(assembly: assembly)
                let summary = await next.deploy(chosen)
                deployer = next
                if summary.exitCode == 130 { return 130 }
                // The files as they were when this update started (`next` set `base`): a save made
                // while the app was rebuilt or the stacks deployed is the next update. Files under
                // roots the new assembly adds are taken as they are now.
                let now = paths(assembly, chosen)
                if now != watched {
                    var fresh = now.snapshot()
                    for (path, stamp) in base where fresh[path] != nil { fresh[path] = stamp }
                    watched = now
                    base = fresh
                }
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

public struct Diff: AsyncParsableCommand, Sendable {
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

    public func run() async throws {
        try await DeployCLI.run(aws) { context in await execute(context) }
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

public struct Destroy: AsyncParsableCommand, Sendable {
    public static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete stacks (after confirmation), dependents first, and report what was retained.")

    @Argument(help: "Stacks to delete; the stacks that depend on them are deleted first.")
    var stacks: [String] = []

    @Flag(help: "Delete every stack of the assembly.")
    var all = false

    @Flag(help: "Do not ask for confirmation (required without a terminal).")
    var force = false

    @Option(help: "Live progress (default: bar on a terminal, events otherwise).")
    var progress: ProgressStyle?

    @OptionGroup var source: AssemblySource
    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() async throws {
        try await DeployCLI.run(aws) { context in await execute(context) }
    }

    public func execute(_ context: DeployContext) async -> Int32 {
        do {
            let assembly = try source.load(context, stacks: stacks, building: .all)
            let chosen = try assembly.select(stacks, all: all, downstream: true)
            let summary = await Destroyer(context: context, force: force, progress: progress).destroy(chosen)
            return summary.exitCode
        } catch {
            return DeployCLI.report(error, context.console)
        }
    }
}

public struct Bootstrap: AsyncParsableCommand, Sendable {
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

    @Option(help: "Live progress (default: bar on a terminal, events otherwise).")
    var progress: ProgressStyle?

    @OptionGroup var aws: AWSOptions

    public init() {}

    public func run() async throws {
        try await DeployCLI.run(aws) { context in await execute(context) }
    }

    public func execute(_ context: DeployContext) async -> Int32 {
        let summary = await Bootstrapper(context: context).bootstrap(
            templateBody: ToolkitTemplate.json, stackName: toolkitStackName, regions: regions.map { Optional($0) },
            terminationProtection: terminationProtection, force: force, progress: progress)
        return summary.exitCode
    }
}

/// What the AWS commands share: the real context, Ctrl-C, error reporting.
enum DeployCLI {
    /// Builds the real context, runs `body` in a task that Ctrl-C cancels (a second Ctrl-C exits
    /// at once), and turns a non-zero result into the exit code.
    static func run(_ aws: AWSOptions, _ body: @escaping @Sendable (DeployContext) async -> Int32) async throws {
        let context = DeployContext(region: aws.region, profile: aws.profile, verbose: aws.verbose)
        let code = await runInterruptible(console: context.console) { await body(context) }
        if code != 0 { throw ExitCode(code) }
    }

    static func runInterruptible(console: any DeployConsole, _ body: @escaping @Sendable () async -> Int32) async -> Int32 {
        let task = Task { await body() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if task.isCancelled { exit(130) }
            console.err("\ninterrupted: stopping (CloudFormation operations already started carry on; "
                + "press Ctrl-C again to quit at once)")
            task.cancel()
        }
        source.resume()
        let code = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        source.cancel()
        signal(SIGINT, SIG_DFL)
        return code
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
        case let e as ProjectApp.Failure:
            // the app's own messages are printed already; its exit status (2: usage or config)
            console.err("error: \(e.message)")
            return e.status
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

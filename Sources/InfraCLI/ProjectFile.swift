import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InfraApp
import InfraCore

/// `infra.json`, the project file in the cdk.json tradition:
///
/// ```json
/// { "app": "swift run --quiet orders-infra" }
/// ```
///
/// In a folder holding one, the `infra` executable works with the project's app (a shell command,
/// usually `swift run` of an executable calling `InfraApp.main(definitions:)`, the synthesis side
/// only, or `InfraCommand.main(definitions:)`, a whole CLI) through the app protocol (see
/// `InfraApp`): `synth`, `ls`, `context` and `graph` are run by the app with the same arguments;
/// `deploy`, `diff`, `destroy` and `watch` run the app's `synth --output DIR` and then work on the
/// assembly it wrote, here (as `--assembly DIR` does), so a stale assembly is never deployed and a
/// user's package links nothing of deployment. `--assembly DIR` deploys a folder as it is, without
/// the app; `bootstrap` and `init` need no app. A `swift run PRODUCT` app is built by `infra`
/// itself (`ProjectBuild`: llbuild on SwiftPM's own plan while the package's structure is
/// unchanged, `swift build` otherwise).
public struct ProjectFile: Equatable, Sendable {
    public static let fileName = "infra.json"
    public static let keys = ["app"]

    /// The shell command that runs the project's own `infra` (its executable).
    public let app: String

    public init(app: String) { self.app = app }

    /// Parses the project file's text; errors name the file and the key.
    public static func parse(_ text: String, file: String = fileName) throws -> ProjectFile {
        let root: Value
        do {
            root = try JSONParser.parse(text)
        } catch let e as JSONParser.Error {
            throw ConfigError(file: file, key: nil, "invalid JSON at line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .object(let pairs) = root else { throw ConfigError(file: file, key: nil, "the file must hold a JSON object") }
        for (k, _) in pairs where !keys.contains(k) {
            throw ConfigError(file: file, key: k, "unknown key (known keys: \(keys.joined(separator: ", ")))")
        }
        guard let app = root["app"] else {
            throw ConfigError(file: file, key: "app", "missing required key: the command that runs the project's app, e.g. \"swift run --quiet my-infra\"")
        }
        guard case .string(let command) = app, !command.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError(file: file, key: "app", "must be a non-empty string (a shell command), found \(app.typeName)")
        }
        return ProjectFile(app: command)
    }

    /// The project file of `directory`, nil when there is none.
    public static func load(in directory: URL) throws -> ProjectFile? {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// The commands the project's app runs itself, with the same arguments (`graph` draws the
    /// construct tree, which exists only in the app's process).
    static let forwardedCommands: Set<String> = ["synth", "ls", "graph", "context"]
    /// The commands `infra` runs on the assembly the app's `synth --output DIR` writes.
    static let assemblyCommands: Set<String> = ["deploy", "diff", "destroy", "watch"]

    /// The environment variable set for the app's process, the app's command (an app that is
    /// itself an `infra` executable must not forward again; a protocol mismatch names it).
    static let childVariable = InfraApp.appVariable

    /// When the working directory holds `infra.json`: for `deploy`, `diff`, `destroy` and
    /// `watch`, registers the app (`ProjectApp.current`) and returns nil (the command runs here
    /// and has the app synthesize); for `synth`, `ls`, `graph` and `context`, replaces this
    /// process with the app: for `swift run [--quiet] PRODUCT`, the product built by
    /// `ProjectBuild` (a compile error: SwiftPM's diagnostics and its exit status); for any other
    /// command, `sh -c '<app> <arguments>'` (terminal, signals and exit status are the app's own).
    /// Returns the exit status only when it cannot (a bad project file: 2).
    static func forward(_ arguments: [String]) -> Int32? {
        guard let command = arguments.first,
              forwardedCommands.contains(command) || assemblyCommands.contains(command),
              ProcessInfo.processInfo.environment[childVariable] == nil else { return nil }
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let project: ProjectFile?
        do {
            project = try load(in: directory)
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("error: \(fileName): \(error)\n".utf8))
            return 2
        }
        guard let project else { return nil }
        let app = ProjectApp(project: project, directory: directory)
        if assemblyCommands.contains(command) {
            ProjectApp.current = app
            return nil
        }
        switch app.build() {
        case .failure(let failure):
            return failure.status
        case .success(let binary?):
            setenv(childVariable, project.app, 1)
            setenv(InfraApp.protocolVariable, String(InfraApp.protocolVersion), 1)
            let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
            execv(binary, argv)
            FileHandle.standardError.write(Data("error: cannot run \(binary): \(String(cString: strerror(errno)))\n".utf8))
            return 1
        case .success(nil):
            let line = project.app + " " + arguments.map(shellQuote).joined(separator: " ")
            setenv(childVariable, project.app, 1)
            setenv(InfraApp.protocolVariable, String(InfraApp.protocolVersion), 1)
            let words: [String] = ["/bin/sh", "-c", line]
            let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
            execv("/bin/sh", argv)
            FileHandle.standardError.write(Data("error: \(fileName): cannot run the app '\(project.app)': \(String(cString: strerror(errno)))\n".utf8))
            return 1
        }
    }

    /// The app protocol's own lines for a whole-CLI app (`InfraCommand.main`): `--protocol-version`,
    /// and the version handshake (`InfraApp.protocolMismatch`: exit 2 when the infra running
    /// this process as a project's app speaks another version). Nil: run the command.
    static func appProtocol(_ arguments: [String]) -> Int32? {
        if arguments == ["--protocol-version"] {
            print(InfraApp.protocolVersion)
            return 0
        }
        guard let mismatch = InfraApp.protocolMismatch() else { return nil }
        InfraApp.printError(mismatch)
        return 2
    }

    /// A word quoted for `sh`.
    static func shellQuote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A config error when `url` is not a folder (`Project.requireConfigFolder`).
    static func requireConfigFolder(_ url: URL, flag: String) throws {
        try Project.requireConfigFolder(url, flag: flag)
    }
}

/// The project's app as `infra deploy`, `diff`, `destroy` and `watch` use it: built (a `swift
/// run PRODUCT` app, by `ProjectBuild`), then run with the app protocol's `synth --output DIR`.
struct ProjectApp: Sendable {
    let project: ProjectFile
    /// The project's folder (the app runs there).
    let directory: URL

    /// The app of the `infra.json` in the working directory, for the assembly commands
    /// (set by `ProjectFile.forward`; nil: the stacks are synthesized in this process).
    nonisolated(unsafe) static var current: ProjectApp?

    /// The app failed to build or to synthesize: its messages are printed, `status` is its exit status.
    struct Failure: Error, CustomStringConvertible {
        let status: Int32
        let message: String
        var description: String { message }
    }

    /// Builds a `swift run PRODUCT` app: the executable's path; nil for any other app (run by `sh -c`).
    func build() -> Result<String?, Failure> {
        guard let app = SwiftRunApp.parse(project.app), ProcessInfo.processInfo.environment["INFRA_FAST_BUILD"] != "0" else {
            return .success(nil)
        }
        // SwiftPM's own build plan, its planning skipped while the package's structure is
        // unchanged. The build sees this process's environment unchanged: SwiftPM plans again
        // whenever the environment differs from its last build's (a user's `swift build` in between).
        switch ProjectBuild(package: directory, product: app.product).run() {
        case .failed(let status):
            return .failure(Failure(status: status, message: "the project's app (\(ProjectFile.fileName): "
                + "\(project.app)) did not build (exit \(status); the compiler's messages are above)"))
        case .built(let binary, _):
            return .success(binary)
        case .notApplicable:
            return .success(nil)
        }
    }

    /// Builds the app and has it write the assembly of `stacks` (all when empty, with their
    /// dependencies) into `output`, the `context` overrides applied to the stacks `scope` names
    /// (when it names any; else to `stacks`); the app's diagnostics go to standard error as it prints them.
    func synthesize(into output: URL, config: String, context: [String], stacks: [String], scope: [String] = []) throws {
        var arguments = ["synth", "--output", output.path, "--quiet", "--config", config]
        for item in context { arguments += ["-c", item] }
        for item in scope { arguments += ["--scope", item] }
        arguments += ["--"] + stacks
        let command: [String]
        switch build() {
        case .failure(let failure):
            throw failure
        case .success(let binary?):
            command = [binary] + arguments
        case .success(nil):
            command = ["/bin/sh", "-c", project.app + " " + arguments.map(ProjectFile.shellQuote).joined(separator: " ")]
        }
        var environment = ProjectBuild.shellEnvironment(running: command[0])
        environment.append(ProjectFile.childVariable + "=" + project.app)
        environment.append(InfraApp.protocolVariable + "=" + String(InfraApp.protocolVersion))
        let manifest = output.appendingPathComponent("manifest.json").path
        let before = Self.fileIdentity(manifest)
        let status = ProjectBuild.spawn(command, environment: environment)
        guard status == 0 else {
            throw Failure(status: status, message: "the project's app (\(ProjectFile.fileName): \(project.app)) "
                + "failed to synthesize (exit \(status); its messages are above)")
        }
        // An app that exits 0 without writing (a command that does not speak the app protocol)
        // must not let an earlier assembly in the folder be deployed as if it were the current one.
        let after = Self.fileIdentity(manifest)
        guard let after, after != before else {
            throw Failure(status: 2, message: "the project's app (\(ProjectFile.fileName): \(project.app)) exited 0 but "
                + "wrote no cloud assembly into \(output.path) (its manifest.json is \(after == nil ? "missing" : "unchanged")): "
                + "the app must answer `synth --output DIR` (InfraApp.main or InfraCommand.main do); nothing was deployed")
        }
    }

    /// A file's inode and modification time (nil when it does not exist): the assembly is written
    /// into a new folder swapped in by a rename, so a fresh synth always gives a new identity.
    static func fileIdentity(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_ino), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }

    /// What `infra watch` watches of the app: `Package.swift` and the folders of the package's
    /// own targets (from SwiftPM's plan; `Sources` before the first build), tests left out.
    func sources() -> [URL] {
        let package = directory.standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: package + "/Package.swift") else { return [] }
        let plan = (try? String(contentsOfFile: package + "/.build/debug.yaml", encoding: .utf8)) ?? ""
        var roots = ProjectBuild.structureInputs(plan).filter { input in
            input.hasPrefix(package + "/") && !input.hasPrefix(package + "/.build/") && !input.hasPrefix(package + "/Tests/")
        }
        if !roots.contains(where: { $0.hasSuffix("/") }) { roots.append(package + "/Sources/") }
        if !roots.contains(package + "/Package.swift") { roots.append(package + "/Package.swift") }
        if let app = SwiftRunApp.parse(project.app) {
            let dependencies = ProjectBuild.pathDependencies(package + "/.build/workspace-state.json")
            let triple = (try? FileManager.default.destinationOfSymbolicLink(atPath: package + "/.build/debug"))?
                .split(separator: "/").first.map(String.init)
            roots += triple.map { Self.dependencySources(plan: plan, product: app.product, triple: $0, dependencies: dependencies) } ?? []
            roots += dependencies.map { $0 + "/Package.swift" }
        }
        return roots.map { URL(fileURLWithPath: $0) }
    }

    /// The folders of the modules the product links that come from a dependency resolved by
    /// path (a local checkout of infra, as `infra init --infra-path` writes it): from SwiftPM's
    /// plan, the product's link inputs (`<Module>.build/` objects) and each module's compile
    /// inputs; a module's folder is the one holding all its sources. Dependencies by URL are
    /// left out (their checkouts change only with `swift package update`, which `Package.resolved` shows).
    static func dependencySources(plan: String, product: String, triple: String, dependencies: [String]) -> [String] {
        guard !dependencies.isEmpty,
              let head = plan.range(of: "\n  \"C.\(product)-\(triple)-debug.exe\":\n") else { return [] }
        let blockEnd = plan.range(of: "\n\n", range: head.upperBound..<plan.endIndex)?.lowerBound ?? plan.endIndex
        let link = plan[head.lowerBound..<blockEnd]
        func inputs(_ block: Substring) -> [String] {
            guard let line = block.range(of: "\n    inputs: "),
                  let end = block[line.upperBound...].firstIndex(of: "\n") else { return [] }
            return (try? JSONDecoder().decode([String].self, from: Data(block[line.upperBound..<end].utf8))) ?? []
        }
        var modules: [String] = []
        for input in inputs(link) {
            let parts = input.split(separator: "/")
            if let folder = parts.last(where: { $0.hasSuffix(".build") && $0 != ".build" }) {
                let module = String(folder.dropLast(".build".count))
                if !modules.contains(module) { modules.append(module) }
            }
        }
        var folders: [String] = []
        for module in modules {
            guard let start = plan.range(of: "\n  \"C.\(module)-\(triple)-debug.module\":\n") else { continue }
            let end = plan.range(of: "\n\n", range: start.upperBound..<plan.endIndex)?.lowerBound ?? plan.endIndex
            let sources = inputs(plan[start.lowerBound..<end]).filter { path in
                path.hasSuffix(".swift") && dependencies.contains { path.hasPrefix($0 + "/") && !path.hasPrefix($0 + "/.build/") }
            }
            guard var common = sources.first.map({ ($0 as NSString).deletingLastPathComponent }) else { continue }
            for path in sources.dropFirst() {
                while !path.hasPrefix(common + "/") && common.count > 1 { common = (common as NSString).deletingLastPathComponent }
            }
            let folder = common + "/"
            if !folders.contains(folder) { folders.append(folder) }
        }
        return folders.sorted()
    }
}

/// A project app of the form `swift run [--quiet|-q] PRODUCT` (what `infra init` writes). Any
/// other command (flags, another tool, a script) runs as written.
struct SwiftRunApp: Equatable {
    let product: String

    static func parse(_ command: String) -> SwiftRunApp? {
        let words = command.split(separator: " ").map(String.init)
        guard words.count >= 3, words[0] == "swift", words[1] == "run", let product = words.last,
              words.dropFirst(2).dropLast().allSatisfy({ $0 == "--quiet" || $0 == "-q" }),
              let first = product.first, first != "-",
              product.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else { return nil }
        return SwiftRunApp(product: product)
    }
}

/// Builds one executable product of a SwiftPM package for `infra <command>` in a project folder,
/// the way `swift run PRODUCT` would, minus SwiftPM's fixed cost per call (loading the package
/// graph and checking its structure: 0.5-1.3 s on a 2-core machine, more than compiling the one
/// edited file).
///
/// - Full build: `swift build -q --product PRODUCT`. Before it, a fingerprint of the package's
///   structure is taken; after it succeeds, the fingerprint and the identity of the build plan
///   SwiftPM wrote (`.build/debug.yaml`) are recorded in `.build/infra-build.json`, next to a
///   copy of the plan for llbuild (`.build/infra-build.yaml`).
/// - Fast build: when the fingerprint and the plan are the ones recorded, the toolchain's
///   `swift-build-tool` (llbuild, the engine SwiftPM runs) builds the product's target from that
///   plan with SwiftPM's own build database: the changed files' modules are compiled and the
///   product linked, exactly the commands SwiftPM would run. SwiftPM's scratch-folder lock is
///   held meanwhile.
///
/// The fingerprint covers what makes SwiftPM plan again, and more: the set of files and folders
/// under every target folder of the package (names only: contents are llbuild's business),
/// `Package.swift` and `Package.resolved`, `.build/workspace-state.json` (dependency
/// resolution, edits), the manifests and `Sources` trees of path dependencies, and the
/// toolchain. Any difference, a missing record, a plan written by another command, a plan with a
/// build step llbuild alone cannot run, a failed fast build (its errors are printed by the full
/// build that follows): a full build. `INFRA_FAST_BUILD=0` always builds with `swift build`.
struct ProjectBuild {
    enum Outcome: Equatable {
        /// `fast`: built by llbuild from the recorded plan (no SwiftPM).
        case built(binary: String, fast: Bool)
        case failed(Int32)
        /// No `swift` on PATH: the app's command runs as written.
        case notApplicable
    }

    let package: URL
    let product: String
    /// Prints "fast build" / "full build (reason)" lines on standard error (tests, benchmarks).
    var verbose = ProcessInfo.processInfo.environment["INFRA_BUILD_VERBOSE"] == "1"

    init(package: URL, product: String) {
        self.package = package.standardizedFileURL
        self.product = product
    }

    var scratch: String { package.path + "/.build" }
    var plan: String { scratch + "/debug.yaml" }
    var record: String { scratch + "/infra-build.json" }
    var fastPlan: String { scratch + "/infra-build.yaml" }

    /// The toolchain: `swift` on PATH and llbuild's `swift-build-tool` beside the file it links to.
    struct Toolchain {
        let swift: String
        let resolved: String
        let buildTool: String?

        static func find(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> Toolchain? {
            for dir in (path ?? "").split(separator: ":") {
                let candidate = "\(dir)/swift"
                guard access(candidate, X_OK) == 0 else { continue }
                // `swift` is a link to the driver, which reads its name: run it by this path.
                let resolved = URL(fileURLWithPath: candidate).resolvingSymlinksInPath()
                let tool = resolved.deletingLastPathComponent().appendingPathComponent("swift-build-tool").path
                return Toolchain(swift: candidate, resolved: resolved.path, buildTool: access(tool, X_OK) == 0 ? tool : nil)
            }
            return nil
        }
    }

    func run() -> Outcome {
        _ = Self.started
        guard let toolchain = Toolchain.find() else { return .notApplicable }
        forgetSameSecondEdits()
        // the sources as the build is about to read them (a save during the build differs from these)
        let seen = sourceStamps()
        var reason = "no fast build recorded"
        if let tool = toolchain.buildTool {
            switch fastBuild(tool: tool, toolchain: toolchain) {
            case .success(let binary):
                say("fast build (swift-build-tool)")
                record(seen)
                return .built(binary: binary, fast: true)
            case .failure(let why):
                reason = why.message
            }
        } else {
            reason = "no swift-build-tool beside \(toolchain.swift)"
        }
        say("full build: \(reason)")
        let outcome = fullBuild(toolchain: toolchain)
        if case .built = outcome { record(seen.isEmpty ? sourceStamps() : seen) }
        return outcome
    }

    // MARK: Edits within one second

    /// The package's own Swift sources as the last successful build saw them (path -> `stamp`).
    var sourcesRecord: String { scratch + "/infra-sources.json" }

    /// The Swift driver's incremental build compares a source file's modification time to the
    /// one it compiled at a resolution of one second: a file saved again within the second of the
    /// version it last compiled is taken as unchanged, and the old code stays in the binary
    /// (SwiftPM's own `swift build` does the same; `infra watch` meets it when a save follows
    /// the one it is building within the second). So before a build, a module with such a file
    /// (its stamp differs from the one recorded after the last build, its modification second
    /// does not) loses its dependency record (`<Module>.build/*.priors`): the driver compiles the
    /// module whole.
    func forgetSameSecondEdits() {
        guard let data = FileManager.default.contents(atPath: sourcesRecord),
              let recorded = try? JSONDecoder().decode([String: String].self, from: data),
              let planText = try? String(contentsOfFile: plan, encoding: .utf8) else { return }
        func second(_ stamp: String) -> Substring { stamp.prefix { $0 != "." } }
        for (module, files) in ownModuleSources(planText) {
            let missed = files.contains { path in
                guard let before = recorded[path] else { return false }
                let now = Self.stamp(path)
                return now != before && now != "-" && second(now) == second(before)
            }
            guard missed else { continue }
            let folder = scratch + "/debug/\(module).build"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".priors") {
                unlink(folder + "/" + name)
            }
            say("\(module): a source saved again within the second it was compiled in: compiled whole")
        }
    }

    /// The stamps of the package's own sources (none before the first build: no plan).
    func sourceStamps() -> [String: String] {
        guard let planText = try? String(contentsOfFile: plan, encoding: .utf8) else { return [:] }
        var stamps: [String: String] = [:]
        for (_, files) in ownModuleSources(planText) { for path in files { stamps[path] = Self.stamp(path) } }
        return stamps
    }

    /// Records the stamps a successful build started from.
    func record(_ stamps: [String: String]) {
        if let data = try? JSONEncoder().encode(stamps) {
            try? data.write(to: URL(fileURLWithPath: sourcesRecord), options: .atomic)
        }
    }

    /// module -> its Swift sources, for the modules whose sources are the package's own (not
    /// under `.build`: dependencies), from the plan's compile commands (`C.<Module>-<triple>-debug.module`).
    func ownModuleSources(_ planText: String) -> [(String, [String])] {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: scratch + "/debug"),
              let triple = link.split(separator: "/").first else { return [] }
        let own = package.path + "/"
        var out: [(String, [String])] = []
        var rest = planText[...]
        let marker = "-debug.module\":\n    tool: shell\n    inputs: "
        while let hit = rest.range(of: marker) {
            let head = rest[..<hit.lowerBound]
            guard let open = head.range(of: "\n  \"C.", options: .backwards),
                  let end = rest[hit.upperBound...].firstIndex(of: "\n") else { break }
            let key = String(head[open.upperBound...])  // <Module>-<triple>
            let inputs = (try? JSONDecoder().decode([String].self, from: Data(rest[hit.upperBound..<end].utf8))) ?? []
            let sources = inputs.filter { $0.hasSuffix(".swift") && $0.hasPrefix(own) && !$0.hasPrefix(own + ".build/") }
            if !sources.isEmpty, key.hasSuffix("-" + triple) { out.append((String(key.dropLast(triple.count + 1)), sources)) }
            rest = rest[end...]
        }
        return out
    }

    struct Refusal: Error { let message: String }

    /// The fast build, or why it was not possible (nothing was built then, or the build failed).
    func fastBuild(tool: String, toolchain: Toolchain) -> Result<String, Refusal> {
        guard FileManager.default.fileExists(atPath: plan) else { return .failure(Refusal(message: "no build plan yet")) }
        guard let lock = SwiftPMLock(scratch: scratch, say: say) else { return .failure(Refusal(message: "cannot take SwiftPM's lock")) }
        defer { lock.release() }
        guard let recordText = FileManager.default.contents(atPath: record),
              let recorded = try? JSONDecoder().decode(Record.self, from: recordText) else {
            return .failure(Refusal(message: "no fast build recorded"))
        }
        guard recorded.product == product else { return .failure(Refusal(message: "the recorded build is of \(recorded.product)")) }
        guard recorded.plan == Self.stamp(plan), recorded.fastPlan == Self.stamp(fastPlan) else {
            return .failure(Refusal(message: "the build plan changed since (another swift build)"))
        }
        say("record read")
        guard let planText = try? String(contentsOfFile: plan, encoding: .utf8) else { return .failure(Refusal(message: "cannot read \(plan)")) }
        say("plan read")
        guard recorded.fingerprint == fingerprint(planText: planText, toolchain: toolchain) else {
            return .failure(Refusal(message: "the package's structure, manifest, dependencies or toolchain changed"))
        }
        say("plan and structure checked")
        let result = Self.capture([tool, "-C", package.path, "-f", fastPlan, "--db", scratch + "/build.db", recorded.target])
        guard result.status == 0 else { return .failure(Refusal(message: "swift-build-tool failed (exit \(result.status))")) }
        let diagnostics = Self.diagnostics(result.output)
        if !diagnostics.isEmpty { FileHandle.standardError.write(Data(diagnostics.utf8)) }
        guard access(recorded.binary, X_OK) == 0 else { return .failure(Refusal(message: "\(recorded.binary) is missing")) }
        return .success(recorded.binary)
    }

    /// `swift build -q --product PRODUCT`, then the record for the next fast build.
    func fullBuild(toolchain: Toolchain) -> Outcome {
        let before = (try? String(contentsOfFile: plan, encoding: .utf8)).map { fingerprint(planText: $0, toolchain: toolchain) }
        unlink(record)
        let status = Self.spawn([toolchain.swift, "build", "-q", "--package-path", package.path, "--product", product],
                                environment: Self.shellEnvironment(running: toolchain.swift))
        guard status == 0 else { return .failed(status) }
        guard let planText = try? String(contentsOfFile: plan, encoding: .utf8),
              let target = productTarget(planText: planText),
              let binary = Self.binaryPath(target: target, planText: planText) else {
            // Not a plan this code reads: build (and run) with `swift run` as written.
            return .notApplicable
        }
        // The fingerprint of the structure the plan was made from: taken before the build (with
        // the plan the build found), so a change during the build is seen next time. A plan whose
        // structure inputs changed in this build records a fingerprint that will not match, and
        // a package's first build (no plan before it) records none: one more full build (a
        // no-op for SwiftPM), then fast.
        if let before, let fast = Self.fastPlan(planText, linkWithLLD: Self.lld(toolchain) ? target : nil) {
            do {
                try Data(fast.utf8).write(to: URL(fileURLWithPath: fastPlan), options: .atomic)
                let rec = Record(product: product, target: target, binary: binary, fingerprint: before,
                                 plan: Self.stamp(plan), fastPlan: Self.stamp(fastPlan))
                try JSONEncoder().encode(rec).write(to: URL(fileURLWithPath: record), options: .atomic)
            } catch {
                unlink(record)
            }
        }
        return .built(binary: binary, fast: false)
    }

    struct Record: Codable, Equatable {
        let product: String
        let target: String
        let binary: String
        let fingerprint: String
        let plan: String
        let fastPlan: String
    }

    nonisolated(unsafe) static var started: Double = {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
    }()

    func say(_ line: String) {
        guard verbose else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let ms = Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
        FileHandle.standardError.write(Data("[infra build \(String(format: "%.1f", ms - Self.started)) ms] \(line)\n".utf8))
    }

    // MARK: The plan

    /// llbuild's target name of the product's executable, `PRODUCT-<triple>-debug.exe` (the
    /// triple from SwiftPM's `.build/debug` link), when the plan has it.
    func productTarget(planText: String) -> String? {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: scratch + "/debug"),
              let triple = link.split(separator: "/").first, link.hasSuffix("/debug") else { return nil }
        let target = "\(product)-\(triple)-debug.exe"
        return planText.contains("\n  \"\(target)\": [\"<\(target)>\"]\n") ? target : nil
    }

    /// The executable the target's phony node stands for (its one input).
    static func binaryPath(target: String, planText: String) -> String? {
        guard let node = planText.range(of: "\n  \"<\(target)>\":\n    tool: phony\n    inputs: [\"") else { return nil }
        let rest = planText[node.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        let path = String(rest[..<close])
        return path.hasPrefix("/") && !path.contains("\\") ? path : nil
    }

    /// lld beside the toolchain's compiler (Swift's Linux toolchains ship `ld.lld`).
    static func lld(_ toolchain: Toolchain) -> Bool {
        access(URL(fileURLWithPath: toolchain.resolved).deletingLastPathComponent().appendingPathComponent("ld.lld").path, X_OK) == 0
    }

    /// The build tools llbuild knows itself, and SwiftPM's own tools that only write files derived
    /// from the plan (source lists, link file lists, the compiler's version, test lists), which
    /// are up to date while the package's structure and toolchain are unchanged.
    static let llbuildTools: Set<String> = ["shell", "phony", "clang", "mkdir", "symlink", "archive", "stale-file-removal"]
    static let planDerivedTools: Set<String> = ["write-auxiliary-file", "package-structure-tool", "test-discovery-tool", "test-entry-point-tool"]

    /// SwiftPM's plan as `swift-build-tool` reads it: its client name, and without the commands
    /// of SwiftPM's own plan-derived tools (their files are inputs as they are; their results in
    /// the shared build database stay SwiftPM's, so a `swift build` afterwards does not rewrite
    /// them and relink). Nil when the plan holds a step llbuild alone cannot run (e.g. copying
    /// resources, plugins): such packages always build with `swift build`.
    static func fastPlan(_ planText: String, linkWithLLD target: String? = nil) -> String? {
        let header = "client:\n  name: basic\n"
        guard planText.hasPrefix(header), let commands = planText.range(of: "\ncommands:\n") else { return nil }
        var out = "client:\n  name: swift-build\n" + planText[planText.index(planText.startIndex, offsetBy: header.count)..<commands.upperBound]
        out.reserveCapacity(planText.utf8.count)
        let body = planText[commands.upperBound...]
        for block in body.components(separatedBy: "\n\n") where !block.isEmpty {
            let lines = block.split(separator: "\n", maxSplits: 2)
            guard lines.count >= 2, lines[0].hasPrefix("  \""), lines[1].hasPrefix("    tool: ") else { return nil }
            let tool = String(lines[1].dropFirst("    tool: ".count))
            if planDerivedTools.contains(tool) { continue }
            guard llbuildTools.contains(tool) else { return nil }
            if let target, lines[0] == "  \"C.\(target)\":", let args = block.range(of: "\n    args: [") {
                // the product's link, by swiftc: with lld (half of gold's time for an 86 MB debug executable)
                let end = block[args.upperBound...].firstIndex(of: "\n") ?? block.endIndex
                guard block[block.index(before: end)] == "]" else { return nil }
                out += block[..<block.index(before: end)] + ",\"-use-ld=lld\"]" + block[end...]
                out += "\n\n"
                continue
            }
            out += block
            out += "\n\n"
        }
        return out
    }

    // MARK: Fingerprint

    /// What SwiftPM plans from, as one digest: see the type's documentation.
    func fingerprint(planText: String, toolchain: Toolchain) -> String {
        var parts = ["toolchain \(toolchain.resolved) \(Self.stamp(toolchain.resolved)) \(toolchain.buildTool ?? "-")",
                     "workspace \(Self.stamp(scratch + "/workspace-state.json"))",
                     "manifest \(Self.stamp(package.path + "/Package.swift"))",
                     "resolved \(Self.stamp(package.path + "/Package.resolved"))"]
        for input in Self.structureInputs(planText) {
            if input.hasSuffix("/") {
                parts.append("tree \(input)")
                Self.listTree(input, into: &parts)
            } else {
                parts.append("file \(input) \(Self.stamp(input))")
            }
        }
        for dependency in Self.pathDependencies(scratch + "/workspace-state.json") {
            parts.append("dependency \(dependency) \(Self.stamp(dependency + "/Package.swift"))")
            Self.listTree(dependency + "/Sources/", into: &parts)
        }
        return Hash.sha256Hex(parts.joined(separator: "\n"))
    }

    /// The inputs of SwiftPM's `PackageStructure` command: target folders (ending in `/`) and files.
    static func structureInputs(_ planText: String) -> [String] {
        guard let command = planText.range(of: "\n  \"PackageStructure\":\n    tool: package-structure-tool\n    inputs: "),
              let end = planText[command.upperBound...].firstIndex(of: "\n"),
              let data = String(planText[command.upperBound..<end]).data(using: .utf8),
              let inputs = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return inputs
    }

    /// The folders of the dependencies resolved by path (`workspace-state.json`).
    static func pathDependencies(_ workspaceState: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: workspaceState),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let object = json["object"] as? [String: Any],
              let dependencies = object["dependencies"] as? [[String: Any]] else { return [] }
        return dependencies.compactMap { dependency -> String? in
            guard let ref = dependency["packageRef"] as? [String: Any], ref["kind"] as? String == "fileSystem" else { return nil }
            return ref["location"] as? String
        }.sorted()
    }

    /// Every entry under `folder` (names and kinds, sorted; `.git` and `.build` left out as SwiftPM does).
    static func listTree(_ folder: String, into parts: inout [String]) {
        guard let dir = opendir(folder) else {
            parts.append("missing \(folder)")
            return
        }
        var entries: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name == "." || name == ".." || name == ".git" || name == ".build" { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                var st = stat()
                isDirectory = stat(folder + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            entries.append((name, isDirectory))
        }
        closedir(dir)
        for (name, isDirectory) in entries.sorted(by: { $0.0 < $1.0 }) {
            parts.append((isDirectory ? "d " : "f ") + folder + name)
            if isDirectory { listTree(folder + name + "/", into: &parts) }
        }
    }

    /// Modification time (ns), size and inode of a file; "-" when it does not exist.
    static func stamp(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "-" }
        return "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_size) \(st.st_ino)"
    }

    // MARK: Processes

    /// This process's environment as a shell gives it to `command` typed at the same prompt
    /// (`_` is the command's path; no `INFRA_PROJECT_APP`, `INFRA_APP_PROTOCOL`). SwiftPM plans the build again
    /// whenever its environment differs from the last build's, any variable: a `swift build`
    /// typed by the user and this one then share one plan.
    static func shellEnvironment(running command: String) -> [String] {
        var environment: [String] = []
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("_=") && !text.hasPrefix(ProjectFile.childVariable + "=")
                && !text.hasPrefix(InfraApp.protocolVariable + "=") { environment.append(text) }
            p += 1
        }
        environment.append("_=" + command)
        return environment
    }

    /// Runs `arguments` with this process's standard output and error; its exit status.
    static func spawn(_ arguments: [String], environment: [String]) -> Int32 {
        var pid = pid_t()
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return exitStatus(status)
    }

    /// Runs `arguments` with standard output and error captured together.
    static func capture(_ arguments: [String]) -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (127, "") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid = pid_t()
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            return (127, "")
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { output.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (exitStatus(status), String(decoding: output, as: UTF8.self))
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The compiler's messages in swift-build-tool's output: SwiftPM's compile commands ask for
    /// `-parseable-output` (a length line, then a JSON message); the text of every message that
    /// has one (warnings). llbuild's other lines (the steps' descriptions) are left out.
    static func diagnostics(_ output: String) -> String {
        var text = ""
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            if let length = Int(line), length > 0 {
                var json = ""
                while json.utf8.count < length, let next = lines.popFirst() { json += next + "\n" }
                if let data = json.data(using: .utf8),
                   let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                   let body = message["output"] as? String, !body.isEmpty {
                    text += body.hasSuffix("\n") ? body : body + "\n"
                }
            }
        }
        return text
    }
}

/// SwiftPM's lock on a scratch folder (`$TMPDIR/<path with / as _>.lock`, `flock`), held while
/// llbuild runs SwiftPM's plan so that a `swift build` started meanwhile waits, as it would for
/// another SwiftPM.
struct SwiftPMLock {
    let fd: Int32

    init?(scratch: String, say: (String) -> Void) {
        var tmp = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        while tmp.count > 1, tmp.hasSuffix("/") { tmp.removeLast() }
        let path = tmp + "/" + scratch.replacingOccurrences(of: "/", with: "_") + ".lock"
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            say("waiting for another SwiftPM build in \(scratch)")
            guard flock(fd, LOCK_EX) == 0 else {
                close(fd)
                return nil
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

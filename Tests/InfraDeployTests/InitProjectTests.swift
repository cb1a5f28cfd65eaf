import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InfraAWS
import InfraTestSupport
import XCTest

/// `infra init` end to end, as a new user meets it: a fresh package in a temporary folder,
/// depending on this checkout by path, built (the synthesis side only: no ArgumentParser, no AWS
/// client, no deployer in its build), its tests run, then deployed to moto (signature checks on)
/// by this checkout's `infra` through the package's project file (`infra.json`: infra builds the
/// app, runs its `synth --output`, deploys the assembly): deploy, unchanged redeploy, diff, a
/// compile error, destroy; and `infra watch` seeing an edit of the stack's Swift code. Every
/// `infra` call is the real executable, run in the package's folder.
///
/// Building the generated package compiles infra again (minutes on 2 cores), so the test runs
/// only with `INFRA_E2E_INIT=1` (scripts/test sets it in its own timed step) and is skipped
/// otherwise (reported as skipped, not passed). The package is written into a fixed scratch
/// folder (`INFRA_E2E_SCRATCH`, default `.build/e2e-init/orders-app` of this checkout), fresh
/// but for its `.build`, so a second run rebuilds only what changed.
final class InitProjectTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        let status: Int32
        let output: String
        let seconds: Double
    }

    /// Starts `arguments` in `directory` (no AWS_* variable but `environment`'s), standard output
    /// and error together into `log`; the caller waits and closes the handle.
    func start(_ arguments: [String], in directory: URL, environment: [String: String], log: URL) throws -> (Process, FileHandle) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("AWS_") { env[key] = nil }
        env["INFRA_PROJECT_APP"] = nil
        env.merge(environment) { $1 }
        p.environment = env
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, handle)
    }

    /// Runs `arguments` in `directory`, standard output and error together.
    func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Run {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("infra-init-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: out) }
        let started = Date()
        let (p, handle) = try start(arguments, in: directory, environment: environment, log: out)
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return Run(status: p.terminationStatus, output: text, seconds: Date().timeIntervalSince(started))
    }

    struct Package {
        let infra: URL
        let root: URL
        let package: URL
        let home: URL
    }

    /// `infra init orders-app` in the scratch folder (fresh but for its `.build`).
    func initPackage() throws -> Package {
        guard ProcessInfo.processInfo.environment["INFRA_E2E_INIT"] == "1" else {
            throw XCTSkip("builds a generated package (minutes): run with INFRA_E2E_INIT=1 (scripts/test does, in its own step)")
        }
        let infra = Self.checkout.appendingPathComponent(".build/debug/infra")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: infra.path), "\(infra.path) is not built")
        let fm = FileManager.default
        // The package's folder is fixed inside the scratch folder, and everything in it but
        // `.build` is deleted first: the package is fresh, its build folder reused (a build
        // folder cannot move: its module cache records its absolute path).
        let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["INFRA_E2E_SCRATCH"]
            ?? Self.checkout.appendingPathComponent(".build/e2e-init").path)
        let package = root.appendingPathComponent("orders-app")
        try fm.createDirectory(at: package, withIntermediateDirectories: true)
        for entry in try fm.contentsOfDirectory(atPath: package.path) where entry != ".build" {
            try fm.removeItem(at: package.appendingPathComponent(entry))
        }
        let home = root.appendingPathComponent("home")
        try? fm.removeItem(at: home)
        try fm.createDirectory(at: home, withIntermediateDirectories: true)

        // infra init, depending on this checkout by path
        let created = try run([infra.path, "init", "orders-app", "--infra-path", Self.checkout.path], in: root)
        XCTAssertEqual(created.status, 0, created.output)
        return Package(infra: infra, root: root, package: package, home: home)
    }

    /// Sets a file's modification (and access) time.
    static func setModified(_ url: URL, second: Int, nanoseconds: Int) {
        var times = [timespec(tv_sec: second, tv_nsec: nanoseconds), timespec(tv_sec: second, tv_nsec: nanoseconds)]
        XCTAssertEqual(utimensat(AT_FDCWD, url.path, &times, 0), 0)
    }

    /// The environment of an `infra` call against moto.
    func motoEnvironment(_ moto: MotoServer, home: URL) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": moto.endpoint.absoluteString, "AWS_REGION": MotoServer.region,
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": home.path,
        ]
    }

    /// The Swift modules the package's build compiled (`.build/debug/Modules`: SwiftPM's plan
    /// lists every target of the dependency, but builds only those the package's targets use).
    static func builtModules(_ package: URL) throws -> Set<String> {
        let names = try FileManager.default.contentsOfDirectory(atPath: package.appendingPathComponent(".build/debug/Modules").path)
        return Set(names.filter { $0.hasSuffix(".swiftmodule") }.map { String($0.dropLast(".swiftmodule".count)) })
    }

    func testInitBuildTestDeployRedeployDiffDestroy() async throws {
        let created = try initPackage()
        let infra = created.infra, package = created.package, home = created.home
        let fm = FileManager.default
        let manifest = try String(contentsOf: package.appendingPathComponent("Package.swift"), encoding: .utf8)
        let identity = Self.checkout.lastPathComponent.lowercased()
        XCTAssertTrue(manifest.contains(".product(name: \"InfraApp\", package: \"\(identity)\")"), manifest)
        XCTAssertFalse(manifest.contains("InfraCLI"), manifest)

        let build = try run(["swift", "build", "--build-tests"], in: package)
        XCTAssertEqual(build.status, 0, String(build.output.suffix(6000)))
        print("[init-e2e] swift build --build-tests: \(String(format: "%.1f", build.seconds)) s")
        // The package's build is the synthesis side only: deployment is the shipped infra's.
        let modules = try Self.builtModules(package)
        print("[init-e2e] modules the package's build compiles: \(modules.sorted().joined(separator: ", "))")
        for needed in ["InfraApp", "InfraGraph", "InfraDSL", "InfraCore", "InfraResources", "InfraTesting", "OrdersAppStack", "OrdersAppInfra"] {
            XCTAssertTrue(modules.contains(needed), "\(needed) not in \(modules.sorted())")
        }
        for deployment in ["ArgumentParser", "InfraAWS", "InfraDeploy", "InfraCLI", "InfraURLSession"] {
            XCTAssertFalse(modules.contains(deployment), "\(deployment) is in the package's build: \(modules.sorted())")
        }
        let tests = try run(["swift", "test", "--skip-build"], in: package)
        XCTAssertEqual(tests.status, 0, String(tests.output.suffix(6000)))
        XCTAssertTrue(tests.output.contains("Executed 2 tests, with 0 failures"), String(tests.output.suffix(3000)))

        // moto with signature checks on; infra.json runs the app for every command
        let moto = try await MotoServer.instance()
        try await moto.reset()
        let env = motoEnvironment(moto, home: home)
        let mark = moto.logMark()
        let boot = try run([infra.path, "bootstrap", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(boot.status, 0, boot.output)

        let deploy = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(deploy.status, 0, deploy.output)
        print("[init-e2e] first deploy (app built and run by infra.json): \(String(format: "%.1f", deploy.seconds)) s")
        XCTAssertTrue(fm.fileExists(atPath: package.appendingPathComponent("infra.out/manifest.json").path), "synthesized by the app")
        let cfn = CloudFormationClient(client: try moto.client())
        let stack = try await cfn.describeStack("orders-app")
        XCTAssertEqual(stack?.status, .createComplete)
        let resources = try await cfn.describeStackResources(stackName: "orders-app")
        let types = resources.map(\.resourceType)
        XCTAssertEqual(types.filter { $0 == "AWS::SQS::Queue" }.count, 2, "\(types)")
        XCTAssertTrue(types.contains("AWS::S3::Bucket"), "\(types)")
        XCTAssertTrue(types.contains("AWS::Lambda::Function"), "\(types)")
        XCTAssertTrue(types.contains("AWS::Lambda::EventSourceMapping"), "\(types)")
        for r in resources where ["AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Lambda::Function"].contains(r.resourceType) {
            XCTAssertEqual(r.resourceStatus, .createComplete, "\(r.logicalResourceId)")
            XCTAssertNotNil(r.physicalResourceId, "\(r.logicalResourceId)")
        }
        // moto leaves DescribeStacks' outputs empty for change-set stacks: check the deployed template
        let deployed = try await cfn.getTemplate(stackName: "orders-app")
        XCTAssertTrue(deployed.contains("JobsQueueUrl") && deployed.contains("\"maxReceiveCount\": 5"), deployed)

        let again = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.lowercased().contains("unchanged") || again.output.lowercased().contains("no changes"), again.output)

        let same = try run([infra.path, "diff", "--fail"], in: package, environment: env)
        XCTAssertEqual(same.status, 0, same.output)
        XCTAssertTrue(same.output.contains("no differences"), same.output)
        // -c reaches the project's own app (its typed settings)
        let changed = try run([infra.path, "diff", "--fail", "-c", "MAX_RECEIVE_COUNT=3"], in: package, environment: env)
        XCTAssertEqual(changed.status, 1, changed.output)
        XCTAssertTrue(changed.output.contains("maxReceiveCount"), changed.output)

        // The edit loop: one number of the stack changed, `infra synth` (infra builds the app from
        // SwiftPM's recorded plan with llbuild, see ProjectBuild) writes the edited template.
        let stackFile = package.appendingPathComponent("Sources/OrdersAppStack/OrdersAppStack.swift")
        let source = try String(contentsOf: stackFile, encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let index = try XCTUnwrap(lines.firstIndex { $0.contains("visibilityTimeout") }, source)
        let number = try XCTUnwrap(lines[index].firstMatch(of: /\d+/), lines[index])
        let edited = (Int(number.output) ?? 0) + 1
        var newLines = lines
        newLines[index].replaceSubrange(number.range, with: String(edited))
        try newLines.joined(separator: "\n").write(to: stackFile, atomically: true, encoding: .utf8)
        // (its modification time at .1 of this second: the compile error below is saved at .9 of
        // the same second, which the Swift driver alone takes for unchanged, see ProjectBuild)
        let second = Int(Date().timeIntervalSince1970)
        Self.setModified(stackFile, second: second, nanoseconds: 100_000_000)
        let synth = try run([infra.path, "synth", "-q"], in: package, environment: env)
        XCTAssertEqual(synth.status, 0, synth.output)
        print("[init-e2e] one-line edit -> template (infra synth): \(String(format: "%.1f", synth.seconds)) s")
        let template = try String(contentsOf: package.appendingPathComponent("infra.out/orders-app.template.json"), encoding: .utf8)
        XCTAssertTrue(template.contains("\"VisibilityTimeout\": \(edited)"), template)

        // A compile error: infra deploy prints the compiler's diagnostics, exits non-zero, deploys
        // nothing; saved within the second of the version compiled above.
        try source.replacingOccurrences(of: "let results = Bucket(", with: "let results = Bucket(undefinedName, ")
            .write(to: stackFile, atomically: true, encoding: .utf8)
        Self.setModified(stackFile, second: second, nanoseconds: 900_000_000)
        XCTAssertTrue(try String(contentsOf: stackFile, encoding: .utf8).contains("undefinedName"))
        let broken = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events"], in: package,
                             environment: env.merging(["INFRA_BUILD_VERBOSE": "1"]) { $1 })
        XCTAssertNotEqual(broken.status, 0, broken.output)
        XCTAssertTrue(broken.output.contains("OrdersAppStack.swift") && broken.output.contains("error:"), broken.output)
        XCTAssertTrue(broken.output.contains("did not build"), broken.output)
        XCTAssertFalse(broken.output.contains("CREATE_") || broken.output.contains("UPDATE_"), broken.output)
        // a config error: exit 2, naming the key
        try source.write(to: stackFile, atomically: true, encoding: .utf8)
        let badKey = try run([infra.path, "deploy", "--require-approval", "never", "-c", "NO_SUCH_KEY=1"], in: package, environment: env)
        XCTAssertEqual(badKey.status, 2, badKey.output)
        XCTAssertTrue(badKey.output.contains("NO_SUCH_KEY"), badKey.output)
        let stillDeployed = try await cfn.getTemplate(stackName: "orders-app")
        XCTAssertEqual(stillDeployed, deployed, "nothing deployed by the failed calls")

        // ls and graph are the app's (InfraAppTests: the app's graph is the CLI's, byte for byte)
        let listed = try run([infra.path, "ls"], in: package, environment: env)
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertEqual(listed.output.split(separator: "\n").last, "orders-app", listed.output)
        let graph = try run([infra.path, "graph", "--format", "json"], in: package, environment: env)
        XCTAssertEqual(graph.status, 0, graph.output)
        XCTAssertTrue(graph.output.contains("\"orders-app\""), graph.output)
        let dot = try run([infra.path, "graph", "--level", "resources", "-o", "orders.dot"], in: package, environment: env)
        XCTAssertEqual(dot.status, 0, dot.output)
        XCTAssertTrue(try String(contentsOf: package.appendingPathComponent("orders.dot"), encoding: .utf8).hasPrefix("digraph"))
        let badGraph = try run([infra.path, "graph", "--format", "png"], in: package, environment: env)
        XCTAssertEqual(badGraph.status, 2, badGraph.output)
        XCTAssertTrue(badGraph.output.contains("'png' is invalid for '--format'"), badGraph.output)

        let destroy = try run([infra.path, "destroy", "--force", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(destroy.status, 0, destroy.output)
        let gone = try await cfn.describeStack("orders-app")
        XCTAssertTrue(gone == nil || gone?.status == .deleteComplete, "\(String(describing: gone?.status))")
        let log = moto.log(since: mark)
        XCTAssertFalse(log.contains("Traceback"), "moto's log holds a traceback:\n\(log.suffix(4000))")
    }

    /// A project whose app is a whole CLI (here this checkout's own `infra`, started through
    /// `sh -c`: any command, not `swift run`) works with `infra` the same way: `deploy` runs the
    /// app's `synth --output` and deploys the assembly; an app that fails: its exit status, nothing
    /// deployed. No package is built: runs in every `swift test` (moto, signature checks on).
    func testAFullCLIAppAndAFailingApp() async throws {
        let infra = Self.checkout.appendingPathComponent(".build/debug/infra")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: infra.path), "\(infra.path) is not built (swift build first)")
        let fm = FileManager.default
        let project = fm.temporaryDirectory.appendingPathComponent("infra-full-cli-\(UUID().uuidString)")
        try fm.createDirectory(at: project.appendingPathComponent("config"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: project) }
        try fm.copyItem(at: Self.checkout.appendingPathComponent("config/example.json"),
                        to: project.appendingPathComponent("config/example.json"))
        try #"{"app": "\#(infra.path)"}"#.write(to: project.appendingPathComponent("infra.json"), atomically: true, encoding: .utf8)
        let home = project.appendingPathComponent("home")
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        let moto = try await MotoServer.instance()
        try await moto.reset()
        let env = motoEnvironment(moto, home: home)
        let boot = try run([infra.path, "bootstrap", "--progress", "events"], in: project, environment: env)
        XCTAssertEqual(boot.status, 0, boot.output)
        let deploy = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events", "-c", "FUNCTION_MEMORY=512"],
                             in: project, environment: env)
        XCTAssertEqual(deploy.status, 0, deploy.output)
        let manifest = try String(contentsOf: project.appendingPathComponent("infra.out/manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("infra-example"), manifest)
        let cfn = CloudFormationClient(client: try moto.client())
        let deployed = try await cfn.getTemplate(stackName: "infra-example")
        XCTAssertTrue(deployed.contains("\"MemorySize\": 512"), "the -c override reached the app's synthesis")
        let same = try run([infra.path, "diff", "--fail", "-c", "FUNCTION_MEMORY=512"], in: project, environment: env)
        XCTAssertEqual(same.status, 0, same.output)
        XCTAssertTrue(same.output.contains("no differences"), same.output)

        // an app that fails (exit 3 before it writes anything): its status, nothing deployed
        try #"{"app": "echo 'app: broken' >&2; exit 3; "}"#.write(to: project.appendingPathComponent("infra.json"), atomically: true, encoding: .utf8)
        let broken = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events"], in: project, environment: env)
        XCTAssertEqual(broken.status, 3, broken.output)
        XCTAssertTrue(broken.output.contains("app: broken") && broken.output.contains("failed to synthesize (exit 3"), broken.output)
        XCTAssertFalse(broken.output.contains("change set"), broken.output)
        // an app that exits 0 without writing (a command that does not speak the app protocol):
        // the earlier assembly in infra.out is not deployed as if it were the current one
        XCTAssertTrue(fm.fileExists(atPath: project.appendingPathComponent("infra.out/manifest.json").path))
        try #"{"app": "true"}"#.write(to: project.appendingPathComponent("infra.json"), atomically: true, encoding: .utf8)
        let silent = try run([infra.path, "deploy", "--require-approval", "never", "--progress", "events"], in: project, environment: env)
        XCTAssertEqual(silent.status, 2, silent.output)
        XCTAssertTrue(silent.output.contains("exited 0 but wrote no cloud assembly") && silent.output.contains("manifest.json is unchanged"),
                      silent.output)
        XCTAssertFalse(silent.output.contains("change set"), silent.output)
        // an app of another protocol version (here: an app told that its infra speaks version 2)
        // refuses, naming its command and both versions: exit 2, nothing deployed or written
        let other = "env INFRA_APP_PROTOCOL=2 \(infra.path)"
        try #"{"app": "\#(other)"}"#.write(to: project.appendingPathComponent("infra.json"), atomically: true, encoding: .utf8)
        for arguments in [["deploy", "--require-approval", "never", "--progress", "events"], ["synth", "-o", "refused.out"], ["graph"]] {
            let refused = try run([infra.path] + arguments, in: project, environment: env)
            XCTAssertEqual(refused.status, 2, refused.output)
            XCTAssertTrue(refused.output.contains("the project's app (infra.json: \(other)) speaks infra app protocol 1, "
                + "the infra that runs it speaks protocol 2"), refused.output)
            XCTAssertFalse(refused.output.contains("change set") || refused.output.contains("digraph"), refused.output)
        }
        XCTAssertFalse(fm.fileExists(atPath: project.appendingPathComponent("refused.out").path))
        // the version a whole-CLI app speaks, as an InfraApp app answers it
        let version = try run([infra.path, "--protocol-version"], in: project)
        XCTAssertEqual(version.status, 0, version.output)
        XCTAssertEqual(version.output, "1\n")
        // bootstrap needs no app (the broken one is not run), and --assembly deploys a folder as it is
        let bootAgain = try run([infra.path, "bootstrap", "--progress", "events"], in: project, environment: env)
        XCTAssertEqual(bootAgain.status, 0, bootAgain.output)
        XCTAssertFalse(bootAgain.output.contains("app: broken"), bootAgain.output)
        let asIs = try run([infra.path, "deploy", "--assembly", "infra.out", "--require-approval", "never", "--progress", "events"],
                           in: project, environment: env)
        XCTAssertEqual(asIs.status, 0, asIs.output)
        XCTAssertFalse(asIs.output.contains("app: broken"), asIs.output)
        let destroy = try run([infra.path, "destroy", "--assembly", "infra.out", "--force", "--progress", "events"], in: project, environment: env)
        XCTAssertEqual(destroy.status, 0, destroy.output)

        // destroy NAME -c: the app synthesizes every stack (those depending on NAME go first),
        // the override applied to NAME only (`synth --scope NAME`), as without an app
        try #"{"app": "\#(infra.path)"}"#.write(to: project.appendingPathComponent("infra.json"), atomically: true, encoding: .utf8)
        let second = try String(contentsOf: project.appendingPathComponent("config/example.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"stackName\": \"infra-example\"", with: "\"stackName\": \"infra-example-two\"")
        try second.write(to: project.appendingPathComponent("config/example-two.json"), atomically: true, encoding: .utf8)
        let scoped = try run([infra.path, "destroy", "--force", "--progress", "events", "-c", "FUNCTION_MEMORY=999", "infra-example"],
                             in: project, environment: env)
        XCTAssertEqual(scoped.status, 0, scoped.output)
        let one = try String(contentsOf: project.appendingPathComponent("infra.out/infra-example.template.json"), encoding: .utf8)
        let two = try String(contentsOf: project.appendingPathComponent("infra.out/infra-example-two.template.json"), encoding: .utf8)
        XCTAssertTrue(one.contains("\"MemorySize\": 999"), "the override reached the named stack")
        XCTAssertTrue(two.contains("\"MemorySize\": 256"), "the other stack keeps its config")
    }

    /// `infra watch` in the project folder: an edit of the stack's Swift code (a Lambda
    /// environment value) is rebuilt, synthesized by the app and hot-swapped (checked through
    /// Lambda's API); a compile error prints the compiler's messages and watch carries on.
    func testWatchRebuildsTheAppOnASwiftEdit() async throws {
        let created = try initPackage()
        let infra = created.infra, package = created.package
        let moto = try await MotoServer.instance()
        try await moto.reset()
        let env = motoEnvironment(moto, home: created.home)
        let boot = try run([infra.path, "bootstrap", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(boot.status, 0, boot.output)

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("infra-watch-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let (p, handle) = try start([infra.path, "watch", "orders-app", "--require-approval", "never", "--progress", "events",
                                     "--debounce", "200"], in: package, environment: env, log: log)
        defer { if p.isRunning { p.terminate() } }
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        /// Waits until the log holds `text` `count` times (watch running), at most `seconds`.
        func waitFor(_ text: String, count: Int = 1, seconds: Double = 240) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while output().components(separatedBy: text).count - 1 < count {
                guard p.isRunning, Date() < deadline else {
                    XCTFail("no '\(text)' (x\(count)) in the watch's output \(p.isRunning ? "after \(Int(seconds)) s" : "(it ended)"):\n\(output())")
                    throw CancellationError()
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        try await waitFor("watch: watching")
        XCTAssertTrue(output().contains("Sources/OrdersAppStack"), "the app's sources are watched:\n\(output())")

        let cfn = CloudFormationClient(client: try moto.client())
        let resources = try await cfn.describeStackResources(stackName: "orders-app")
        let name = try XCTUnwrap(resources.first { $0.resourceType == "AWS::Lambda::Function" }?.physicalResourceId, "\(resources)")
        let lambda = LambdaClient(client: try moto.client())
        let before = try await lambda.getFunctionConfiguration(name)
        XCTAssertNil(before.environment?.variables?["GREETING"])

        // an environment value added in Swift
        let stackFile = package.appendingPathComponent("Sources/OrdersAppStack/OrdersAppStack.swift")
        let source = try String(contentsOf: stackFile, encoding: .utf8)
        let edited = source.replacingOccurrences(of: "environment: [\"RESULTS_BUCKET\": results.bucketName]",
                                                 with: "environment: [\"RESULTS_BUCKET\": results.bucketName, \"GREETING\": \"from-swift\"]")
        XCTAssertNotEqual(edited, source)
        let wrote = Date()
        try edited.write(to: stackFile, atomically: true, encoding: .utf8)
        try await waitFor("watch: OrdersAppStack.swift changed -> orders-app updated in")
        print("[init-e2e] watch: Swift edit -> function updated: \(String(format: "%.1f", Date().timeIntervalSince(wrote))) s")
        let after = try await lambda.getFunctionConfiguration(name)
        XCTAssertEqual(after.environment?.variables?["GREETING"], "from-swift", output())
        XCTAssertTrue(after.environment?.variables?["RESULTS_BUCKET"] != nil, output())
        XCTAssertTrue(output().contains("hot-swapped"), output())

        // a compile error: the compiler's message, watch carries on; fixed: the next update
        try edited.replacingOccurrences(of: "\"from-swift\"]", with: "undefinedName]").write(to: stackFile, atomically: true, encoding: .utf8)
        try await waitFor("still watching")
        XCTAssertTrue(output().contains("OrdersAppStack.swift") && output().contains("undefinedName"), output())
        try edited.replacingOccurrences(of: "\"from-swift\"]", with: "\"again\"]").write(to: stackFile, atomically: true, encoding: .utf8)
        try await waitFor("watch: OrdersAppStack.swift changed -> orders-app updated in", count: 2)
        let again = try await lambda.getFunctionConfiguration(name)
        XCTAssertEqual(again.environment?.variables?["GREETING"], "again", output())

        p.interrupt()
        p.waitUntilExit()
        try handle.close()
        XCTAssertEqual(p.terminationStatus, 130, output())
        let destroy = try run([infra.path, "destroy", "--force", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(destroy.status, 0, destroy.output)
    }
}

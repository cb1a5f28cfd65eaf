import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InfraCore

/// `infra init [NAME]`: a new SwiftPM package with its own stack, ready to build, test, synthesize
/// and deploy: Package.swift depending on infra, a sample stack (queue with dead-letter queue,
/// bucket, Python function consuming the queue), config, the project's app (an executable that
/// synthesizes the stack: `InfraApp.main`, linking the DSL only; `infra` deploys what it writes),
/// `infra.json` naming it, a test using InfraTesting, README and .gitignore.
public struct Init: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new package with a stack of your own (builds, tests and deploys as generated).",
        discussion: """
            Creates the folder NAME (or fills the current folder when NAME is omitted; it must be empty). \
            The package depends on infra by path (--infra-path, default: the checkout this infra was built from) \
            or by URL (--infra-url, with --infra-version).
            """)

    @Argument(help: "The project's name (letters, digits and '-'); also the folder created.")
    var name: String?

    @Option(name: .customLong("infra-path"), help: "Depend on the infra checkout at this path.")
    var infraPath: String?

    @Option(name: .customLong("infra-url"), help: "Depend on infra at this git URL instead of a path.")
    var infraURL: String?

    @Option(name: .customLong("infra-version"), help: "The version of --infra-url to depend on (from: VERSION).")
    var infraVersion: String = "0.1.0"

    public init() {}

    public func run() throws {
        try CLI.run {
            let fm = FileManager.default
            let cwd = URL(fileURLWithPath: fm.currentDirectoryPath)
            let folder = name.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL } ?? cwd
            let projectName = name.map { URL(fileURLWithPath: $0).lastPathComponent } ?? cwd.lastPathComponent
            let dependency = try self.dependency(packageFolder: folder)
            let files = try InitTemplate.files(name: projectName, dependency: dependency)
            try InitTemplate.write(files, to: folder, display: name ?? ".")
            print("created \(name ?? "the project") (\(files.count) files): \(files.map(\.path).sorted().joined(separator: ", "))")
            let infra = Self.commandName()
            print("""

                next:
                  \(name.map { "cd \($0) && " } ?? "")swift test          # the stack's tests (InfraTesting)
                  \(infra) synth                  # builds the app (see infra.json) and writes infra.out/
                  \(infra) deploy --require-approval never   # after `\(infra) bootstrap` in the account and region
                  \(infra) watch --require-approval never    # then: every saved change rebuilt, synthesized, hot-swapped
                """)
            if infra != "infra" {
                print("""
                    (`\(infra)` is this infra; put it on PATH as `infra`, or build the shipped one in the
                    infra checkout with scripts/build-release: .build/dist/infra)
                    """)
            }
        }
    }

    /// How to call this `infra` in the next steps: `infra` when that is it on PATH, else its path.
    static func commandName() -> String {
        let invoked = CommandLine.arguments.first ?? ""
        guard let me = invoked.contains("/") ? URL(fileURLWithPath: invoked).standardizedFileURL.path
                : try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "infra" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: "\(dir)/infra")
            if access(candidate.path, X_OK) == 0 {
                return candidate.resolvingSymlinksInPath().path == URL(fileURLWithPath: me).resolvingSymlinksInPath().path ? "infra" : me
            }
        }
        return me
    }

    func dependency(packageFolder: URL) throws -> InitTemplate.Dependency {
        if let infraURL {
            if infraPath != nil { throw ValidationError("--infra-path and --infra-url exclude each other") }
            return .url(infraURL, version: infraVersion)
        }
        let path = infraPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? InitTemplate.builtFromCheckout
        guard let path, FileManager.default.fileExists(atPath: path + "/Package.swift") else {
            throw ConfigError(file: infraPath ?? "--infra-path", key: nil,
                              "no infra checkout found (a folder with Package.swift): pass --infra-path DIR or --infra-url URL")
        }
        return .path(InitTemplate.relativePath(from: packageFolder.path, to: path))
    }
}

/// The files `infra init` writes.
public enum InitTemplate {
    public enum Dependency: Equatable {
        case path(String)
        case url(String, version: String)

        /// The package identity SwiftPM gives the dependency: the last path component of the
        /// path or URL (without `.git`), which `.product(name:package:)` must name. A checkout
        /// in a folder not called `infra` has another identity.
        public var identity: String {
            switch self {
            case .path(let p):
                return URL(fileURLWithPath: p).standardizedFileURL.lastPathComponent.lowercased()
            case .url(let u, _):
                var last = u.split(separator: "/").last.map(String.init) ?? u
                if last.hasSuffix(".git") { last.removeLast(4) }
                return last.lowercased()
            }
        }

        var packageLine: String {
            switch self {
            case .path(let p): return ".package(path: \"\(p)\")"
            case .url(let u, let v): return ".package(url: \"\(u)\", from: \"\(v)\")"
            }
        }
    }

    /// The checkout this `infra` was built from (nil when it is gone, e.g. a copied binary).
    public static var builtFromCheckout: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) ? root.path : nil
    }

    /// `to` relative to `from` when they share a prefix (a path dependency that survives moving both).
    static func relativePath(from: String, to: String) -> String {
        let a = URL(fileURLWithPath: from).standardizedFileURL.pathComponents
        let b = URL(fileURLWithPath: to).standardizedFileURL.pathComponents
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        if i <= 1 || i == b.count { return to }  // only "/" in common, or infra is an ancestor: absolute (its name is the identity)
        let up = Array(repeating: "..", count: a.count - i)
        let rel = (up + b[i...]).joined(separator: "/")
        return rel.isEmpty ? "." : rel
    }

    /// `orders-api` -> `OrdersApi`.
    public static func typeName(_ name: String) -> String {
        let parts = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        var s = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if let f = s.first, f.isNumber { s = "App" + s }
        return s
    }

    static func check(_ name: String) throws {
        guard let first = name.first, first.isLetter,
              name.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-") && $0.isASCII }), name.count <= 64 else {
            throw ValidationError("'\(name)' is not a project name: letters, digits and '-', starting with a letter (at most 64)")
        }
    }

    /// Relative path -> contents.
    public static func files(name: String, dependency: Dependency) throws -> [(path: String, text: String)] {
        try check(name)
        let type = typeName(name)
        let stackModule = "\(type)Stack"
        let app = "\(type)Infra"
        let pkg = dependency.identity
        let stackName = name.lowercased()
        return [
            ("Package.swift", """
                // swift-tools-version:6.0
                import PackageDescription

                // `package:` names infra's package identity: the last component of its path or URL
                // ("\(pkg)" here), whatever the checkout's own package name is.
                let package = Package(
                    name: "\(name)",
                    platforms: [.macOS(.v13)],
                    dependencies: [
                        \(dependency.packageLine),
                    ],
                    targets: [
                        // The stack: a library, so the tests and the app share it.
                        .target(name: "\(stackModule)", dependencies: [.product(name: "InfraDSL", package: "\(pkg)")]),
                        // The project's app (infra.json names it): synthesizes the stack into a cloud
                        // assembly, which the `infra` command deploys. It links the DSL only.
                        .executableTarget(name: "\(app)", dependencies: [
                            "\(stackModule)", .product(name: "InfraApp", package: "\(pkg)"),
                        ]),
                        .testTarget(name: "\(stackModule)Tests", dependencies: [
                            "\(stackModule)", .product(name: "InfraTesting", package: "\(pkg)"),
                        ]),
                    ]
                )

                """),
            ("infra.json", """
                {
                  "app": "swift run --quiet \(app)"
                }

                """),
            ("config/\(stackName).json", """
                {
                  "app": "\(stackName)",
                  "stackName": "\(stackName)",
                  "tags": {"project": "\(stackName)"},
                  "context": {
                    "MAX_RECEIVE_COUNT": 5,
                    "WORKER_MEMORY": 256
                  }
                }

                """),
            ("Sources/\(stackModule)/\(type)Stack.swift", """
                import InfraDSL

                /// The stack: a job queue with a dead-letter queue, a bucket, and a Python function that
                /// consumes the queue and writes results to the bucket.
                public enum \(type)Stack {
                    /// The definition name config files use in `app`.
                    public static let definitionName = "\(stackName)"
                    /// The context keys the stack reads (a `-c KEY=VALUE` for another key is an error).
                    public static let contextKeys = ["MAX_RECEIVE_COUNT", "WORKER_MEMORY"]

                    /// Typed settings, read from the config's `context` (or given in code).
                    public struct Settings: Sendable {
                        public var maxReceiveCount = 5
                        public var workerMemory = 256
                        public init(maxReceiveCount: Int = 5, workerMemory: Int = 256) {
                            self.maxReceiveCount = maxReceiveCount
                            self.workerMemory = workerMemory
                        }
                    }

                    /// Builds the stack from a config file (`config/\(stackName).json`, `-c KEY=VALUE`).
                    public static func build(_ app: App, config: StackConfig) throws {
                        let settings = Settings(maxReceiveCount: try config.int("MAX_RECEIVE_COUNT", default: 5),
                                                workerMemory: try config.int("WORKER_MEMORY", default: 256))
                        build(Stack(app, config: config), settings: settings)
                    }

                    /// Builds the stack's constructs into `stack`.
                    @discardableResult
                    public static func build(_ stack: Stack, settings: Settings = .init()) -> Function {
                        let deadLetters = Queue(stack, "JobsDLQ")
                        let jobs = Queue(stack, "Jobs", visibilityTimeout: .seconds(60),
                                         deadLetterQueue: .init(queue: deadLetters, maxReceiveCount: settings.maxReceiveCount))
                        let results = Bucket(stack, "Results")
                        // The code folder is found from this file, not from the working directory.
                        let worker = Function(stack, "Worker", code: .directory("../../functions/worker", relativeTo: #filePath),
                                              handler: "app.handler", runtime: "python3.12", memory: .mebibytes(settings.workerMemory),
                                              timeout: .seconds(30), environment: ["RESULTS_BUCKET": results.bucketName])
                        worker.addEventSource(queue: jobs)
                        results.grantPut(worker)
                        _ = Output(stack, "JobsQueueUrl", value: jobs.queueUrl)
                        _ = Output(stack, "ResultsBucketName", value: results.bucketName)
                        return worker
                    }
                }

                """),
            ("Sources/\(app)/main.swift", """
                import InfraApp
                import \(stackModule)

                // The project's app: synthesizes the stack definitions below (`synth`, `ls`, `context`, `graph`;
                // `--help` lists them). `infra <command>` in this folder builds and runs it (infra.json),
                // then deploys, diffs or destroys what it wrote.
                InfraApp.main(definitions: [
                    StackDefinition(name: \(type)Stack.definitionName, summary: "job queue, dead-letter queue, bucket, worker function",
                                    contextKeys: \(type)Stack.contextKeys) { app, config in
                        try \(type)Stack.build(app, config: config)
                    },
                ])

                """),
            ("Tests/\(stackModule)Tests/\(type)StackTests.swift", """
                import InfraDSL
                import InfraTesting
                import \(stackModule)
                import XCTest

                final class \(type)StackTests: XCTestCase {
                    func template(_ settings: \(type)Stack.Settings = .init()) throws -> Template {
                        let app = App()
                        let stack = Stack(app, "\(stackName)")
                        \(type)Stack.build(stack, settings: settings)
                        return try Template(stack: stack)
                    }

                    func testQueueHasADeadLetterQueue() throws {
                        let t = try template(.init(maxReceiveCount: 3))
                        t.resourceCountIs("AWS::SQS::Queue", 2)
                        let dlq = try XCTUnwrap(t.logicalId(at: "JobsDLQ"))
                        t.hasProperties(at: "Jobs", ["RedrivePolicy": ["maxReceiveCount": 3, "deadLetterTargetArn": .getAtt(dlq, "Arn")]])
                    }

                    func testWorkerConsumesTheQueueAndWritesTheBucket() throws {
                        let t = try template()
                        let bucket = Capture()
                        t.hasResourceProperties("AWS::Lambda::Function", [
                            "Runtime": "python3.12", "Handler": "app.handler", "MemorySize": 256,
                            "Environment": ["Variables": ["RESULTS_BUCKET": .capture(bucket)]],
                        ])
                        XCTAssertEqual(bucket.value, ["Ref": .string(t.logicalId(at: "Results")!)])
                        t.hasResourceProperties("AWS::Lambda::EventSourceMapping", ["EventSourceArn": .getAtt(t.logicalId(at: "Jobs")!, "Arn")])
                        t.hasResourceProperties("AWS::IAM::Role", [
                            "Policies": .arrayWith([["PolicyDocument": ["Statement": .arrayWith([["Action": .arrayWith(["s3:PutObject"])]])]]]),
                        ])
                        t.hasOutput("JobsQueueUrl")
                    }
                }

                """),
            ("functions/worker/app.py", """
                import json
                import os

                import boto3

                s3 = boto3.client("s3")


                def handler(event, context):
                    \"\"\"Writes each job of the SQS batch to the results bucket.\"\"\"
                    for record in event.get("Records", []):
                        body = json.loads(record["body"])
                        s3.put_object(Bucket=os.environ["RESULTS_BUCKET"], Key=f"results/{record['messageId']}.json",
                                      Body=json.dumps({"job": body, "status": "done"}).encode())
                    return {"processed": len(event.get("Records", []))}

                """),
            ("README.md", """
                # \(name)

                Infrastructure of \(name), written in Swift with [infra](\(dependency.readmeLink)).

                - `Sources/\(stackModule)/`: the stack (queue with a dead-letter queue, bucket, Python worker in `functions/worker/`).
                - `Sources/\(app)/`: the project's app: synthesizes the stack (it links infra's DSL only);
                  `infra.json` tells the `infra` command to build and run it, and `infra` deploys what it writes.
                - `config/\(stackName).json`: the stack's settings (`-c KEY=VALUE` overrides them).
                - `Tests/`: the stack's tests, with InfraTesting's matchers.

                ```sh
                swift test                                   # the stack's tests
                infra synth                                  # build the app (only what changed), write infra.out/
                infra diff                                   # what a deploy would change
                infra bootstrap                              # once per account and region
                infra deploy --require-approval never        # build, synthesize, deploy (never a stale assembly)
                infra destroy --force
                ```

                `infra` builds the app as `swift run` would, without SwiftPM's planning while no file is
                added, removed or renamed (a one-line edit of the stack to its template: compile, link,
                synthesize); `INFRA_FAST_BUILD=0` makes it run `swift run` as written. `infra watch`
                rebuilds, synthesizes and hot-swaps on every saved change of the stack, its config or
                its function's code.

                The `infra` command is built from the infra checkout: `scripts/build-release` there writes
                `.build/dist/infra` (put it on PATH), or run it from the checkout with
                `swift run --package-path <infra checkout> infra <command>`. Without it,
                `swift run \(app) synth` writes `infra.out/`, which any `infra deploy --assembly infra.out` deploys.

                """),
            (".gitignore", """
                .build/
                .swiftpm/
                Package.resolved
                infra.out/

                """),
        ]
    }

    /// Writes the files into `folder`, which must not exist or be empty; nothing is written when
    /// a file is in the way.
    static func write(_ files: [(path: String, text: String)], to folder: URL, display: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ConfigError(file: display, key: nil, "exists and is not a folder") }
            let existing = try fm.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
            if !existing.isEmpty {
                throw ConfigError(file: display, key: nil, "the folder is not empty (\(existing.sorted().prefix(5).joined(separator: ", "))): infra init writes into a new or empty folder")
            }
            for f in files where fm.fileExists(atPath: folder.appendingPathComponent(f.path).path) {
                throw ConfigError(file: display, key: nil, "\(f.path) exists already")
            }
        }
        for f in files {
            let url = folder.appendingPathComponent(f.path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(f.text.utf8).write(to: url, options: .atomic)
        }
    }
}

extension InitTemplate.Dependency {
    var readmeLink: String {
        switch self {
        case .path(let p): return p
        case .url(let u, _): return u
        }
    }
}

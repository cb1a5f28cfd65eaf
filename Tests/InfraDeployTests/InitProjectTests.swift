import Foundation
import InfraAWS
import InfraTestSupport
import XCTest

/// `infra init` end to end, as a new user meets it: a fresh package in a temporary folder,
/// depending on this checkout by path, built, its tests run, then deployed to moto (signature
/// checks on) through its project file (`infra.json`): deploy, unchanged redeploy, diff, destroy.
/// Every `infra` call is the real executable, run in the package's folder.
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

    /// Runs `arguments` in `directory`, standard output and error together.
    func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("AWS_") { env[key] = nil }
        env["INFRA_PROJECT_APP"] = nil
        env.merge(environment) { $1 }
        p.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("infra-init-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        defer { try? FileManager.default.removeItem(at: out) }
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return Run(status: p.terminationStatus, output: text, seconds: Date().timeIntervalSince(start))
    }

    func testInitBuildTestDeployRedeployDiffDestroy() async throws {
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
        let manifest = try String(contentsOf: package.appendingPathComponent("Package.swift"), encoding: .utf8)
        let identity = Self.checkout.lastPathComponent.lowercased()
        XCTAssertTrue(manifest.contains(".product(name: \"InfraCLI\", package: \"\(identity)\")"), manifest)

        let build = try run(["swift", "build", "--build-tests"], in: package)
        XCTAssertEqual(build.status, 0, String(build.output.suffix(6000)))
        print("[init-e2e] swift build --build-tests: \(String(format: "%.1f", build.seconds)) s")
        let tests = try run(["swift", "test", "--skip-build"], in: package)
        XCTAssertEqual(tests.status, 0, String(tests.output.suffix(6000)))
        XCTAssertTrue(tests.output.contains("Executed 2 tests, with 0 failures"), String(tests.output.suffix(3000)))

        // moto with signature checks on; infra.json runs the app for every command
        let moto = try await MotoServer.instance()
        try await moto.reset()
        let env = [
            "AWS_ENDPOINT_URL": moto.endpoint.absoluteString, "AWS_REGION": MotoServer.region,
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": home.path,
        ]
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
        let synth = try run([infra.path, "synth", "-q"], in: package, environment: env)
        XCTAssertEqual(synth.status, 0, synth.output)
        print("[init-e2e] one-line edit -> template (infra synth): \(String(format: "%.1f", synth.seconds)) s")
        let template = try String(contentsOf: package.appendingPathComponent("infra.out/orders-app.template.json"), encoding: .utf8)
        XCTAssertTrue(template.contains("\"VisibilityTimeout\": \(edited)"), template)
        try source.write(to: stackFile, atomically: true, encoding: .utf8)

        let destroy = try run([infra.path, "destroy", "--force", "--progress", "events"], in: package, environment: env)
        XCTAssertEqual(destroy.status, 0, destroy.output)
        let gone = try await cfn.describeStack("orders-app")
        XCTAssertTrue(gone == nil || gone?.status == .deleteComplete, "\(String(describing: gone?.status))")
        let log = moto.log(since: mark)
        XCTAssertFalse(log.contains("Traceback"), "moto's log holds a traceback:\n\(log.suffix(4000))")
    }
}

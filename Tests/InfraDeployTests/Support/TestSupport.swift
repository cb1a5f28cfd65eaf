import Foundation
@testable import InfraAWS
import InfraCore
import InfraTestSupport
@testable import InfraDeploy
import XCTest

/// A console that records everything and answers questions from a script.
final class TestConsole: DeployConsole, @unchecked Sendable {
    private let lock = NSLock()
    private var outLines: [String] = []
    private var errLines: [String] = []
    private var rawText = ""
    private var answers: [Bool]
    private(set) var questions: [String] = []
    let isTerminal: Bool
    let isInteractive: Bool
    /// Echo to the test log (set INFRA_TEST_ECHO=1 to see what a test printed).
    private let echo = ProcessInfo.processInfo.environment["INFRA_TEST_ECHO"] == "1"

    init(terminal: Bool = false, interactive: Bool = false, answers: [Bool] = []) {
        isTerminal = terminal
        isInteractive = interactive
        self.answers = answers
    }

    func out(_ line: String) {
        lock.withLock { outLines.append(line) }
        if echo { print("out| " + line) }
    }

    func err(_ line: String) {
        lock.withLock { errLines.append(line) }
        if echo { print("err| " + line) }
    }

    func raw(_ text: String) {
        lock.withLock { rawText += text }
        if echo { print("raw| " + text.replacingOccurrences(of: "\u{1B}", with: "<ESC>").replacingOccurrences(of: "\n", with: "<NL>\nraw| ")) }
    }

    func confirm(_ question: String) -> Bool {
        lock.withLock {
            questions.append(question)
            return answers.isEmpty ? false : answers.removeFirst()
        }
    }

    var stdout: String { lock.withLock { outLines.joined(separator: "\n") } }
    var stderr: String { lock.withLock { errLines.joined(separator: "\n") } }
    var all: String { stdout + "\n" + stderr }
    var rawOutput: String { lock.withLock { rawText } }

    func clear() {
        lock.withLock {
            outLines = []
            errLines = []
            rawText = ""
        }
    }
}

/// Records sleeps instead of sleeping (polling and retries).
final class Sleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [TimeInterval] = []
    var recorded: [TimeInterval] { lock.withLock { values } }

    func record(_ seconds: TimeInterval) {
        lock.withLock { values.append(seconds) }
    }

    var polling: PollingPolicy {
        PollingPolicy(initial: 0.1, maximum: 2.5, factor: 1.6, sleep: { [self] in record($0) })
    }

    var retry: RetryPolicy {
        RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 20, random: { $0.upperBound },
                    sleep: { [self] in record($0) })
    }
}

/// A temporary directory, removed at deinit.
final class TempDir {
    let url: URL

    init(_ prefix: String = "infra-deploy-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func sub(_ name: String) -> URL {
        let u = url.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// One stack of a hand-written assembly.
struct TestStack {
    var name: String
    var template: String
    var dependencies: [String] = []
    var tags: [String: String] = [:]
    var terminationProtection = false
    var assets: [String] = []
    var region: String?
}

/// One asset of a hand-written assembly.
struct TestAsset {
    var id: String
    var type: String
    var path: String
    var source: String
}

/// Writes an assembly folder (manifest.json + templates) the way `infra synth` does.
@discardableResult
func writeAssembly(_ dir: URL, stacks: [TestStack], assets: [TestAsset] = []) throws -> URL {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var entries: [AssemblyManifest.Stack] = []
    for s in stacks {
        let file = "\(s.name).template.json"
        try s.template.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        entries.append(AssemblyManifest.Stack(
            id: s.name, stackName: s.name, template: file, region: s.region, dependencies: s.dependencies,
            tags: s.tags, terminationProtection: s.terminationProtection, assets: s.assets))
    }
    let manifest = AssemblyManifest(stacks: entries, assets: try assets.map { a in
        guard let type = AssetKind(rawValue: a.type) else { throw ManifestError(file: "test", key: "type", "unknown \(a.type)") }
        return AssemblyManifest.Asset(id: a.id, type: type, path: a.path, source: a.source)
    })
    try JSONRenderer.render(encoding: manifest).write(to: dir.appendingPathComponent(AssemblyManifest.fileName),
                                                      atomically: true, encoding: .utf8)
    return dir
}

/// A minimal valid template with the given resources (JSON object text).
func template(_ resources: String, outputs: String? = nil, parameters: String? = nil) -> String {
    var parts = ["\"Resources\": {\(resources)}"]
    if let parameters { parts.insert("\"Parameters\": {\(parameters)}", at: 0) }
    if let outputs { parts.append("\"Outputs\": {\(outputs)}") }
    return "{\n" + parts.joined(separator: ",\n") + "\n}\n"
}

/// The repository root (Tests/InfraDeployTests/Support/ -> ../../..).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

extension XCTestCase {
    /// Fails with the console output attached.
    func assertExit(_ code: Int32, _ expected: Int32, _ console: TestConsole, file: StaticString = #filePath,
                    line: UInt = #line) {
        XCTAssertEqual(code, expected, "exit code; output:\n\(console.all)", file: file, line: line)
    }
}

/// The moto server of the test process; a failure to start it fails the test that asked.
func requireMoto() async throws -> MotoServer {
    do {
        return try await MotoServer.instance()
    } catch {
        XCTFail("\(error)")
        throw error
    }
}

/// A deploy context signing with moto's identity and pointed at `endpoint` (moto itself, or a
/// proxy in front of it); docker points at a socket that does not exist, so no engine answers.
/// Polling is short; `retry` nil keeps the client's standard retries.
func motoDeployContext(_ moto: MotoServer, _ console: TestConsole, endpoint: URL? = nil,
                       region: String = MotoServer.region, transport: any HTTPTransport = defaultHTTPTransport(),
                       polling: PollingPolicy = PollingPolicy(initial: 0.02, maximum: 0.2),
                       retry: RetryPolicy? = RetryPolicy(maxAttempts: 1),
                       cwd: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> DeployContext {
    DeployContext(
        environment: AWSEnvironment(variables: [
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "AWS_ENDPOINT_URL": (endpoint ?? moto.endpoint).absoluteString,
            "AWS_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
        ], homeDirectory: "/nonexistent-home"),
        transport: transport, console: console, polling: polling,
        docker: ProcessDockerRunner(environment: ["DOCKER_HOST": "unix:///nonexistent/infra-test/docker.sock"]),
        retry: retry, workingDirectory: cwd)
}

import BuiltinStacks
import Foundation
@testable import InfraCLI
import InfraCore
import InfraDSL
import XCTest

/// The CLI as a library (a user's own definitions), its exit codes, the project file and
/// `infra init`'s files. The generated package built, tested and deployed to moto:
/// InfraDeployTests/InitProjectTests.
final class OwnStacksTests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("config"), withIntermediateDirectories: true)
    }

    override func tearDown() {
        InfraCommand.definitions = StackRegistry.all
        try? FileManager.default.removeItem(at: dir)
    }

    /// A user's definition: a queue whose redrive count comes from the context.
    static let orders = StackDefinition(name: "orders", summary: "a queue", contextKeys: ["MAX_RECEIVE_COUNT"]) { app, config in
        let stack = Stack(app, config: config)
        _ = Queue(stack, "Jobs", deadLetterQueue: .init(queue: Queue(stack, "JobsDLQ"), maxReceiveCount: try config.int("MAX_RECEIVE_COUNT", default: 5)))
    }

    /// Runs `infra ARGUMENTS` in-process and checks its exit status.
    func assertStatus(_ arguments: [String], _ expected: Int32, _ message: String = "", line: UInt = #line) async {
        let status = await InfraCommand.run(arguments: arguments)
        XCTAssertEqual(status, expected, message, line: line)
    }

    func write(_ path: String, _ text: String) throws {
        let url = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func testUserDefinitionsWithConfigAndContextOverride() async throws {
        InfraCommand.definitions = [Self.orders]
        try write("config/orders.json", #"{"app": "orders", "stackName": "team-orders"}"#)
        let out = dir.appendingPathComponent("out")
        await assertStatus(["synth", "-q", "--config", dir.appendingPathComponent("config").path,
                                                    "--output", out.path, "-c", "MAX_RECEIVE_COUNT=3"], 0)
        let template = try String(contentsOf: out.appendingPathComponent("team-orders.template.json"), encoding: .utf8)
        XCTAssertTrue(template.contains(#""maxReceiveCount": 3"#), template)
        // a key the user's definition does not read is a config error (exit 2)
        await assertStatus(["synth", "-q", "--config", dir.appendingPathComponent("config").path,
                                                    "--output", out.path, "-c", "NOPE=1"], 2)
        // a built-in definition is unknown to the user's executable
        try write("config/other.json", #"{"app": "example"}"#)
        await assertStatus(["ls", "--config", dir.appendingPathComponent("config").path], 2)
    }

    func testExitCodes() async throws {
        await assertStatus(["bogus"], 2, "usage error: 2 as documented (ArgumentParser says 64)")
        await assertStatus(["synth", "--no-such-flag"], 2)
        await assertStatus(["deploy", "--concurrency", "x"], 2)
        await assertStatus(["--help"], 0)
        await assertStatus(["--generate-completion-script", "bash"], 0)
        // a synthesis error: diagnostics and 1, no crash
        InfraCommand.definitions = [StackDefinition(name: "broken", summary: "two constructs with one id") { app, config in
            let s = Stack(app, config: config)
            _ = Queue(s, "Q")
            _ = Queue(s, "Q")
        }]
        try write("config/b.json", #"{"app": "broken"}"#)
        await assertStatus(["synth", "-q", "--config", dir.appendingPathComponent("config").path,
                                                    "--output", dir.appendingPathComponent("out").path], 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    func testOutsideAProjectTheErrorMentionsAssemblyAndInit() async throws {
        let missing = dir.appendingPathComponent("nowhere").path
        await assertStatus(["synth", "--config", missing], 2)
        XCTAssertThrowsError(try ProjectFile.requireConfigFolder(URL(fileURLWithPath: missing), flag: "config")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("--assembly DIR"), text)
            XCTAssertTrue(text.contains("infra.json"), text)
            XCTAssertTrue(text.contains("infra init"), text)
        }
    }

    func testProjectFile() throws {
        XCTAssertEqual(try ProjectFile.parse(#"{"app": "swift run --quiet OrdersInfra"}"#), ProjectFile(app: "swift run --quiet OrdersInfra"))
        XCTAssertThrowsError(try ProjectFile.parse(#"{"ap": "x"}"#)) {
            XCTAssertEqual("\($0)", "infra.json: key 'ap': unknown key (known keys: app)")
        }
        XCTAssertThrowsError(try ProjectFile.parse(#"{}"#)) { XCTAssertTrue("\($0)".hasPrefix("infra.json: key 'app': missing required key")) }
        XCTAssertThrowsError(try ProjectFile.parse(#"{"app": 3}"#)) { XCTAssertTrue("\($0)".contains("must be a non-empty string")) }
        XCTAssertThrowsError(try ProjectFile.parse("{\"app\": \n")) { XCTAssertTrue("\($0)".hasPrefix("infra.json: invalid JSON at line")) }
        XCTAssertEqual(ProjectFile.shellQuote("deploy"), "deploy")
        XCTAssertEqual(ProjectFile.shellQuote("MAX=3"), "MAX=3")
        XCTAssertEqual(ProjectFile.shellQuote("a b'c"), #"'a b'\''c'"#)
        XCTAssertEqual(ProjectFile.shellQuote("*"), "'*'")
    }

    func testInitFilesAndPackageIdentity() async throws {
        XCTAssertEqual(InitTemplate.Dependency.path("../checkouts/Infra-Main").identity, "infra-main")
        XCTAssertEqual(InitTemplate.Dependency.url("https://github.com/org/infra.git", version: "1.0.0").identity, "infra")
        XCTAssertEqual(InitTemplate.typeName("orders-api"), "OrdersApi")
        XCTAssertEqual(InitTemplate.relativePath(from: "/work/a/pkg", to: "/work/infra"), "../../infra")
        // a package inside the checkout: the path must end in the checkout's name (the identity)
        XCTAssertEqual(InitTemplate.relativePath(from: "/work/infra/.build/e2e/pkg", to: "/work/infra"), "/work/infra")
        let files = try InitTemplate.files(name: "orders-api", dependency: .path("../w-testing"))
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.text) })
        XCTAssertEqual(Set(byPath.keys), [
            "Package.swift", "infra.json", "config/orders-api.json", "Sources/OrdersApiStack/OrdersApiStack.swift",
            "Sources/OrdersApiInfra/main.swift", "Tests/OrdersApiStackTests/OrdersApiStackTests.swift",
            "functions/worker/app.py", "README.md", ".gitignore",
        ])
        XCTAssertTrue(byPath["Package.swift"]!.contains(#".package(path: "../w-testing")"#))
        XCTAssertTrue(byPath["Package.swift"]!.contains(#".product(name: "InfraTesting", package: "w-testing")"#))
        // the app links the synthesis side only (InfraApp), not the CLI
        XCTAssertTrue(byPath["Package.swift"]!.contains(#".product(name: "InfraApp", package: "w-testing")"#))
        XCTAssertFalse(byPath["Package.swift"]!.contains("InfraCLI"))
        XCTAssertTrue(byPath["Sources/OrdersApiInfra/main.swift"]!.contains("InfraApp.main(definitions:"))
        XCTAssertEqual(try ProjectFile.parse(byPath["infra.json"]!).app, "swift run --quiet OrdersApiInfra")
        XCTAssertEqual(try StackConfig.parse(byPath["config/orders-api.json"]!, file: "orders-api.json").app, "orders-api")
        XCTAssertTrue(byPath["Sources/OrdersApiStack/OrdersApiStack.swift"]!.contains("relativeTo: #filePath"))
        XCTAssertThrowsError(try InitTemplate.files(name: "1bad name", dependency: .path("x")))

        // init writes into a new or empty folder only
        let cwd = FileManager.default.currentDirectoryPath
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        FileManager.default.changeCurrentDirectoryPath(dir.path)
        await assertStatus(["init", "shop", "--infra-url", "https://example.com/x/infra.git"], 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("shop/infra.json").path))
        await assertStatus(["init", "shop", "--infra-url", "https://example.com/x/infra.git"], 2)
        await assertStatus(["init", "bad name", "--infra-url", "u"], 2)
    }

    func testCodeDirectoryRelativeToTheDeclaringFile() throws {
        try write("functions/w/app.py", "def handler(e, c):\n    return 1\n")
        let app = App()
        let stack = Stack(app, "s")
        let fakeSource = dir.appendingPathComponent("Sources/S/Stack.swift").path
        _ = Function(stack, "W", code: .directory(Function.Code.directoryPath("../../functions/w", relativeTo: fakeSource)),
                     handler: "app.handler", runtime: "python3.12")
        XCTAssertNoThrow(try app.synthesize())
    }
}

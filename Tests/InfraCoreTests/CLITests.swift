import ArgumentParser
import BuiltinStacks
import Foundation
import InfraCLI
import InfraCore
import XCTest

/// The CLI end to end, in-process: exit codes, nothing written on failure, selection, formats.
final class CLITests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("config"), withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    func writeConfig(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent("config/\(name)"), atomically: true, encoding: .utf8)
    }

    /// Runs `infra <args>` with the test folder's config; returns the exit code.
    func run(_ args: [String]) -> Int32 {
        let full = args + ["--config", dir.appendingPathComponent("config").path]
        do {
            var command = try InfraCommand.parseAsRoot(full)
            try command.run()
            return 0
        } catch {
            return InfraCommand.exitCode(for: error).rawValue
        }
    }

    var out: URL { dir.appendingPathComponent("out") }

    func testSynthWritesManifestAndTemplatesInBothFormats() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha", "region": "eu-west-1"}"#)
        try writeConfig("b.json", #"{"app": "example", "stackName": "beta", "context": {"FUNCTION_MEMORY": 512}}"#)
        XCTAssertEqual(run(["synth", "--output", out.path, "--quiet"]), 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, ["alpha.template.json", "beta.template.json", "manifest.json"])
        XCTAssertEqual(run(["synth", "beta", "--output", out.path, "--format", "yaml", "-c", "FUNCTION_MEMORY=1024", "--quiet"]), 0)
        let yamlFiles = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(yamlFiles, ["beta.template.yaml", "manifest.json"])
        let yaml = try String(contentsOf: out.appendingPathComponent("beta.template.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("MemorySize: 1024"), "the -c override reaches the template")
    }

    func testConfigErrorExitsTwoAndLeavesPreviousOutput() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha"}"#)
        XCTAssertEqual(run(["synth", "--output", out.path, "--quiet"]), 0)
        let before = try Data(contentsOf: out.appendingPathComponent("alpha.template.json"))
        try writeConfig("a.json", "{\"app\": \"example\",\n \"stackName\": alpha}")
        XCTAssertEqual(run(["synth", "--output", out.path, "--quiet"]), 2)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("alpha.template.json")), before)
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha", "context": {"FUNCTION_MEMORY": "lots"}}"#)
        XCTAssertEqual(run(["synth", "--output", out.path, "--quiet"]), 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["config", "out"], "no temporary folders left")
    }

    func testOverrideOfAKeyNoStackReadsIsAConfigError() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha"}"#)
        XCTAssertEqual(run(["synth", "--output", out.path, "-c", "FUNCTION_MEMROY=512", "--quiet"]), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testOverridesApplyToTheNamedStacksOnly() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha"}"#)
        try writeConfig("b.json", #"{"app": "example", "stackName": "beta"}"#)
        XCTAssertEqual(run(["synth", "alpha", "--output", out.path, "-c", "FUNCTION_MEMORY=1024", "--quiet"]), 0)
        let project = Project(configDirectory: dir.appendingPathComponent("config"), definitions: StackRegistry.all)
        let configs = try project.loadConfigs(overrides: [("FUNCTION_MEMORY", "1024")], scope: ["al*"])
        XCTAssertEqual(configs.map { try? $0.int("FUNCTION_MEMORY", default: 256) }, [1024, 256])
    }

    /// An invalid stack name was a synthesis error (exit 1, no file or key named); it is now a
    /// config error naming the file and key.
    func testInvalidStackNameExitsTwoAndWritesNothing() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "not_valid!"}"#)
        XCTAssertEqual(run(["synth", "--output", out.path, "--quiet"]), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testUnknownStackAndFormat() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha"}"#)
        XCTAssertEqual(run(["synth", "nope", "--output", out.path]), 1)
        XCTAssertNotEqual(run(["synth", "--format", "xml", "--output", out.path]), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        XCTAssertEqual(run(["ls"]), 0)
    }

    func testContextListsKeysAndRefusesBadInput() throws {
        try writeConfig("a.json", #"{"app": "example", "stackName": "alpha", "context": {"FUNCTION_MEMORY": 512}}"#)
        XCTAssertEqual(run(["context"]), 0)
        XCTAssertEqual(run(["context", "alpha", "-c", "LOG_RETENTION_DAYS=30"]), 0)
        XCTAssertEqual(run(["context", "--markdown"]), 0)
        XCTAssertEqual(run(["context", "-c", "NOT_A_KEY=1"]), 2)
        try writeConfig("b.json", #"{"app": "example", "region": "us-esat-1"}"#)
        XCTAssertEqual(run(["context"]), 2)
    }
}

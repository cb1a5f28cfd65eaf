import BuiltinStacks
import Foundation
import InfraApp
import InfraCLI
import XCTest

/// The app protocol a project's app speaks (`InfraApp.run`): the assembly it writes is the CLI's
/// `infra synth`'s, byte for byte; usage and config errors exit 2, help 0.
final class InfraAppTests: XCTestCase {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Every file under `folder`, relative path -> bytes.
    func files(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path))
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = folder.appendingPathComponent(rel).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = FileManager.default.contents(atPath: path)
            }
        }
        return out
    }

    func testSynthWritesTheCLIsAssemblyByteForByte() async throws {
        let config = Self.checkout.appendingPathComponent("config").path
        let app = dir.appendingPathComponent("app.out")
        let cli = dir.appendingPathComponent("cli.out")
        for (format, stacks) in [("json", [String]()), ("yaml", ["labeling-tool"])] {
            let status = InfraApp.run(["synth", "-q", "--format", format, "--output=\(app.path)", "--config", config,
                                       "-cNAT_GATEWAYS=2"] + stacks, definitions: StackRegistry.all)
            XCTAssertEqual(status, 0)
            InfraCommand.definitions = StackRegistry.all
            let cliStatus = await InfraCommand.run(arguments: ["synth", "-q", "--format", format, "--output", cli.path,
                                                               "--config", config, "-c", "NAT_GATEWAYS=2"] + stacks)
            XCTAssertEqual(cliStatus, 0)
            let written = try files(app)
            XCTAssertEqual(written, try files(cli), format)
            XCTAssertTrue(written.keys.contains("manifest.json"), "\(written.keys.sorted())")
            XCTAssertEqual(written.keys.contains { $0.hasPrefix("labeling-tool") }, true)
            try FileManager.default.removeItem(at: app)
            try FileManager.default.removeItem(at: cli)
        }
    }

    func testUsageAndConfigErrorsExit2() throws {
        let config = Self.checkout.appendingPathComponent("config").path
        let out = dir.appendingPathComponent("out")
        XCTAssertEqual(InfraApp.run([], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["deploy"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["graph", "--format", "png"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["graph", "--level", "subnets"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["graph", "--all"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "--nope"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "--output"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "--format", "xml"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "-q", "--output", out.path, "--config", dir.appendingPathComponent("missing").path],
                                    definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "-q", "--output", out.path, "--config", config, "-c", "NOT_A_KEY=1"],
                                    definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["synth", "-q", "--output", out.path, "--config", config, "-c", "novalue"],
                                    definitions: StackRegistry.all), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written on an error")
        // an unknown stack: a synthesis (assembly) error, 1
        XCTAssertEqual(InfraApp.run(["synth", "-q", "--output", out.path, "--config", config, "no-such-stack"],
                                    definitions: StackRegistry.all), 1)
        XCTAssertEqual(InfraApp.run(["--help"], definitions: []), 0)
        XCTAssertEqual(InfraApp.run(["synth", "--help"], definitions: []), 0)
        XCTAssertEqual(InfraApp.run(["--protocol-version"], definitions: []), 0)
        XCTAssertEqual(InfraApp.run(["ls", "--config", config], definitions: StackRegistry.all), 0)
        XCTAssertEqual(InfraApp.run(["ls", "extra", "--config", config], definitions: StackRegistry.all), 2)
        XCTAssertEqual(InfraApp.run(["context", "--markdown"], definitions: StackRegistry.all), 0)
    }

    /// `APP graph` draws with the CLI's code: the same bytes for the same stacks, formats and
    /// levels, one file or a folder of files; errors exit as the CLI's do.
    func testGraphWritesTheCLIsDiagramsByteForByte() async throws {
        let config = Self.checkout.appendingPathComponent("config").path
        InfraCommand.definitions = StackRegistry.all
        let cases: [([String], String)] = [
            (["--format", "json", "labeling-tool"], "one.json"),
            (["--format", "dot", "--level", "resources", "-c", "NAT_GATEWAYS=2", "labeling-tool"], "one.dot"),
            (["--format", "dot", "coral-pipeline", "sign2text"], "folder"),
            (["--format=mermaid", "--level=resources", "data-label"], "one.mmd"),
        ]
        for (arguments, name) in cases {
            let app = dir.appendingPathComponent("app-" + name)
            let cli = dir.appendingPathComponent("cli-" + name)
            XCTAssertEqual(InfraApp.run(["graph", "--config", config, "-o", app.path] + arguments, definitions: StackRegistry.all), 0)
            let cliStatus = await InfraCommand.run(arguments: ["graph", "--config", config, "--output", cli.path] + arguments)
            XCTAssertEqual(cliStatus, 0)
            if name == "folder" {
                let written = try files(app)
                XCTAssertEqual(written, try files(cli), "\(arguments)")
                XCTAssertEqual(written.keys.sorted(), ["coral-pipeline.dot", "sign2text.dot"])
            } else {
                let written = try Data(contentsOf: app)
                XCTAssertEqual(written, try Data(contentsOf: cli), "\(arguments)")
                XCTAssertTrue(String(decoding: written, as: UTF8.self).contains("labeling-tool") || name == "one.mmd", "\(arguments)")
            }
        }
        // a file where several stacks need a folder: 1 as the CLI, the file left as it was
        let file = dir.appendingPathComponent("taken")
        try Data("x".utf8).write(to: file)
        XCTAssertEqual(InfraApp.run(["graph", "--config", config, "-o", file.path, "coral-pipeline", "sign2text"],
                                    definitions: StackRegistry.all), 1)
        let cliStatus = await InfraCommand.run(arguments: ["graph", "--config", config, "-o", file.path, "coral-pipeline", "sign2text"])
        XCTAssertEqual(cliStatus, 1)
        XCTAssertEqual(try Data(contentsOf: file), Data("x".utf8))
        // an unknown stack: 1; a key no stack reads: 2
        XCTAssertEqual(InfraApp.run(["graph", "--config", config, "-o", file.path, "no-such-stack"], definitions: StackRegistry.all), 1)
        XCTAssertEqual(InfraApp.run(["graph", "--config", config, "-o", file.path, "-c", "NOT_A_KEY=1"], definitions: StackRegistry.all), 2)
        XCTAssertEqual(try Data(contentsOf: file), Data("x".utf8))
    }

    /// `synth --scope STACK`: every stack synthesized, the `-c` overrides applied to STACK only
    /// (what `infra destroy STACK -c ...` asks of a project's app); the CLI's synth the same.
    func testSynthScopeAppliesOverridesToTheNamedStacksOnly() async throws {
        let config = Self.checkout.appendingPathComponent("config").path
        let plain = dir.appendingPathComponent("plain"), scoped = dir.appendingPathComponent("scoped")
        let named = dir.appendingPathComponent("named"), cli = dir.appendingPathComponent("cli")
        XCTAssertEqual(InfraApp.run(["synth", "-q", "-o", plain.path, "--config", config], definitions: StackRegistry.all), 0)
        XCTAssertEqual(InfraApp.run(["synth", "-q", "-o", scoped.path, "--config", config, "-c", "NAT_GATEWAYS=2",
                                     "--scope", "labeling-tool"], definitions: StackRegistry.all), 0)
        XCTAssertEqual(InfraApp.run(["synth", "-q", "-o", named.path, "--config", config, "-c", "NAT_GATEWAYS=2", "labeling-tool"],
                                    definitions: StackRegistry.all), 0)
        InfraCommand.definitions = StackRegistry.all
        let cliStatus = await InfraCommand.run(arguments: ["synth", "-q", "-o", cli.path, "--config", config, "-c", "NAT_GATEWAYS=2",
                                                           "--scope", "labeling-tool"])
        XCTAssertEqual(cliStatus, 0)
        let before = try files(plain), after = try files(scoped)
        XCTAssertEqual(after, try files(cli))
        XCTAssertEqual(Set(after.keys), Set(before.keys), "every stack synthesized")
        let changed = after.keys.filter { $0.hasSuffix(".template.json") && after[$0] != before[$0] }.sorted()
        XCTAssertEqual(changed, ["labeling-tool.template.json"], "only the scoped stack's template has the override")
        XCTAssertEqual(after["labeling-tool.template.json"], try files(named)["labeling-tool.template.json"])
        // a key no stack in scope reads: 2
        XCTAssertEqual(InfraApp.run(["synth", "-q", "-o", dir.appendingPathComponent("x").path, "--config", config,
                                     "-c", "NAT_GATEWAYS=2", "--scope", "ml-inference"], definitions: StackRegistry.all), 2)
    }

    /// The version handshake: an app run by an infra of another protocol version refuses,
    /// naming the app's command and both versions; the same version, or no infra, runs.
    func testProtocolMismatchNamesTheAppAndBothVersions() throws {
        XCTAssertNil(InfraApp.protocolMismatch([:]))
        XCTAssertNil(InfraApp.protocolMismatch(["INFRA_APP_PROTOCOL": "\(InfraApp.protocolVersion)", "INFRA_PROJECT_APP": "x"]))
        let message = try XCTUnwrap(InfraApp.protocolMismatch(["INFRA_APP_PROTOCOL": "7", "INFRA_PROJECT_APP": "swift run --quiet orders-infra"]))
        XCTAssertTrue(message.contains("infra.json: swift run --quiet orders-infra"), message)
        XCTAssertTrue(message.contains("speaks infra app protocol \(InfraApp.protocolVersion)"), message)
        XCTAssertTrue(message.contains("speaks protocol 7"), message)
    }
}

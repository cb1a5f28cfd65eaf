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
        XCTAssertEqual(InfraApp.run(["graph"], definitions: StackRegistry.all), 2)
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
}

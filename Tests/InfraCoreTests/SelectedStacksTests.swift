import BuiltinStacks
import Foundation
@testable import InfraCLI
import InfraCore
import InfraDSL
import XCTest

/// `infra synth NAME` builds only the named stacks' configs and what those stacks reference,
/// not every configured stack.
final class SelectedStacksTests: XCTestCase {
    var dir: URL!
    var config: URL { dir.appendingPathComponent("config") }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-selected-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    }

    override func tearDown() {
        InfraCommand.definitions = StackRegistry.all
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: config.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// The repository's labeling-tool config next to a data-label config whose function folder
    /// does not exist and whose memory is not a number: `synth labeling-tool` neither reads nor
    /// validates data-label's settings; `synth` of everything reports them.
    func testAnotherStacksBrokenConfigDoesNotFailTheNamedStack() async throws {
        InfraCommand.definitions = StackRegistry.all
        let repoConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config")
        try FileManager.default.copyItem(at: repoConfig.appendingPathComponent("labeling-tool.json"),
                                         to: config.appendingPathComponent("labeling-tool.json"))
        try write("data-label.json", #"""
            {"app": "data-label", "stackName": "data-label", "region": "eu-west-1",
             "context": {"FUNCTIONS_DIR": "no/such/folder", "PREPROCESS_MEMORY_MB": "lots"}}
            """#)
        let out = dir.appendingPathComponent("out")
        let named = await InfraCommand.run(arguments: ["synth", "labeling-tool", "-q", "--config", config.path, "--output", out.path])
        XCTAssertEqual(named, 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files.filter { $0.hasSuffix(".template.json") }, ["labeling-tool.template.json"])
        XCTAssertEqual(files.filter { $0.hasPrefix("asset.") }.count, 1, "the database initializer's zip only: \(files)")

        let everything = await InfraCommand.run(arguments: ["synth", "-q", "--config", config.path,
                                                            "--output", dir.appendingPathComponent("all").path])
        XCTAssertEqual(everything, 2, "data-label's settings are errors when it is synthesized")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("all").path))
    }

    /// Counts the builds of each definition (the tests run one at a time).
    nonisolated(unsafe) static var builds: [String: Int] = [:]

    /// `network` builds a queue; `shop` builds two stacks, the second referencing the first's
    /// queue (a cross-stack reference); `broken` always fails.
    static let definitions: [StackDefinition] = [
        StackDefinition(name: "broken", summary: "never builds") { _, config in
            builds["broken", default: 0] += 1
            throw config.error("context.SIZE", "must be a number")
        },
        StackDefinition(name: "network", summary: "one queue") { app, config in
            builds["network", default: 0] += 1
            _ = Queue(Stack(app, config: config), "Shared")
        },
        StackDefinition(name: "shop", summary: "two stacks, one referencing the other") { app, config in
            builds["shop", default: 0] += 1
            let base = Stack(app, config.stackName + "-base", stackName: config.stackName + "-base")
            let dead = Queue(base, "Dead")
            let front = Stack(app, config.stackName, stackName: config.stackName)
            _ = Queue(front, "Orders", deadLetterQueue: .init(queue: dead, maxReceiveCount: 3))
        },
    ]

    func project() throws -> Project {
        try write("a-broken.json", #"{"app": "broken", "stackName": "broken"}"#)
        try write("b-network.json", #"{"app": "network", "stackName": "network"}"#)
        try write("c-shop.json", #"{"app": "shop", "stackName": "shop"}"#)
        Self.builds = [:]
        return Project(configDirectory: config, definitions: Self.definitions)
    }

    func testOnlyTheNamedStacksAndTheirDependenciesAreBuilt() throws {
        let project = try project()
        let assembly = try project.synthesize(stacks: ["shop"])
        XCTAssertEqual(assembly.stacks.map(\.stackName), ["shop-base", "shop"], "the referenced stack comes along")
        XCTAssertEqual(assembly.stacks[1].dependencies, ["shop-base"])
        XCTAssertEqual(Self.builds, ["shop": 1], "neither network nor broken is built")

        Self.builds = [:]
        XCTAssertEqual(try project.synthesize(stacks: ["network"]).stacks.map(\.stackName), ["network"])
        XCTAssertEqual(Self.builds, ["network": 1])
    }

    /// A name no config declares (a stack a definition names itself) builds every config: the
    /// broken one included, which then fails as `synth` of everything does.
    func testANameNoConfigDeclaresBuildsEveryConfig() throws {
        let project = try project()
        XCTAssertThrowsError(try project.synthesize(stacks: ["shop-base"])) { error in
            XCTAssertTrue("\(error)".contains("must be a number"), "\(error)")
        }
        XCTAssertEqual(Self.builds, ["broken": 1, "network": 1, "shop": 1])
        try FileManager.default.removeItem(at: config.appendingPathComponent("a-broken.json"))
        Self.builds = [:]
        XCTAssertEqual(try project.synthesize(stacks: ["shop-base"]).stacks.map(\.stackName), ["shop-base"])
        XCTAssertEqual(Self.builds, ["network": 1, "shop": 1])
    }

    /// Wildcards select configs as they select stacks.
    func testWildcardsSelectConfigs() throws {
        let project = try project()
        let app = try project.buildApp(project.loadConfigs(scope: ["sh*"]), selecting: ["sh*"])
        XCTAssertEqual(app.stacks.map(\.stackName), ["shop-base", "shop"])
        XCTAssertEqual(Self.builds, ["shop": 1])
    }

    /// Synthesis of everything (no name) is what it was: every config built, in file order.
    func testNoNameBuildsEverything() throws {
        let project = try project()
        try FileManager.default.removeItem(at: config.appendingPathComponent("a-broken.json"))
        let assembly = try project.synthesize()
        XCTAssertEqual(assembly.stacks.map(\.stackName), ["network", "shop-base", "shop"])
        XCTAssertEqual(Self.builds, ["network": 1, "shop": 1])
    }
}

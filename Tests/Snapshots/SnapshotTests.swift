import BuiltinStacks
import Foundation
import InfraCLI
import InfraDSL
import XCTest
import Yams

/// Golden templates of the example stack, and checks over every configured stack. Each ready
/// stack has its own `<Name>SnapshotTests.swift` with its config variants.
final class SnapshotTests: XCTestCase {
    func testExample() throws {
        try Snapshot.check(config: "example.json")
        try Snapshot.check(config: "example.json", variant: "small", overrides: [("VPC_CIDR", "172.16.0.0/20"), ("FUNCTION_MEMORY", "128")])
    }

    /// The example's subnets are computed at synth time from VPC_CIDR (no Fn::Cidr); a bad
    /// block is a config error naming the key.
    func testExampleSubnetsAreComputedFromTheVpcBlock() throws {
        let url = Snapshot.root.appendingPathComponent("config/example.json")
        func template(_ overrides: [(String, String)]) throws -> Value {
            var cfg = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/example.json")
            cfg.applyOverrides(overrides)
            return try Project(configDirectory: url.deletingLastPathComponent(), definitions: StackRegistry.all).buildApp([cfg]).synthesize().stacks[0].template
        }
        func blocks(_ t: Value) -> [String] {
            guard case .object(let rs)? = t["Resources"] else { return [] }
            return rs.filter { $0.1["Type"] == "AWS::EC2::Subnet" }.compactMap { $0.1["Properties"]?["CidrBlock"]?.stringLiteral }
        }
        XCTAssertEqual(blocks(try template([])), ["10.0.0.0/24", "10.0.1.0/24"])
        XCTAssertEqual(blocks(try template([("VPC_CIDR", "192.168.2.0/23")])), ["192.168.2.0/24", "192.168.3.0/24"])
        XCTAssertFalse(JSONRenderer.render(try template([])).contains("Fn::Cidr"))
        for (value, message) in [
            ("10.0.0.1/16", "'10.0.0.1/16' has host bits set (the block is 10.0.0.0/16)"),
            ("10.0.0/16", "'10.0.0/16' is not an IPv4 CIDR block such as 10.0.0.0/16 (a.b.c.d/n)"),
            ("10.0.0.0/8", "'10.0.0.0/8': a VPC block has a prefix length between /16 and /28"),
            ("10.0.0.0/24", "'10.0.0.0/24' is too small for the stack's two /24 subnets (use /23 or larger, such as 10.0.0.0/16)"),
        ] {
            XCTAssertThrowsError(try template([("VPC_CIDR", value)]), value) { e in
                XCTAssertEqual((e as? ConfigError)?.description, "config/example.json: key 'context.VPC_CIDR': \(message)")
            }
        }
    }

    /// The placeholders of the shipped configs are marked as examples (deploy refuses them);
    /// the manifest names them and where each stack's settings came from.
    func testShippedExamplesAndManifestKeys() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let configs = try project.loadConfigs()
        var examples: [String: [String]] = [:]
        for c in configs where !c.exampleKeys.isEmpty { examples[c.stackName] = c.exampleKeys }
        XCTAssertEqual(examples, ["labeling-tool": ["ADMIN_EMAIL"], "sign2text": ["HOSTED_ZONE_ID", "HOSTED_ZONE_NAME"]])
        let manifest = try project.synthesize().manifest(format: .json)
        var gated: [String: [String]] = [:]
        for s in manifest.stacks {
            let name = s.stackName
            let file = try XCTUnwrap(s.configFile, name)
            if FileManager.default.currentDirectoryPath == Snapshot.root.path {
                XCTAssertTrue(file.hasPrefix("config/") && file.hasSuffix(".json"), file)  // relative to the project root
            } else {
                XCTAssertTrue(file.hasSuffix(".json"), file)
            }
            if !s.images.isEmpty { gated[name] = s.images.compactMap(\.parameter) }
        }
        XCTAssertEqual(gated, [
            "coral-pipeline": ["FrontendImageReady", "ReframingImageReady", "RestorationImageReady", "SegmentationImageReady"],
            "data-label": ["ScraperImageReady"], "ml-inference": ["InferenceImageReady"], "sign2text": ["ApiImageReady"],
        ])
    }

    /// Every golden file belongs to a configured stack (no stale files left behind).
    func testNoStrayGoldenFiles() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let names = try project.loadConfigs().map(\.stackName)
        let files = try FileManager.default.contentsOfDirectory(atPath: Snapshot.golden.path)
        for f in files {
            let owner = names.contains { f == "\($0).template.json" || f.hasPrefix("\($0)-") }
                || f == Snapshot.toolkitFile
            XCTAssertTrue(owner, "golden file \(f) matches no configured stack")
        }
    }

    func testYAMLOfEveryStackReadsBackAsTheJSONTemplate() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let assembly = try project.synthesize()
        for stack in assembly.stacks {
            let yaml = try assembly.render(stack, format: .yaml)
            XCTAssertTrue(yaml.hasPrefix("AWSTemplateFormatVersion: '2010-09-09'"), stack.stackName)
            let fromYAML = try Yams.load(yaml: yaml) as? NSDictionary
            let json = try assembly.render(stack, format: .json)
            let fromJSON = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
            XCTAssertNotNil(fromYAML)
            XCTAssertEqual(fromYAML, fromJSON, "\(stack.stackName): the YAML template does not read back as the JSON one")
        }
    }

    func testSynthesisOfEveryStackIsByteIdenticalRunToRun() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let a = try project.synthesize(), b = try project.synthesize()
        for (x, y) in zip(a.stacks, b.stacks) {
            XCTAssertEqual(try a.render(x, format: .json), try b.render(y, format: .json), x.stackName)
        }
        XCTAssertEqual(try JSONRenderer.render(encoding: a.manifest(format: .json)),
                       try JSONRenderer.render(encoding: b.manifest(format: .json)))
    }

    /// The toolkit template `infra bootstrap` deploys (`ToolkitTemplate`), byte for byte; as a
    /// golden file it is linted by `scripts/test` with every other template.
    func testToolkitTemplate() throws {
        let path = Snapshot.golden.appendingPathComponent(Snapshot.toolkitFile)
        if Snapshot.recording {
            try ToolkitTemplate.json.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(ToolkitTemplate.json, try String(contentsOf: path, encoding: .utf8),
                       "the toolkit template differs from \(path.path)")
        // It is JSON, and it names what the deployer and the constructs expect.
        let t = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ToolkitTemplate.json.utf8)) as? [String: Any])
        let resources = try XCTUnwrap(t["Resources"] as? [String: [String: Any]])
        let bucket = try XCTUnwrap(resources["AssetBucket"]?["Properties"] as? [String: Any])
        XCTAssertEqual(bucket["BucketName"] as? [String: String], ["Fn::Sub": Toolkit.bucketNamePattern])
        XCTAssertEqual(bucket["BucketName"] as? [String: String], ["Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"])
        let repository = try XCTUnwrap(resources["ImageRepository"]?["Properties"] as? [String: Any])
        XCTAssertEqual(repository["RepositoryName"] as? String, AssetLocations.imageRepositoryName)
        let outputs = try XCTUnwrap(t["Outputs"] as? [String: [String: Any]])
        XCTAssertEqual(Set(outputs.keys), [Toolkit.OutputKey.bucketName, Toolkit.OutputKey.repositoryName, Toolkit.OutputKey.version])
        XCTAssertEqual(outputs[Toolkit.OutputKey.version]?["Value"] as? String, String(Toolkit.currentVersion))
    }
}

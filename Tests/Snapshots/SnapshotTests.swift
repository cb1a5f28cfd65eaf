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

    /// Every golden file belongs to a configured stack (no stale files left behind).
    func testNoStrayGoldenFiles() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"))
        let names = try project.loadConfigs().map(\.stackName)
        let files = try FileManager.default.contentsOfDirectory(atPath: Snapshot.golden.path)
        for f in files {
            let owner = names.contains { f == "\($0).template.json" || f.hasPrefix("\($0)-") }
            XCTAssertTrue(owner, "golden file \(f) matches no configured stack")
        }
    }

    func testYAMLOfEveryStackReadsBackAsTheJSONTemplate() throws {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"))
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
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"))
        let a = try project.synthesize(), b = try project.synthesize()
        for (x, y) in zip(a.stacks, b.stacks) {
            XCTAssertEqual(try a.render(x, format: .json), try b.render(y, format: .json), x.stackName)
        }
        XCTAssertEqual(JSONRenderer.render(a.manifest(format: .json)), JSONRenderer.render(b.manifest(format: .json)))
    }
}

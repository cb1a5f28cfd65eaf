import Foundation
import InfraCLI
import InfraDSL
import XCTest
import Yams

/// Golden templates: every configured stack, and the variants its config allows, synthesized
/// and compared byte for byte with `Tests/Snapshots/golden/`. `INFRA_RECORD=1 swift test
/// --filter SnapshotTests` rewrites them on purpose (CI never sets it); review the diff.
final class SnapshotTests: XCTestCase {
    struct Case {
        /// The config file under config/.
        let config: String
        /// The variant's name ("" for the config as committed).
        let variant: String
        /// Context overrides that make the variant.
        let overrides: [(String, String)]
    }

    static let cases: [Case] = [
        Case(config: "example.json", variant: "", overrides: []),
        Case(config: "example.json", variant: "small", overrides: [("VPC_CIDR", "172.16.0.0/20"), ("FUNCTION_MEMORY", "128")]),
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Tests/Snapshots/golden")

    func testGoldenTemplates() throws {
        let record = ProcessInfo.processInfo.environment["INFRA_RECORD"] == "1"
        var expectedFiles: Set<String> = []
        for c in Self.cases {
            let file = Self.root.appendingPathComponent("config").appendingPathComponent(c.config)
            var config = try StackConfig.parse(String(contentsOf: file, encoding: .utf8), file: "config/\(c.config)")
            config.applyOverrides(c.overrides)
            let project = Project(configDirectory: file.deletingLastPathComponent())
            let assembly = try project.buildApp([config]).synthesize()
            for stack in assembly.stacks {
                let name = stack.stackName + (c.variant.isEmpty ? "" : "-\(c.variant)") + ".template.json"
                expectedFiles.insert(name)
                let rendered = try assembly.render(stack, format: .json)
                let url = Self.golden.appendingPathComponent(name)
                if record {
                    try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
                    try rendered.write(to: url, atomically: true, encoding: .utf8)
                    continue
                }
                guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                    XCTFail("missing golden file \(url.path): run INFRA_RECORD=1 swift test --filter SnapshotTests")
                    continue
                }
                if expected != rendered {
                    XCTFail("\(name) differs from its golden file (first difference at line \(Self.firstDifference(expected, rendered))); if the change is intended, run INFRA_RECORD=1 swift test --filter SnapshotTests and review the diff")
                }
            }
        }
        // No stale golden files.
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.golden.path)) ?? [])
        if !record {
            XCTAssertEqual(present.subtracting(expectedFiles), [], "golden files without a case")
        }
    }

    func testYAMLOfEveryStackParsesBackToTheJSONTemplate() throws {
        let project = Project(configDirectory: Self.root.appendingPathComponent("config"))
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

    static func firstDifference(_ a: String, _ b: String) -> Int {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<min(la.count, lb.count) where la[i] != lb[i] { return i + 1 }
        return min(la.count, lb.count) + 1
    }
}

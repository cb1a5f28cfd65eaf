import BuiltinStacks
import Foundation
import InfraCLI
import InfraCore
import XCTest

/// The config and manifest side of the deploy contract: example values (`{"$example": v}`),
/// the manifest's `configFile`, `context` and `exampleKeys`, and removed keys.
final class ManifestContractTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("config"), withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testExampleValuesAreUsedAndListed() throws {
        let c = try StackConfig.parse("""
        {"app": "example", "context": {"ZONE": {"$example": "Z0123456789EXAMPLE"}, "N": {"$example": 3},
                                        "L": {"$example": ["a"]}, "PLAIN": "x", "OBJ": {"k": 1}}}
        """, file: "config/x.json")
        XCTAssertEqual(c.context["ZONE"], "Z0123456789EXAMPLE")
        XCTAssertEqual(try c.int("N"), 3)
        XCTAssertEqual(try c.stringList("L"), ["a"])
        XCTAssertEqual(c.context["OBJ"], ["k": 1], "an object without $example is an ordinary value")
        XCTAssertEqual(c.exampleKeys, ["L", "N", "ZONE"])
        var overridden = c
        overridden.applyOverrides([("ZONE", "Z999")])
        XCTAssertEqual(overridden.exampleKeys, ["L", "N"], "a value set on the command line is no longer an example")
        XCTAssertEqual(overridden.context["ZONE"], "Z999")
    }

    func testMalformedExampleNamesFileAndKey() {
        let cases: [(String, String)] = [
            (#"{"app": "e", "context": {"ZONE": {"$example": "Z1", "note": "x"}}}"#,
             "config/x.json: key 'context.ZONE': an example value is written {\"$example\": <value>} with no other key (found also: note)"),
            (#"{"app": "e", "context": {"ZONE": {"$example": {"$example": "Z1"}}}}"#,
             "config/x.json: key 'context.ZONE': an example value must not hold another {\"$example\": ...}"),
            (#"{"app": "e", "context": {"ZONE": {"$example": null}}}"#,
             "config/x.json: key 'context.ZONE': an example value must not be null (write null without $example for \"not set\")"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try StackConfig.parse(text, file: "config/x.json")) { e in
                XCTAssertEqual((e as? ConfigError)?.description, expected)
            }
        }
    }

    func testManifestHasConfigFileContextAndExampleKeys() throws {
        try #"{"app": "example", "stackName": "alpha", "context": {"VPC_CIDR": {"$example": "10.1.0.0/16"}, "LOG_RETENTION_DAYS": 7}}"#
            .write(to: dir.appendingPathComponent("config/a.json"), atomically: true, encoding: .utf8)
        try #"{"app": "example", "stackName": "beta"}"#
            .write(to: dir.appendingPathComponent("config/b.json"), atomically: true, encoding: .utf8)
        let project = Project(configDirectory: dir.appendingPathComponent("config"), definitions: StackRegistry.all)
        let assembly = try project.synthesize(overrides: [("FUNCTION_MEMORY", "512")])
        let manifest = assembly.manifest(format: .json)
        let alpha = manifest.stacks[0]
        XCTAssertEqual(alpha.stackName, "alpha")
        // The config folder is outside the working directory here: an absolute path.
        XCTAssertEqual(alpha.configFile, dir.appendingPathComponent("config/a.json").standardizedFileURL.path)
        XCTAssertEqual(alpha.context, ["FUNCTION_MEMORY": .int(512), "LOG_RETENTION_DAYS": .int(7), "VPC_CIDR": .string("10.1.0.0/16")])
        XCTAssertEqual(alpha.exampleKeys, ["VPC_CIDR"])
        XCTAssertEqual(manifest.stacks[1].context, ["FUNCTION_MEMORY": .int(512)])
        // Keys in a stable order, the same bytes every time; empty lists left out.
        let first = try JSONRenderer.render(encoding: manifest)
        XCTAssertEqual(first, try JSONRenderer.render(encoding: project.synthesize(overrides: [("FUNCTION_MEMORY", "512")]).manifest(format: .json)))
        let tree = try JSONTreeEncoder().encode(manifest)
        guard case .array(let stacks)? = tree["stacks"], case .object(let pairs) = stacks[0], case .object(let beta) = stacks[1] else {
            return XCTFail("no stacks in \(first)")
        }
        XCTAssertEqual(pairs.map(\.0).filter { $0 != "account" && $0 != "region" },
                       ["id", "stackName", "template", "dependencies", "tags", "terminationProtection", "assets",
                        "configFile", "context", "exampleKeys"])
        XCTAssertFalse(beta.contains { $0.0 == "exampleKeys" || $0.0 == "images" }, "omitted when empty")
        XCTAssertEqual(alpha.context.keys.sorted(), ["FUNCTION_MEMORY", "LOG_RETENTION_DAYS", "VPC_CIDR"])
        guard case .object(let context)? = stacks[0]["context"] else { return XCTFail("no context") }
        XCTAssertEqual(context.map(\.0), ["FUNCTION_MEMORY", "LOG_RETENTION_DAYS", "VPC_CIDR"], "sorted by key")
    }

    func testRemovedImagesPushedIsAClearError() throws {
        try #"{"app": "example", "stackName": "alpha", "context": {"IMAGES_PUSHED": true}}"#
            .write(to: dir.appendingPathComponent("config/a.json"), atomically: true, encoding: .utf8)
        let project = Project(configDirectory: dir.appendingPathComponent("config"), definitions: StackRegistry.all)
        XCTAssertThrowsError(try project.loadConfigs()) { e in
            let error = e as? ConfigError
            XCTAssertEqual(error?.key, "context.IMAGES_PUSHED")
            XCTAssertTrue(error?.message.contains("`infra deploy` now handles images by itself") == true, "\(e)")
        }
        try #"{"app": "example", "stackName": "alpha"}"#.write(to: dir.appendingPathComponent("config/a.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try project.loadConfigs(overrides: [("IMAGES_PUSHED", "false")])) { e in
            XCTAssertEqual((e as? ConfigError)?.file, "-c")
            XCTAssertTrue("\(e)".contains("now handles images by itself"), "\(e)")
        }
    }
}

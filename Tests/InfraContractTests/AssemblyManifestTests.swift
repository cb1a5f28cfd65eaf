import Foundation
import InfraContract
import XCTest

/// The manifest contract on its own: the key order it is written in, what it reads back, and
/// the error (file and key) for each way a manifest can be wrong.
final class AssemblyManifestTests: XCTestCase {
    static let stack = AssemblyManifest.Stack(
        id: "Api", stackName: "api", template: "api.template.json", region: "eu-west-1", dependencies: ["net"],
        tags: ["team": "data", "env": "prod"], assets: ["abc"], configFile: "config/api.json",
        context: ["N": .int(3), "NAME": .string("x"), "L": .array([.string("a")])], exampleKeys: ["NAME"],
        images: [.init(contextKeys: ["IMAGE_TAG"], parameter: "AppImageReady", path: "api/Service",
                       repository: .logicalId("Repo"), tag: "v1")])
    static let manifest = AssemblyManifest(
        stacks: [.init(id: "net", stackName: "net", template: "net.template.json"), stack],
        assets: [.init(id: "abc", type: .zip, path: "asset.abc.zip", source: "functions/api")])

    func testKeysAreWrittenInTheContractOrderAndEmptyListsLeftOut() throws {
        let tree = try JSONTreeEncoder().encode(Self.manifest)
        guard case .object(let top) = tree, case .array(let stacks)? = tree["stacks"],
              case .object(let net) = stacks[0], case .object(let api) = stacks[1],
              case .array(let images)? = stacks[1]["images"], case .object(let image) = images[0] else {
            return XCTFail("unexpected shape: \(tree)")
        }
        XCTAssertEqual(top.map(\.0), ["version", "stacks", "assets"])
        XCTAssertEqual(tree["version"], .string(AssemblyManifest.currentVersion))
        XCTAssertEqual(net.map(\.0), ["id", "stackName", "template", "dependencies", "tags", "terminationProtection", "assets"])
        XCTAssertEqual(api.map(\.0), ["id", "stackName", "template", "region", "dependencies", "tags", "terminationProtection",
                                      "assets", "configFile", "context", "exampleKeys", "images"])
        XCTAssertEqual(stacks[1]["tags"], .object([("env", .string("prod")), ("team", .string("data"))]), "tags sorted by key")
        XCTAssertEqual(stacks[1]["context"], .object([("L", .array([.string("a")])), ("N", .int(3)), ("NAME", .string("x"))]))
        XCTAssertEqual(image.map(\.0), ["contextKeys", "parameter", "path", "repository", "tag"])
        XCTAssertEqual(image.first { $0.0 == "repository" }?.1, .object([("logicalId", .string("Repo"))]))
        XCTAssertEqual(tree["assets"], .array([.object([("id", .string("abc")), ("type", .string("zip")),
                                                        ("path", .string("asset.abc.zip")), ("source", .string("functions/api"))])]))
    }

    func testWhatIsWrittenReadsBack() throws {
        // Any JSON encoder's bytes decode to the same manifest (key order does not matter to readers).
        let data = try JSONEncoder().encode(Self.manifest)
        XCTAssertEqual(try AssemblyManifest.decode(data, file: "m.json"), Self.manifest)
        let named = AssemblyManifest.Image(path: "p", repository: .name("team-repo"), tag: "latest", directory: "images/app")
        let decoded = try JSONDecoder().decode(AssemblyManifest.Image.self, from: JSONEncoder().encode(named))
        XCTAssertEqual(decoded, named)
    }

    /// A manifest of one stack with `stackKeys` replacing or removing (nil) keys of a valid entry.
    func manifest(version: String = #""1""#, stack edits: [String: String?] = [:], assets: String = "[]") -> Data {
        var keys: [(String, String)] = [("id", #""a""#), ("stackName", #""a""#), ("template", #""a.template.json""#),
                                        ("dependencies", "[]"), ("tags", "{}"), ("terminationProtection", "false"),
                                        ("assets", "[]")]
        for (key, value) in edits.sorted(by: { $0.key < $1.key }) {
            keys.removeAll { $0.0 == key }
            if let value { keys.append((key, value)) }
        }
        let stack = "{" + keys.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        return Data(#"{"version": \#(version), "stacks": [\#(stack)], "assets": \#(assets)}"#.utf8)
    }

    func assertError(_ data: Data, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try AssemblyManifest.decode(data, file: "infra.out/manifest.json"), file: file, line: line) { e in
            XCTAssertEqual((e as? ManifestError)?.description, "infra.out/manifest.json: \(expected)", file: file, line: line)
        }
    }

    func testTheValidBaseReads() throws {
        let m = try AssemblyManifest.decode(manifest(), file: "m.json")
        XCTAssertEqual(m.stacks, [.init(id: "a", stackName: "a", template: "a.template.json")])
    }

    func testVersionIsCheckedFirst() {
        // A newer manifest is refused for its version, not for the keys it may have changed.
        assertError(Data(#"{"version": "2", "stacks": 7}"#.utf8),
                    "key 'version' is 2, newer than this infra reads (it reads: 1); synthesize the assembly again with this infra")
        assertError(manifest(version: #""beta""#),
                    "key 'version' is beta, a manifest version this infra does not read (it reads: 1); synthesize the assembly again with this infra")
        assertError(Data(#"{"stacks": []}"#.utf8), "key 'version' is missing")
        assertError(manifest(version: "1"), "key 'version' must be a string")
    }

    func testMissingAndMistypedKeysAreNamed() {
        assertError(manifest(stack: ["stackName": nil]), "key 'stacks[0].stackName' is missing")
        assertError(manifest(stack: ["template": nil]), "key 'stacks[0].template' is missing")
        assertError(manifest(stack: ["terminationProtection": #""yes""#]), "key 'stacks[0].terminationProtection' must be true or false")
        assertError(manifest(stack: ["dependencies": #""net""#]), "key 'stacks[0].dependencies' must be a list")
        assertError(manifest(stack: ["tags": "[]"]), "key 'stacks[0].tags' must be an object")
        assertError(manifest(stack: ["stackName": "null"]), "key 'stacks[0].stackName' must be a string, found null")
        assertError(Data(#"{"version": "1", "stacks": []}"#.utf8), "key 'assets' is missing")
    }

    func testImagesAndAssetsAreChecked() {
        assertError(manifest(stack: ["images": #"[{"path": "p", "tag": "v1", "repository": {"logicalId": "R", "name": "n"}}]"#]),
                    #"key 'stacks[0].images[0].repository' needs exactly one of "logicalId" or "name""#)
        assertError(manifest(stack: ["images": #"[{"path": "p", "repository": {"name": "n"}}]"#]),
                    "key 'stacks[0].images[0].tag' is missing")
        assertError(manifest(assets: #"[{"id": "h", "type": "tarball", "path": "p", "source": "s"}]"#),
                    "key 'assets[0].type' is the unknown asset type 'tarball' (known: zip, file, container-image)")
        assertError(manifest(assets: #"[{"id": "h", "type": "zip", "path": "p"}]"#), "key 'assets[0].source' is missing")
        assertError(manifest(stack: ["assets": #"["h"]"#]), "key 'stacks[0].assets' names asset h, which the manifest's assets do not list")
        assertError(manifest(stack: ["dependencies": #"["net"]"#]), "key 'stacks[0].dependencies' names stack net, which the assembly does not contain")
    }

    func testNotJSONAndNoManifest() throws {
        XCTAssertThrowsError(try AssemblyManifest.decode(Data("{\"version\": ".utf8), file: "m.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("m.json: the file is not valid JSON"), "\(e)")
            XCTAssertNil((e as? ManifestError)?.key)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("no-assembly-\(UUID().uuidString)")
        XCTAssertThrowsError(try AssemblyManifest.read(from: dir)) { e in
            XCTAssertTrue("\(e)".contains("is not a cloud assembly: it has no manifest.json (run `infra synth` to write one)"), "\(e)")
        }
    }

    func testToolkitNames() {
        XCTAssertEqual(Toolkit.bucketName(account: "123456789012", region: "eu-west-1"), "infra-assets-123456789012-eu-west-1")
        XCTAssertEqual(Toolkit.zipObjectKey("abc"), "abc.zip")
        XCTAssertTrue(ToolkitTemplate.json.contains(#""Fn::Sub": "\#(Toolkit.bucketNamePattern)""#))
        XCTAssertTrue(ToolkitTemplate.json.hasSuffix("}\n"))
    }
}

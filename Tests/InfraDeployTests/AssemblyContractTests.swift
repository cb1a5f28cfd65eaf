import Foundation
import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraDSL
import XCTest

/// The manifest contract end to end, with no server: what synthesis writes (`CloudAssembly`)
/// is what deployment reads (`DeployAssembly`), through the one `AssemblyManifest` definition,
/// and a manifest the deployer cannot use stops `infra deploy` before any AWS call, naming the
/// file and the key.
final class AssemblyContractTests: XCTestCase {
    func testSynthesizedAssemblyReadsBackAsWritten() throws {
        let dir = TempDir()
        let code = dir.url.appendingPathComponent("code")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try "def handler(e, c): return 1\n".write(to: code.appendingPathComponent("index.py"), atomically: true, encoding: .utf8)
        let app = App()
        let net = Stack(app, "net", region: "eu-west-1", tags: ["team": "data", "env": "prod"])
        _ = Queue(net, "Jobs")
        let api = Stack(app, "api", region: "eu-west-1")
        api.addDependency(net)
        api.configFile = "config/api.json"
        api.configContext = ["MEMORY": 256, "NAME": "x", "LIST": ["a", "b"]]
        api.exampleKeys = ["NAME"]
        _ = Function(api, "Fn", code: .directory(code.path), handler: "index.handler", runtime: .python3_12)
        let repository = Repository(api, "Repo")
        _ = Function(api, "Img", code: .containerImage(.fromRepository(repository, tag: "v1", contextKeys: ["TAG"])))
        let assembly = try app.synthesize()
        let out = dir.url.appendingPathComponent("infra.out")
        try assembly.write(to: out)

        let read = try DeployAssembly.read(from: out)
        let manifest = assembly.manifest(format: .json)
        XCTAssertEqual(try AssemblyManifest.read(from: out), manifest, "the file decodes to the value that was written")
        XCTAssertEqual(read.stacks.map(\.stackName), ["net", "api"])
        let n = try XCTUnwrap(read.stack(named: "net")), a = try XCTUnwrap(read.stack(named: "api"))
        XCTAssertEqual(n.tags.map(\.key), ["env", "team"])
        XCTAssertEqual(n.region, "eu-west-1")
        XCTAssertEqual(a.dependencies, ["net"])
        XCTAssertEqual(a.templateBody, try assembly.render(assembly.stacks[1], format: .json))
        XCTAssertEqual(a.configFile, "config/api.json")
        XCTAssertEqual(a.context, ["MEMORY": "256", "NAME": "x", "LIST": #"["a","b"]"#])
        XCTAssertEqual(a.exampleKeys, ["NAME"])
        let gate = try XCTUnwrap(a.images.first)
        XCTAssertEqual(a.images.count, 1)
        XCTAssertEqual(gate.parameter, "ImgImageReady")
        XCTAssertEqual(gate.path, "api/Img")
        XCTAssertEqual(gate.repositoryLogicalId.map { a.templateBody.contains("\"\($0)\": {\n      \"Type\": \"AWS::ECR::Repository\"") }, true)
        XCTAssertNil(gate.repositoryName)
        XCTAssertEqual(gate.tag, "v1")
        XCTAssertEqual(gate.contextKeys, ["TAG"])
        let zip = try XCTUnwrap(read.assets.first)
        XCTAssertEqual(read.assets.count, 1)
        XCTAssertEqual(zip.kind, .zip)
        XCTAssertEqual(zip.path, out.appendingPathComponent("asset.\(zip.id).zip"))
        // The key the deployer uploads to is the key the function's template references.
        XCTAssertTrue(a.templateBody.contains("\"S3Key\": \"\(zip.objectKey)\""), a.templateBody)
        XCTAssertTrue(a.templateBody.contains("\"Fn::Sub\": \"\(Toolkit.bucketNamePattern)\""))
    }

    func testUnusableManifestStopsDeployNamingFileAndKey() async throws {
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [TestStack(name: "app", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#))])
        let file = dir.url.appendingPathComponent("manifest.json")
        let written = try String(contentsOf: file, encoding: .utf8)
        for (edit, expected) in [
            ({ (s: String) in s.replacingOccurrences(of: #""version": "1""#, with: #""version": "2""#) },
             "key 'version' is 2, newer than this infra reads (it reads: 1); synthesize the assembly again with this infra"),
            ({ (s: String) in s.replacingOccurrences(of: #""template": "app.template.json","#, with: "") },
             "key 'stacks[0].template' is missing"),
            ({ (s: String) in s.replacingOccurrences(of: #""template": "app.template.json""#, with: #""template": "gone.json""#) },
             "key 'stacks[0].template' names gone.json, the template of stack app, which is missing"),
        ] {
            try edit(written).write(to: file, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try DeployAssembly.read(from: dir.url)) { e in
                XCTAssertEqual((e as? DeployError)?.kind, .usage)
                XCTAssertEqual("\(e)", "\(file.path): \(expected)")
            }
            // The command: exit 2, the message on stderr, no call to AWS.
            let fake = ScriptedCloudFormation()
            let console = TestConsole()
            assertExit(try await Deploy.parse(["--assembly", dir.path]).execute(fake.context(console)), 2, console)
            XCTAssertTrue(console.stderr.contains("\(file.path): \(expected)"), console.stderr)
            XCTAssertEqual(fake.calls("CreateChangeSet").count + fake.calls("DescribeStacks").count, 0)
        }
    }
}

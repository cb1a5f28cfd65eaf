import ArgumentParser
import BuiltinStacks
import Foundation
import InfraCLI
import InfraCore
import XCTest

/// A corpus of malformed configs over every shipped stack and the top-level keys: wrong types,
/// out-of-range values, unknown keys and typos, encodings, `-c` overrides. Each must exit 2 with
/// an error naming the file and the key, and write nothing.
final class MalformedConfigTests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    enum Edit {
        case context(String, Any)     // set a context key
        case top(String, Any)         // set a top-level key
        case override(String, String) // -c KEY=VALUE
        case bytes([UInt8])           // replace the file
    }

    struct Case {
        let file: String
        let edits: [Edit]
        let key: String?
        let fragment: String
        init(_ file: String, _ edits: [Edit], _ key: String?, _ fragment: String) {
            self.file = file
            self.edits = edits
            self.key = key
            self.fragment = fragment
        }
    }

    nonisolated(unsafe) static let cases: [Case] = [
        // example
        Case("example.json", [.context("FUNCTON_MEMORY", 512)], "context.FUNCTON_MEMORY", "did you mean FUNCTION_MEMORY?"),
        Case("example.json", [.context("FUNCTION_MEMORY", -1)], "context.FUNCTION_MEMORY", "between 128 and 10240"),
        Case("example.json", [.context("FUNCTION_MEMORY", "lots")], "context.FUNCTION_MEMORY", "must be an integer"),
        Case("example.json", [.context("LOG_RETENTION_DAYS", 13)], "context.LOG_RETENTION_DAYS", "CloudWatch Logs"),
        Case("example.json", [.context("VPC_CIDR", "10.0.0.0/33")], "context.VPC_CIDR", "10.0.0.0/33"),
        Case("example.json", [.override("FUNCTION_MEMORY", "1e9")], "context.FUNCTION_MEMORY", "must be an integer"),
        Case("example.json", [.override("LOG_RETENTION_DAYS", "0")], "context.LOG_RETENTION_DAYS", "CloudWatch Logs"),
        // top-level keys
        Case("example.json", [.top("regoin", "eu-west-1")], "regoin", "did you mean region?"),
        Case("example.json", [.top("region", "eu-wset-1")], "region", "did you mean eu-west-1?"),
        Case("example.json", [.top("region", 1)], "region", "must be a string"),
        Case("example.json", [.top("account", "12345678901x")], "account", "12-digit"),
        Case("example.json", [.top("stackName", "1stack")], "stackName", "CloudFormation stack name"),
        Case("example.json", [.top("stackName", String(repeating: "a", count: 129))], "stackName", "at most 128"),
        Case("example.json", [.top("description", String(repeating: "é", count: 513))], "description", "1026 bytes"),
        Case("example.json", [.top("tags", ["aws:owner": "me"])], "tags.aws:owner", "reserved"),
        Case("example.json", [.top("tags", [String(repeating: "k", count: 129): "v"])], "tags.\(String(repeating: "k", count: 129))", "1-128"),
        Case("example.json", [.top("tags", ["k": String(repeating: "v", count: 257)])], "tags.k", "at most 256"),
        Case("example.json", [.top("tags", Dictionary(uniqueKeysWithValues: (0..<51).map { ("t\($0)", "v") }))], "tags", "at most 50"),
        Case("example.json", [.top("terminationProtection", "yes")], "terminationProtection", "true or false"),
        Case("example.json", [.top("context", [1])], "context", "must be an object"),
        Case("example.json", [.top("app", "exmaple")], "app", "did you mean example?"),
        // encodings
        Case("example.json", [.bytes([0xEF, 0xBB, 0xBF] + Array(#"{"app": "example", "context": {"FUNCTION_MEMORY": 0}}"#.utf8))],
             "context.FUNCTION_MEMORY", "between 128 and 10240"),
        Case("example.json", [.bytes(Array(#"{"app": "example", "description": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))], nil, "not UTF-8"),
        Case("example.json", [.bytes(Array("{\"app\": \"example\",\n \"context\": {\"A\": 1,}}".utf8))], nil, "line 2"),
        // sign2text
        Case("sign2text.json", [.context("NAT_GATEWAYS", 3)], "context.NAT_GATEWAYS", "between 1 and 2"),
        Case("sign2text.json", [.context("IDLE_TIMEOUT_SECONDS", 4001)], "context.IDLE_TIMEOUT_SECONDS", "between 1 and 4000"),
        Case("sign2text.json", [.context("CONTAINER_PORT", 70000)], "context.CONTAINER_PORT", "between 1 and 65535"),
        Case("sign2text.json", [.context("REPOSITORY_NAME", "repo/")], "context.REPOSITORY_NAME", "ECR repository name"),
        Case("sign2text.json", [.context("IMAGE_TGA", "v1")], "context.IMAGE_TGA", "did you mean IMAGE_TAG?"),
        Case("sign2text.json", [.context("VPC_CIDR", "10.0.0.0/8")], "context.VPC_CIDR", "/16 and /28"),
        Case("sign2text.json", [.override("TASK_MEMORY", "3072")], "context.TASK_MEMORY", "Fargate does not offer"),
        Case("sign2text.json", [.context("ALB_ACCESS_LOGS", "sometimes")], "context.ALB_ACCESS_LOGS", "true or false"),
        // labeling-tool
        Case("labeling-tool.json", [.context("TASK_CPU", 3000)], "context.TASK_CPU", "Fargate CPU size"),
        Case("labeling-tool.json", [.context("CONTAINER_PORT", 80)], "context.CONTAINER_PORT", "1024-65535"),
        Case("labeling-tool.json", [.context("DB_NAME", 5)], "context.DB_NAME", "must be a string"),
        Case("labeling-tool.json", [.context("DB_NAEM", "x")], "context.DB_NAEM", "unknown key"),
        // data-label
        Case("data-label.json", [.context("SCRAPER_REPOSITORY_NAME", "repo/")], "context.SCRAPER_REPOSITORY_NAME", "ECR repository name"),
        Case("data-label.json", [.context("LOG_RETENTION_DAYS", 13)], "context.LOG_RETENTION_DAYS", "CloudWatch Logs"),
        Case("data-label.json", [.context("VPC_CIDR", "10.0.0/16")], "context.VPC_CIDR", "CIDR"),
        Case("data-label.json", [.override("MAX_AZS", "many")], "context.MAX_AZS", "must be an integer"),
        // coral-pipeline
        Case("coral-pipeline.json", [.context("FRONTEND_PORT", 0)], "context.FRONTEND_PORT", "1-65535"),
        Case("coral-pipeline.json", [.context("FRONTEND_MEMORY", 100)], "context.FRONTEND_MEMORY", "Fargate does not offer"),
        Case("coral-pipeline.json", [.context("ECR_FRONTEND_APP", "Front")], "context.ECR_FRONTEND_APP", "repository"),
        Case("coral-pipeline.json", [.context("BUCKET_VERSIONING", 1)], "context.BUCKET_VERSIONING", "true or false"),
        Case("coral-pipeline.json", [.context("KEEP_IMAGSE", 5)], "context.KEEP_IMAGSE", "did you mean KEEP_IMAGES?"),
        Case("coral-pipeline.json", [.override("SEGMENTATION_MEMORY_MB", "lots")], "context.SEGMENTATION_MEMORY_MB", "must be an integer"),
        Case("coral-pipeline.json", [.context("REFRAMING_TIMEOUT_SECONDS", 901)], "context.REFRAMING_TIMEOUT_SECONDS", "1-900"),
        Case("coral-pipeline.json", [.context("DB_MAX_CAPACITY", "four")], "context.DB_MAX_CAPACITY", "must be a number"),
        Case("coral-pipeline.json", [.context("RECORD_NAME", "www")], "context.RECORD_NAME", "needs HOSTED_ZONE_NAME"),
        Case("coral-pipeline.json", [.context("IMAGES_PUSHED", true)], "context.IMAGES_PUSHED", "now handles images by itself"),
        // ml-inference
        Case("ml-inference.json", [.context("LOG_RETENTION_DAYS", 13)], "context.LOG_RETENTION_DAYS", "CloudWatch Logs"),
        Case("ml-inference.json", [.context("INFERENCE_REPOSITORY_NAME", "repo/")], "context.INFERENCE_REPOSITORY_NAME", "repository"),
        Case("ml-inference.json", [.context("HOSTING", "s3")], "context.HOSTING", "s3"),
        Case("ml-inference.json", [.context("INFERENCE_MEMORY_MB", "big")], "context.INFERENCE_MEMORY_MB", "must be"),
    ]

    static let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config")

    func testEveryMalformedConfigExitsTwoNamesFileAndKeyAndWritesNothing() throws {
        for (i, c) in Self.cases.enumerated() {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-malformed-\(UUID().uuidString)")
            let config = dir.appendingPathComponent("config")
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var overrides: [(String, String)] = []
            var object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.configDirectory.appendingPathComponent(c.file))) as! [String: Any]
            var bytes: [UInt8]?
            for edit in c.edits {
                switch edit {
                case .context(let k, let v):
                    var context = object["context"] as? [String: Any] ?? [:]
                    context[k] = v
                    object["context"] = context
                case .top(let k, let v): object[k] = v
                case .override(let k, let v): overrides.append((k, v))
                case .bytes(let b): bytes = b
                }
            }
            let data = try bytes.map { Data($0) } ?? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            try data.write(to: config.appendingPathComponent(c.file))
            let label = "case \(i) (\(c.file) \(c.edits))"

            // The CLI: exit 2, nothing written.
            let out = dir.appendingPathComponent("out")
            let args = ["synth", "--quiet", "--output", out.path, "--config", config.path] + overrides.flatMap { ["-c", "\($0.0)=\($0.1)"] }
            var code: Int32 = 0
            do {
                var command = try InfraCommand.parseAsRoot(args)
                try command.run()
            } catch {
                code = InfraCommand.exitCode(for: error).rawValue
            }
            XCTAssertEqual(code, 2, label)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), label)

            // The error: names the file and the key.
            XCTAssertThrowsError(try Project(configDirectory: config, definitions: StackRegistry.all).synthesize(overrides: overrides), label) { error in
                guard let e = error as? ConfigError else { return XCTFail("\(label): \(error)") }
                let match = e.all.first { $0.key == c.key && $0.message.contains(c.fragment) }
                XCTAssertNotNil(match, "\(label): \(e)")
                XCTAssertEqual(match?.file, "config/\(c.file)", label)
            }
        }
    }

    /// All problems of a file are reported in one run.
    func testAllProblemsOfAFileAreReportedTogether() throws {
        let text = #"{"app": "example", "regoin": "x", "account": "1", "context": {"FUNCTION_MEMORY": 1, "LOG_RETENTION_DAYS": 2}}"#
        XCTAssertThrowsError(try StackConfig.parse(text, file: "config/x.json")) { e in
            XCTAssertEqual((e as? ConfigError)?.all.map(\.key), ["regoin", "account"])
        }
        let config = try StackConfig.parse(#"{"app": "example", "context": {"FUNCTION_MEMORY": 1, "LOG_RETENTION_DAYS": 2, "X": 1}}"#, file: "config/x.json")
        XCTAssertThrowsError(try Project(configDirectory: Self.configDirectory, definitions: StackRegistry.all).buildApp([config])) { e in
            XCTAssertEqual((e as? ConfigError)?.all.map(\.key), ["context.X", "context.LOG_RETENTION_DAYS", "context.FUNCTION_MEMORY"])
        }
        // Each shipped stack reports two bad values of its file together.
        let pairs: [(String, [(String, String)])] = [
            ("sign2text.json", [("NAT_GATEWAYS", "3"), ("CONTAINER_PORT", "0")]),
            ("labeling-tool.json", [("DB_NAME", "a-b"), ("CONTAINER_PORT", "80")]),
            ("data-label.json", [("MAX_AZS", "9"), ("LOG_RETENTION_DAYS", "13")]),
            ("coral-pipeline.json", [("FRONTEND_PORT", "0"), ("FRONTEND_MEMORY", "100")]),
            ("ml-inference.json", [("API_STAGE_NAME", "bad name"), ("LOG_RETENTION_DAYS", "13")]),
        ]
        for (file, overrides) in pairs {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-pairs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try FileManager.default.copyItem(at: Self.configDirectory.appendingPathComponent(file), to: dir.appendingPathComponent(file))
            XCTAssertThrowsError(try Project(configDirectory: dir, definitions: StackRegistry.all).synthesize(overrides: overrides), file) { e in
                let keys = Set((e as? ConfigError)?.all.map { $0.key ?? "" } ?? [])
                XCTAssertTrue(keys.isSuperset(of: overrides.map { "context.\($0.0)" }), "\(file): \(e)")
            }
        }
    }
}

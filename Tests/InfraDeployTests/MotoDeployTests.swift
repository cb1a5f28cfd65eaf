import Foundation
@testable import InfraAWS
@testable import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraTestSupport
import XCTest

/// A transport that records what goes through it (query actions, or method and path).
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private let lock = NSLock()
    private var seen: [String] = []

    init(_ inner: any HTTPTransport = URLSessionTransport()) {
        self.inner = inner
    }

    var requests: [String] { lock.withLock { seen } }
    func reset() { lock.withLock { seen = [] } }
    func count(_ what: String) -> Int { requests.filter { $0 == what }.count }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        let action = body.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst(7)) }
        lock.withLock { seen.append(action ?? "\(request.method) \(request.url.path)") }
        return try await inner.send(request, timeout: timeout)
    }
}

/// End to end against `moto_server` with signature verification on (server: moto), through
/// the command types in-process, with infra's own client: bootstrap, deploy, inspect what was
/// created through the AWS APIs, deploy unchanged, diff, update, destroy, and deploy from an
/// assembly folder. moto limitations met are named where the assertions meet them.
///
/// The moto context makes one attempt per call: moto answers some valid templates with HTTP 500
/// after applying part of them, and a retried call then "succeeds" on that half-applied state
/// (AWS, with client request tokens, does not); one attempt shows moto's answer as it is.
final class MotoDeployTests: XCTestCase {
    /// moto refuses a valid (cfn-lint clean) template: what infra must report, and why.
    struct Refusal {
        /// `-c` overrides of this deploy, after the case's `create` ones.
        var overrides: [String] = []
        /// What infra must report (after `<stack>: `): moto's own answer.
        var message: String
        /// The cause in moto's log: an HTTP 500 from moto is an HTML page without a message, the
        /// log's traceback names what moto could not handle.
        var motoLog: String?
        /// The moto limitation, named.
        var limitation: String
    }

    /// What a deploy created, for the checks of a case (the inspection client is in the stack's region).
    struct Deployed {
        let inspect: Inspect
        let resources: [ResourceSummary]
        /// After the update.
        let updated: Bool
        /// The `-c` values of the deploy.
        let context: [String: String]

        var client: AWSClient { inspect.client }

        /// The physical ids of the resources of a type (logical id order).
        func physicals(_ type: String) -> [String] {
            resources.filter { $0.type == type }.sorted { $0.logicalId < $1.logicalId }.compactMap(\.physicalId)
        }

        /// The physical id of the one resource of a type whose logical id starts with `prefix`.
        func physical(_ type: String, _ prefix: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> String {
            let found = resources.filter { $0.type == type && $0.logicalId.hasPrefix(prefix) }
            XCTAssertEqual(found.count, 1, "one \(type) \(prefix)*: \(found.map(\.logicalId))", file: file, line: line)
            return try XCTUnwrap(found.first?.physicalId, "\(type) \(prefix)*", file: file, line: line)
        }
    }

    /// The whole lifecycle on moto: create, inspect, unchanged, forced, diff, update, inspect, destroy.
    struct Lifecycle {
        /// Resources the variant names that an operator already has (created in moto first): the
        /// `-c` overrides naming them.
        var prepare: (@Sendable (Inspect) async throws -> [String])?
        /// What the operator does between the first deploy and the update (e.g. push the image).
        var beforeUpdate: (@Sendable (Deployed) async throws -> Void)?
        /// `-c` overrides of the update deploy (and the diff before it).
        var update: [String]
        /// Text the diff of the update must contain.
        var updateDiff: [String]
        /// Checks of the created resources (after the create, and after the update).
        var verify: (@Sendable (Deployed) async throws -> Void)?
        /// Checks once the stack is destroyed (`resources`: those of the created stack).
        var verifyGone: (@Sendable (Deployed) async throws -> Void)?
        /// moto's DeleteStack answer when it cannot delete everything it created (nil: deleted).
        var destroyRefused: (message: String, limitation: String)?
    }

    /// The steps moto's CloudFormation cannot execute for a stack it refuses, on the scripted
    /// CloudFormation stand-in, with moto for every other service (assets and staged templates
    /// in moto's S3): create, unchanged, diff, update, destroy and what it retains. Nothing is
    /// created there, so nothing is inspected.
    struct ScriptedRest {
        /// `-c` overrides of the update deploy (and the diff before it).
        var update: [String]
        /// Text the diff of the update must contain.
        var updateDiff: [String]
    }

    /// One row per stack config.
    struct Case {
        var config: String
        /// `-c` overrides of every deploy of the case, as a user runs the first one (e.g.
        /// `IMAGES_PUSHED=false` when the stack creates the repository its images go to).
        var create: [String] = []
        /// Zip assets the stack publishes to the toolkit bucket.
        var zipAssets = 0
        /// Deploys moto refuses, each on a fresh moto state.
        var refusals: [Refusal] = []
        /// A variant needing a container image build: without a Docker engine, a clear error
        /// naming the asset, and nothing deployed.
        var imageAsset: [String]?
        /// The whole lifecycle of a variant moto can run.
        var lifecycle: Lifecycle?
        /// For a stack moto refuses in every variant: the rest of its path on the stand-in.
        var scripted: ScriptedRest?
    }

    static let exampleCase = Case(
        config: "example.json",
        // The example's subnets take their CIDR blocks from Fn::Select over Fn::Cidr; moto 5.2 has
        // no Fn::Cidr, so its Fn::Select raises KeyError and ExecuteChangeSet answers HTTP 500. The
        // rest of the deploy path runs on the scripted stand-in (and, with resources inspected, on
        // the moto-compatible stack of testLifecycleOfAStackMotoSupports).
        refusals: [Refusal(message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
                           motoLog: "KeyError: 0", limitation: "moto has no Fn::Cidr")],
        scripted: ScriptedRest(update: ["FUNCTION_MEMORY=512"],
                               updateDiff: ["[~] AWS::Lambda::Function Worker", "[~] Properties.MemorySize: 256 → 512"]))

    override class func tearDown() {
        MotoServer.stopShared()
        super.tearDown()
    }

    static func physical(_ resources: [ResourceSummary], _ id: String) -> String? {
        resources.first { $0.logicalId == id }?.physicalId
    }

    // MARK: Fixtures

    func moto() async throws -> MotoServer {
        do {
            return try await MotoServer.instance()
        } catch {
            XCTFail("\(error)")
            throw error
        }
    }

    func context(_ moto: MotoServer, _ console: TestConsole, transport: any HTTPTransport = URLSessionTransport(),
                 cwd: URL = FileManager.default.temporaryDirectory) -> DeployContext {
        DeployContext(
            environment: AWSEnvironment(variables: [
                "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
                "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
                "AWS_ENDPOINT_URL": moto.endpoint.absoluteString,
                "AWS_REGION": MotoServer.region,
                "AWS_EC2_METADATA_DISABLED": "true",
            ], homeDirectory: "/nonexistent-home"),
            transport: transport, console: console,
            polling: PollingPolicy(initial: 0.02, maximum: 0.2),
            docker: ProcessDockerRunner(environment: ["DOCKER_HOST": "unix:///nonexistent/infra-test/docker.sock"]),
            retry: RetryPolicy(maxAttempts: 1),
            workingDirectory: cwd)
    }

    /// Bootstraps the moto account (idempotent: later runs report no changes).
    func bootstrap(_ moto: MotoServer, regions: [String] = []) async throws {
        let console = TestConsole()
        let code = try await Bootstrap.parse(regions).execute(context(moto, console))
        assertExit(code, 0, console)
    }

    /// A config folder holding one stack config (optionally renamed).
    func configFolder(_ file: String, stackName: String? = nil) throws -> TempDir {
        let dir = TempDir("infra-config")
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/\(file)"), encoding: .utf8)
        if let stackName {
            text = text.replacingOccurrences(of: #""stackName": "[^"]*""#, with: "\"stackName\": \"\(stackName)\"",
                                             options: .regularExpression)
        }
        try dir.write(file, text)
        return dir
    }

    static func overrides(_ items: [String]) -> [String] {
        items.flatMap { ["-c", $0] }
    }

    // MARK: Tests

    /// Server: moto. The toolkit stack: bucket and repository really created, version readable,
    /// a second bootstrap changes nothing.
    func testBootstrap() async throws {
        let moto = try await moto()
        try await bootstrap(moto)
        let client = try moto.client()
        let bucket = Toolkit.bucketName(account: "123456789012", region: MotoServer.region)
        let head = try await S3Client(client: client).headBucket(bucket)
        XCTAssertNotNil(head)
        let repos = try await ECRClient(client: client).describeRepositories(names: [Toolkit.repositoryName])
        XCTAssertEqual(repos.map(\.repositoryName), [Toolkit.repositoryName])
        // moto leaves DescribeStacks' outputs empty for change-set stacks; the deployer reads them
        // from the deployed template then (AWS reports them directly)
        let info = try await ToolkitLookup.read(stackName: Toolkit.defaultStackName, client: client)
        XCTAssertEqual(info, ToolkitInfo(stackName: "InfraToolkit", region: "us-east-1", bucketName: bucket,
                                         repositoryName: "infra-assets", version: Toolkit.currentVersion))
        let console = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, console)), 0, console)
        XCTAssertTrue(console.stdout.contains("✅ InfraToolkit: no changes"), console.stdout)
    }

    // Server: moto, one test per configured stack (rows: `exampleCase` and MotoStackCases.swift).
    func testEndToEndExample() async throws { try await endToEnd(Self.exampleCase) }
    func testEndToEndLabelingTool() async throws { try await endToEnd(Self.labelingToolCase) }
    func testEndToEndDataLabel() async throws { try await endToEnd(Self.dataLabelCase) }
    func testEndToEndCoralPipeline() async throws { try await endToEnd(Self.coralPipelineCase) }
    func testEndToEndSign2Text() async throws { try await endToEnd(Self.sign2TextCase) }
    func testEndToEndMLInference() async throws { try await endToEnd(Self.mlInferenceCase) }

    /// Server: moto, from a fresh state (step 4: the scripted stand-in for CloudFormation). One
    /// configured stack, synthesized from its config (the case's `-c` overrides as a user passes
    /// them):
    /// 1. bootstrap of the stack's region; the diff of the undeployed stack; `deploy --no-execute`:
    ///    its zip assets published (the bucket's objects are the assembly's zips, and every
    ///    function's code object is among them), a template over 51,200 bytes staged in the bucket,
    ///    a change set adding exactly the template's resources; destroy of that stack in review;
    /// 2. each deploy moto refuses: exit 1 with moto's own answer, its cause in moto's log, the
    ///    assets found already published; then moto is reset (its state is half-applied);
    /// 3. a variant needing a container image build without a Docker engine: a clear error;
    /// 4. for a stack moto refuses in every variant, the rest of its path with CloudFormation
    ///    played by the scripted stand-in, moto serving the rest (`scripted`, `scriptedRest`);
    /// 5. the whole lifecycle of a variant moto can run (`lifecycle`).
    func endToEnd(_ c: Case) async throws {
        let moto = try await moto()
        try await moto.reset()
        let config = try configFolder(c.config)
        let parsed = try StackConfig.parse(String(contentsOf: config.url.appendingPathComponent(c.config), encoding: .utf8),
                                           file: c.config)
        let stackName = parsed.stackName
        let region = parsed.region ?? MotoServer.region
        try await bootstrap(moto, regions: [region])
        let work = TempDir("infra-work")
        let assembly = work.url.appendingPathComponent("infra.out")
        let base = ["--config", config.path, "--output", assembly.path]
        let create = base + Self.overrides(c.create)

        try await deployWithoutExecuting(moto, c, stackName: stackName, region: region, args: create, assembly: assembly)

        for (index, refusal) in c.refusals.enumerated() {
            let mark = moto.logMark()
            XCTAssertGreaterThan(mark, 0, "only what moto logs from here on counts")
            let console = TestConsole()
            assertExit(try await Deploy.parse(create + Self.overrides(refusal.overrides) + ["--require-approval", "never"])
                .execute(context(moto, console)), 1, console)
            XCTAssertTrue(console.stderr.contains("\(stackName): \(refusal.message)"),
                          "\(refusal.limitation) (\(refusal.overrides)):\n\(console.stderr)")
            if let cause = refusal.motoLog {
                let log = await moto.log(since: mark, awaiting: cause)
                XCTAssertTrue(log.contains(cause), "\(refusal.limitation): \(cause) in moto's log:\n\(log.suffix(3000))")
            }
            if c.zipAssets > 0 {
                // published by the --no-execute deploy: found, not uploaded again (after moto's reset
                // below, the next refusal's deploy publishes them anew)
                let phrase = index == 0 ? "already in s3://" : "published to s3://"
                XCTAssertEqual(console.stdout.components(separatedBy: phrase).count - 1, c.zipAssets,
                               console.stdout)
            }
            try await moto.reset()
            try await bootstrap(moto, regions: [region])
        }

        if let image = c.imageAsset {
            let console = TestConsole()
            assertExit(try await Deploy.parse(create + Self.overrides(image) + ["--require-approval", "never"])
                .execute(context(moto, console)), 1, console)
            XCTAssertTrue(console.stderr.contains("is a container image that must be built and pushed, which needs a "
                + "Docker engine, but none answers"), console.stderr)
            let stack = try await CloudFormationClient(client: try moto.client().with(region: region)).describeStack(stackName)
            XCTAssertNil(stack, "nothing deployed without its image")
        }

        if let rest = c.scripted {
            try await scriptedRest(moto, rest, stackName: stackName, region: region, create: create, assembly: assembly)
        }

        if let l = c.lifecycle {
            let inspect = Inspect(client: try moto.client().with(region: region))
            let variant = try await l.prepare?(inspect) ?? []
            try await lifecycle(moto, stackName: stackName, region: region,
                                create: create + Self.overrides(variant),
                                update: create + Self.overrides(variant + l.update),
                                context: c.create + variant, updateContext: c.create + variant + l.update,
                                updateDiff: l.updateDiff, beforeUpdate: l.beforeUpdate, verify: l.verify,
                                verifyGone: l.verifyGone, destroyRefused: l.destroyRefused)
        }
    }

    /// The diff of the undeployed stack, `deploy --no-execute` (assets, staged template, the
    /// change set's changes), destroy of the stack in review.
    func deployWithoutExecuting(_ moto: MotoServer, _ c: Case, stackName: String, region: String, args: [String],
                                assembly: URL) async throws {
        let client = try moto.client().with(region: region)
        let cfn = CloudFormationClient(client: client)
        let s3 = S3Client(client: client)
        let bucket = Toolkit.bucketName(account: "123456789012", region: region)

        let diff = TestConsole()
        assertExit(try await Diff.parse(args + ["--fail"]).execute(context(moto, diff)), 1, diff)
        XCTAssertTrue(diff.stdout.contains("Stack \(stackName) (\(region)) - not deployed: everything is added"), diff.stdout)

        let console = TestConsole()
        assertExit(try await Deploy.parse(args + ["--require-approval", "never", "--no-execute"])
            .execute(context(moto, console)), 0, console)
        XCTAssertTrue(console.stdout.contains("created and not executed (--no-execute)"), console.stdout)
        let body = try String(contentsOf: assembly.appendingPathComponent("\(stackName).template.json"), encoding: .utf8)
        let template = try TemplateDocument.parse(body)
        let resources = TemplateDocument.section(template, "Resources")

        // assets: the bucket holds the assembly's zips, and every function's code object
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: assembly.appendingPathComponent("manifest.json"))) as? [String: Any])
        let assets = (manifest["assets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "zip" }
        XCTAssertEqual(assets.count, c.zipAssets, "\(assets)")
        for asset in assets {
            let id = try XCTUnwrap(asset["id"] as? String), path = try XCTUnwrap(asset["path"] as? String)
            XCTAssertTrue(console.stdout.contains("published to s3://\(bucket)/\(id).zip"), console.stdout)
            let object = try await s3.getObject(bucket: bucket, key: "\(id).zip")
            XCTAssertEqual(object.body, try Data(contentsOf: assembly.appendingPathComponent(path)), "asset \(id)")
        }
        for (id, resource) in resources where resource["Type"]?.stringLiteral == "AWS::Lambda::Function" {
            guard let key = resource["Properties"]?["Code"]?["S3Key"]?.stringLiteral else { continue }
            XCTAssertTrue(assets.contains { "\($0["id"] as? String ?? "").zip" == key }, "\(id)'s code \(key) is an asset")
        }
        if body.utf8.count > TemplateLimits.maxInlineTemplateBytes {
            let key = "templates/\(Hash.sha256Hex(body)).json"
            XCTAssertTrue(console.stdout.contains("uploaded to s3://\(bucket)/\(key)"), console.stdout)
            let staged = try await s3.getObject(bucket: bucket, key: key)
            XCTAssertEqual(String(decoding: staged.body, as: UTF8.self), body, "staged template")
        }

        // the change set adds exactly the template's resources
        let name = try XCTUnwrap(console.stdout.firstMatch(of: /change set (infra-deploy-[0-9a-z-]+) created and not executed/)
            .map { String($0.output.1) }, console.stdout)
        let changeSet = try await cfn.describeChangeSet(name, stackName: stackName)
        XCTAssertEqual(changeSet.status, .createComplete)
        XCTAssertEqual(Set(changeSet.changes.map(\.logicalResourceId)), Set(resources.map(\.0)))
        XCTAssertEqual(changeSet.changes.count, resources.count)
        XCTAssertEqual(Set(changeSet.changes.map(\.action)), ["Add"])
        XCTAssertTrue(console.stdout.contains("\(stackName): \(resources.count) changes"), console.stdout)
        let review = try await cfn.describeStack(stackName)
        XCTAssertEqual(review?.status, .reviewInProgress)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(args + ["--force"]).execute(context(moto, destroy)), 0, destroy)
        XCTAssertTrue(destroy.stdout.contains("✅ \(stackName): deleted"), destroy.stdout)
        let gone = try await cfn.describeStack(stackName)
        XCTAssertNil(gone)
    }

    /// Servers: the scripted CloudFormation stand-in for CloudFormation, moto for S3 (assets and
    /// the staged template) and the rest. Create (the stand-in executes the change set of the
    /// synthesized template, read from moto's bucket when staged), unchanged (no change set),
    /// diff, update, destroy with the resources the template retains listed.
    func scriptedRest(_ moto: MotoServer, _ rest: ScriptedRest, stackName: String, region: String, create: [String],
                      assembly: URL) async throws {
        let scripted = ScriptedCloudFormation()
        let bucket = Toolkit.bucketName(account: "123456789012", region: region)
        // the toolkit moto holds (bootstrapped), as the stand-in reports it
        scripted.addStack(Toolkit.defaultStackName, status: "CREATE_COMPLETE", template: "{}").outputs = [
            Toolkit.OutputKey.bucketName: bucket, Toolkit.OutputKey.repositoryName: Toolkit.repositoryName,
            Toolkit.OutputKey.version: String(Toolkit.currentVersion)]
        let split = SplitTransport(cloudFormation: scripted, s3: S3Client(client: try moto.client().with(region: region)))
        let update = create + Self.overrides(rest.update)
        func synthesized() throws -> String {
            try String(contentsOf: assembly.appendingPathComponent("\(stackName).template.json"), encoding: .utf8)
        }

        let console = TestConsole()
        assertExit(try await Deploy.parse(create + ["--require-approval", "never"])
            .execute(context(moto, console, transport: split)), 0, console)
        XCTAssertTrue(console.stdout.contains("✅ \(stackName): created"), console.stdout)
        XCTAssertEqual(scripted.stack(stackName)?.template, try synthesized(), "the stand-in got the synthesized template")
        let created = try synthesized()

        let again = TestConsole()
        let changeSets = scripted.calls("CreateChangeSet").count
        assertExit(try await Deploy.parse(create + ["--require-approval", "never"])
            .execute(context(moto, again, transport: split)), 0, again)
        XCTAssertTrue(again.stdout.contains("✅ \(stackName): no changes"), again.stdout)
        XCTAssertEqual(scripted.calls("CreateChangeSet").count, changeSets, "no change set for an unchanged stack")

        let same = TestConsole()
        assertExit(try await Diff.parse(create + ["--fail"]).execute(context(moto, same, transport: split)), 0, same)
        XCTAssertTrue(same.stdout.contains("(no differences)"), same.stdout)
        let diff = TestConsole()
        assertExit(try await Diff.parse(update + ["--fail"]).execute(context(moto, diff, transport: split)), 1, diff)
        for text in rest.updateDiff { XCTAssertTrue(diff.stdout.contains(text), "\(text) in:\n\(diff.stdout)") }

        let updating = TestConsole()
        assertExit(try await Deploy.parse(update + ["--require-approval", "never"])
            .execute(context(moto, updating, transport: split)), 0, updating)
        XCTAssertTrue(updating.stdout.contains("✅ \(stackName): updated"), updating.stdout)
        let updated = try synthesized()
        XCTAssertNotEqual(updated, created)
        XCTAssertEqual(scripted.stack(stackName)?.template, updated)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(update + ["--force"]).execute(context(moto, destroy, transport: split)),
                   0, destroy)
        XCTAssertTrue(destroy.stdout.contains("✅ \(stackName): deleted"), destroy.stdout)
        XCTAssertNil(scripted.stack(stackName))
        for (id, resource) in TemplateDocument.section(try TemplateDocument.parse(updated), "Resources") {
            switch resource["DeletionPolicy"]?.stringLiteral {
            case "Retain"?, "RetainExceptOnCreate"?:
                XCTAssertTrue(destroy.stdout.contains("    \(id) ("), "\(id) listed as retained:\n\(destroy.stdout)")
            case "Snapshot"?:
                XCTAssertTrue(destroy.stdout.contains("\(id) (\(resource["Type"]?.stringLiteral ?? "")): deleted after a "
                    + "final snapshot"), destroy.stdout)
            default:
                XCTAssertFalse(destroy.stdout.contains("    \(id) ("), "\(id) is not retained:\n\(destroy.stdout)")
            }
        }
    }

    static func lifecycleTemplate(visibility: Int, retention: Int) -> String {
        template("""
            "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {
              "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
              "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true}}},
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": \(visibility)}},
            "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
              "MemorySize": 256, "Timeout": 30, "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
              "Code": {"ZipFile": "def handler(event, context):\\n    return 1\\n"},
              "Environment": {"Variables": {"BUCKET": {"Ref": "Uploads"}, "QUEUE_URL": {"Ref": "Jobs"}}}}},
            "WorkerLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": \(retention),
              "LogGroupName": {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Worker"}]]}}}
            """, outputs: #""BucketName": {"Value": {"Ref": "Uploads"}}, "QueueUrl": {"Value": {"Ref": "Jobs"}}"#)
    }

    /// Server: moto. The whole lifecycle on a stack moto supports (a bucket, a queue, a role, a
    /// function with inline code, a log group), from assembly folders: create, inspect, deploy
    /// unchanged, deploy forced, diff, update, inspect, destroy, gone. The update leaves the
    /// function alone: moto cannot update a function whose code is inline (`ZipFile`): it
    /// base64-decodes the source text and answers HTTP 500.
    func testLifecycleOfAStackMotoSupports() async throws {
        let moto = try await moto()
        let dir = TempDir("infra-lifecycle")
        try writeAssembly(dir.url.appendingPathComponent("v1"), stacks: [TestStack(
            name: "infra-lifecycle", template: Self.lifecycleTemplate(visibility: 60, retention: 14),
            tags: ["project": "infra-tests"])])
        try writeAssembly(dir.url.appendingPathComponent("v2"), stacks: [TestStack(
            name: "infra-lifecycle", template: Self.lifecycleTemplate(visibility: 120, retention: 30),
            tags: ["project": "infra-tests"])])
        try await lifecycle(
            moto, stackName: "infra-lifecycle", region: MotoServer.region,
            create: ["--assembly", dir.url.appendingPathComponent("v1").path],
            update: ["--assembly", dir.url.appendingPathComponent("v2").path],
            updateDiff: ["[~] AWS::SQS::Queue Jobs", "[~] Properties.VisibilityTimeout: 60 → 120",
                         "[~] AWS::Logs::LogGroup WorkerLogs", "[~] Properties.RetentionInDays: 14 → 30"],
            verify: { d in
                let s3 = S3Client(client: d.client)
                let bucket = try XCTUnwrap(MotoDeployTests.physical(d.resources, "Uploads"))
                let head = try await s3.headBucket(bucket)
                XCTAssertNotNil(head, "bucket \(bucket)")
                let queue = try XCTUnwrap(MotoDeployTests.physical(d.resources, "Jobs"))
                let queueURL = try await d.inspect.queueURL(String(queue.split(separator: "/").last!))
                let url = try XCTUnwrap(queueURL, "queue \(queue)")
                let visibility = try await d.inspect.queueAttribute(url, "VisibilityTimeout")
                XCTAssertEqual(visibility, d.updated ? "120" : "60")
                let config = try await d.inspect.function(try XCTUnwrap(MotoDeployTests.physical(d.resources, "Worker")))
                XCTAssertEqual(config?["MemorySize"] as? Int, 256)
                XCTAssertEqual(config?["Runtime"] as? String, "python3.12")
                let variables = (config?["Environment"] as? [String: Any])?["Variables"] as? [String: String]
                XCTAssertEqual(variables?["BUCKET"], bucket)
            },
            verifyGone: { d in
                let bucket = try await S3Client(client: d.client)
                    .headBucket(try XCTUnwrap(MotoDeployTests.physical(d.resources, "Uploads")))
                XCTAssertNil(bucket)
                let queue = try XCTUnwrap(MotoDeployTests.physical(d.resources, "Jobs"))
                let queueURL = try await d.inspect.queueURL(String(queue.split(separator: "/").last!))
                XCTAssertNil(queueURL)
                let function = try await d.inspect.function(try XCTUnwrap(MotoDeployTests.physical(d.resources, "Worker")))
                XCTAssertNil(function)
            })
    }

    /// Deploy (create), inspect, deploy unchanged, deploy --force, diff, deploy the update,
    /// inspect, destroy, check what is gone. `create` / `update`: the arguments selecting the
    /// stack's two versions (config + overrides, or two assembly folders); `context` /
    /// `updateContext`: their `-c` values, for the checks.
    func lifecycle(_ moto: MotoServer, stackName: String, region: String, create: [String], update: [String],
                   context createContext: [String] = [], updateContext: [String] = [], updateDiff: [String],
                   beforeUpdate: (@Sendable (Deployed) async throws -> Void)? = nil,
                   verify: (@Sendable (Deployed) async throws -> Void)?,
                   verifyGone: (@Sendable (Deployed) async throws -> Void)?,
                   destroyRefused: (message: String, limitation: String)? = nil) async throws {
        let inspect = Inspect(client: try moto.client().with(region: region))
        let cfn = CloudFormationClient(client: inspect.client)
        let work = TempDir("infra-work")
        let transport = RecordingTransport()
        func values(_ items: [String]) -> [String: String] {
            Dictionary(items.map { item in
                let eq = item.firstIndex(of: "=")!
                return (String(item[..<eq]), String(item[item.index(after: eq)...]))
            }, uniquingKeysWith: { _, last in last })
        }

        // create
        let console = TestConsole()
        let outputs = work.url.appendingPathComponent("outputs.json")
        assertExit(try await Deploy.parse(create + ["--require-approval", "never", "--outputs-file", outputs.path])
            .execute(context(moto, console, transport: transport)), 0, console)
        XCTAssertTrue(console.stdout.contains("✅ \(stackName): created"), console.stdout)
        XCTAssertTrue(console.stdout.contains("| CREATE_COMPLETE | AWS::CloudFormation::Stack | \(stackName)"),
                      "one line per event when not a terminal:\n\(console.stdout)")
        let created = try await cfn.describeStack(stackName)
        XCTAssertEqual(created?.status, .createComplete)
        // the outputs file is written; moto reports no outputs for change-set stacks, so the
        // stack's entry is empty here (the scripted tests check real outputs)
        let written = try JSONParser.parse(String(contentsOf: outputs, encoding: .utf8))
        XCTAssertNotNil(written[stackName], "\(written)")
        let resources = try await cfn.listStackResources(stackName)
        let deployed = Deployed(inspect: inspect, resources: resources, updated: false, context: values(createContext))
        try await verify?(deployed)

        // unchanged: no change set at all
        transport.reset()
        let again = TestConsole()
        assertExit(try await Deploy.parse(create + ["--require-approval", "never"])
            .execute(context(moto, again, transport: transport)), 0, again)
        XCTAssertTrue(again.stdout.contains("✅ \(stackName): no changes"), again.stdout)
        XCTAssertEqual(transport.count("CreateChangeSet"), 0)

        // --force: moto answers the unchanged UPDATE change set (FAILED "didn't contain changes",
        // or a ValidationError when parameters are sent): reported unchanged, nothing executed
        let forced = TestConsole()
        assertExit(try await Deploy.parse(create + ["--require-approval", "never", "--force"])
            .execute(context(moto, forced, transport: transport)), 0, forced)
        XCTAssertTrue(forced.stdout.contains("✅ \(stackName): no changes"), forced.stdout)
        XCTAssertEqual(transport.count("CreateChangeSet"), 1)
        XCTAssertEqual(transport.count("ExecuteChangeSet"), 0)

        try await beforeUpdate?(deployed)

        // diff: nothing, then the update
        let same = TestConsole()
        assertExit(try await Diff.parse(create + ["--fail"]).execute(context(moto, same)), 0, same)
        XCTAssertTrue(same.stdout.contains("(no differences)"), same.stdout)
        let diff = TestConsole()
        assertExit(try await Diff.parse(update + ["--fail"]).execute(context(moto, diff)), 1, diff)
        for text in updateDiff { XCTAssertTrue(diff.stdout.contains(text), "\(text) in:\n\(diff.stdout)") }

        // update
        let updating = TestConsole()
        assertExit(try await Deploy.parse(update + ["--require-approval", "never"]).execute(context(moto, updating)),
                   0, updating)
        XCTAssertTrue(updating.stdout.contains("✅ \(stackName): updated"), updating.stdout)
        let updated = try await cfn.describeStack(stackName)
        XCTAssertEqual(updated?.status, .updateComplete)
        try await verify?(Deployed(inspect: inspect, resources: try await cfn.listStackResources(stackName), updated: true,
                                   context: values(updateContext)))

        // destroy
        let destroy = TestConsole()
        if let refused = destroyRefused {
            assertExit(try await Destroy.parse(update + ["--force"]).execute(context(moto, destroy)), 1, destroy)
            XCTAssertTrue(destroy.stderr.contains("\(stackName): \(refused.message)"), "\(refused.limitation):\n\(destroy.stderr)")
        } else {
            assertExit(try await Destroy.parse(update + ["--force"]).execute(context(moto, destroy)), 0, destroy)
            XCTAssertTrue(destroy.stdout.contains("✅ \(stackName): deleted"), destroy.stdout)
        }
        let gone = try await cfn.describeStack(stackName)
        XCTAssertNil(gone)
        try await verifyGone?(Deployed(inspect: inspect, resources: resources, updated: true, context: values(updateContext)))
    }

    /// Server: moto. `infra synth` in one folder, `infra deploy --assembly` of that folder from
    /// another working directory (a relative path): the change set holds exactly the assembly's
    /// resources. (--no-execute: moto cannot execute the example, see `exampleCase`.)
    func testDeployAnAssemblyFolderFromAnotherDirectory() async throws {
        let moto = try await moto()
        let config = try configFolder("example.json", stackName: "infra-example-assembly")
        let root = TempDir("infra-roundtrip")
        let ci = root.sub("ci"), operatorDir = root.sub("operator")
        try Synth.parse(["--config", config.path, "--output", ci.appendingPathComponent("infra.out").path, "-q",
                         "-c", "LOG_RETENTION_DAYS=30"]).run()

        let console = TestConsole()
        let code = try await Deploy.parse(["--assembly", "../ci/infra.out", "--require-approval", "never", "--no-execute"])
            .execute(context(moto, console, cwd: operatorDir))
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("created and not executed (--no-execute)"), console.stdout)
        let file = try String(contentsOf: ci.appendingPathComponent("infra.out/infra-example-assembly.template.json"),
                              encoding: .utf8)
        XCTAssertTrue(file.contains("\"RetentionInDays\": 30"))
        let cfn = CloudFormationClient(client: try moto.client())
        let stack = try await cfn.describeStack("infra-example-assembly")
        XCTAssertEqual(stack?.status, .reviewInProgress)
        let expected = try TemplateDocument.section(TemplateDocument.parse(file), "Resources").map(\.0)
        for id in expected {
            XCTAssertTrue(console.stdout.contains("+ Add     \(id) ("), "\(id) in the change set:\n\(console.stdout)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: operatorDir.appendingPathComponent("infra.out").path),
                       "nothing synthesized on the operator's side")

        let refused = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", "../ci/infra.out", "-c", "A=1"])
            .execute(context(moto, refused, cwd: operatorDir)), 2, refused)
        XCTAssertTrue(refused.stderr.contains("-c overrides apply to synthesis"), refused.stderr)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", "../ci/infra.out", "--force"])
            .execute(context(moto, destroy, cwd: operatorDir)), 0, destroy)
        let gone = try await cfn.describeStack("infra-example-assembly")
        XCTAssertNil(gone)
    }

    /// Server: moto. A zip asset is published to the asset bucket before the function that
    /// needs it (moto refuses a function whose code object is missing), once; a template over
    /// 51,200 bytes goes through the bucket (TemplateURL); a container image asset without a
    /// Docker engine is a clear error naming the asset; a missing toolkit says to bootstrap.
    func testAssetsLargeTemplatesAndDocker() async throws {
        let moto = try await moto()
        try await bootstrap(moto)
        let dir = TempDir("infra-assets")
        let source = try dir.write("src/index.py", "def handler(event, context):\n    return 'ok'\n")
        let zip = dir.url.appendingPathComponent("asset.zip")
        try makeZip(of: source, to: zip)
        let hash = Hash.hex(Hash.sha256(Array(try Data(contentsOf: zip))))
        try FileManager.default.moveItem(at: zip, to: dir.url.appendingPathComponent("asset.\(hash).zip"))
        let padding = String(repeating: "x", count: 52_000)
        let body = template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Metadata": {"Padding": "\(padding)"}, "Properties": {
              "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
              "Code": {"S3Bucket": {"Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "\(hash).zip"}}}
            """)
        XCTAssertGreaterThan(body.utf8.count, TemplateLimits.maxInlineTemplateBytes)
        let assembly = dir.sub("infra.out")
        try FileManager.default.moveItem(at: dir.url.appendingPathComponent("asset.\(hash).zip"),
                                         to: assembly.appendingPathComponent("asset.\(hash).zip"))
        try writeAssembly(assembly, stacks: [TestStack(name: "infra-asset-test", template: body, assets: [hash])],
                          assets: [TestAsset(id: hash, type: "zip", path: "asset.\(hash).zip", source: source.path)])

        let transport = RecordingTransport()
        let console = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
            .execute(context(moto, console, transport: transport)), 0, console)
        let client = try moto.client()
        let bucket = Toolkit.bucketName(account: "123456789012", region: "us-east-1")
        let s3 = S3Client(client: client)
        let assetObject = try await s3.headObject(bucket: bucket, key: "\(hash).zip")
        XCTAssertNotNil(assetObject)
        let templateObject = try await s3.headObject(bucket: bucket, key: "templates/\(Hash.sha256Hex(body)).json")
        XCTAssertNotNil(templateObject, "large template staged")
        XCTAssertTrue(console.stdout.contains("published to s3://\(bucket)/\(hash).zip"), console.stdout)
        let cfn = CloudFormationClient(client: client)
        let deployedBody = try await cfn.getTemplate(stackName: "infra-asset-test")
        XCTAssertEqual(deployedBody, body)
        let resources = try await cfn.listStackResources("infra-asset-test")
        let created = try await Inspect(client: client).function(try XCTUnwrap(Self.physical(resources, "Fn")))
        XCTAssertNotNil(created)

        // again (forced): the asset is found in the bucket and not uploaded twice
        transport.reset()
        let again = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never", "--force"])
            .execute(context(moto, again, transport: transport)), 0, again)
        XCTAssertTrue(again.stdout.contains("already in s3://\(bucket)/\(hash).zip"), again.stdout)
        XCTAssertFalse(transport.requests.contains { $0.hasPrefix("PUT") && $0.hasSuffix("\(hash).zip") },
                       "\(transport.requests)")

        // a container image asset: no Docker engine answers here
        let imageId = String(repeating: "ab", count: 32)
        let imageDir = dir.sub("image")
        try "FROM scratch\n".write(to: imageDir.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let imageAssembly = dir.sub("image.out")
        try writeAssembly(imageAssembly, stacks: [TestStack(
            name: "infra-image-test", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#), assets: [imageId])],
                          assets: [TestAsset(id: imageId, type: "container-image", path: imageDir.path, source: imageDir.path)])
        let docker = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", imageAssembly.path, "--require-approval", "never"])
            .execute(context(moto, docker)), 1, docker)
        XCTAssertTrue(docker.stderr.contains("container-image asset \(imageId.prefix(12)) (\(imageDir.path)) is a container "
            + "image that must be built and pushed, which needs a Docker engine, but none answers"), docker.stderr)
        XCTAssertTrue(docker.stderr.contains("Start Docker"), docker.stderr)
        let notCreated = try await cfn.describeStack("infra-image-test")
        XCTAssertNil(notCreated, "nothing deployed without its image")

        // a toolkit that does not exist: run infra bootstrap
        let missing = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never", "--force",
                                       "--toolkit-stack-name", "NoSuchToolkit"]).execute(context(moto, missing)), 1, missing)
        XCTAssertTrue(missing.stderr.contains("us-east-1 is not bootstrapped: the toolkit stack NoSuchToolkit does not "
            + "exist there. Run `infra bootstrap --region us-east-1`"), missing.stderr)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", assembly.path, "--force"]).execute(context(moto, destroy)), 0, destroy)
    }

    /// Server: moto. A stack moto refuses (a Lambda whose code object is not in the bucket):
    /// infra reports moto's own message, with the stack's name, and exits non-zero.
    func testRefusedDeployReportsTheServersMessage() async throws {
        let moto = try await moto()
        let dir = TempDir("infra-refused")
        let body = template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
              "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"S3Bucket": "no-such-bucket-infra", "S3Key": "x.zip"}}}
            """)
        try writeAssembly(dir.url, stacks: [TestStack(name: "infra-refused-test", template: body)])
        let console = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never"])
            .execute(context(moto, console)), 1, console)
        XCTAssertTrue(console.stderr.contains("infra-refused-test: CloudFormation ExecuteChangeSet failed: "
            + "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: NoSuchBucket"), console.stderr)
    }

    /// A zip of one file (Python's zipfile: moto needs a real archive for a function's code).
    func makeZip(of file: URL, to zip: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[2], 'w') as z:
                z.writestr(zipfile.ZipInfo('index.py', (1980, 1, 1, 0, 0, 0)), open(sys.argv[1]).read())
            """, file.path, zip.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }
}

import BuiltinStacks
import Foundation
@testable import InfraAWS
@testable import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraTestSupport
import XCTest

/// A transport that notes when an ExecuteChangeSet call has returned (moto executes the change
/// set within the call).
final class ExecutionWatch: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport = defaultHTTPTransport()
    private let lock = NSLock()
    private var answered: Int?
    private var ended = false
    /// ExecuteChangeSet answered (with any status).
    var executed: Bool { lock.withLock { answered != nil } }
    var succeeded: Bool { lock.withLock { answered == 200 } }
    /// The deploy returned.
    var finished: Bool { lock.withLock { ended } }

    /// Runs a deploy through this transport's context, noting when it returns.
    func deploy(_ arguments: [String], _ context: DeployContext) async throws -> Int32 {
        defer { lock.withLock { ended = true } }
        return try await Deploy.parse(arguments).execute(context)
    }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let isExecute = String(decoding: request.body, as: UTF8.self).contains("Action=ExecuteChangeSet")
        do {
            let response = try await inner.send(request, timeout: timeout)
            if isExecute { lock.withLock { answered = response.statusCode } }
            return response
        } catch {
            if isExecute { lock.withLock { answered = -1 } }
            throw error
        }
    }
}

/// A transport that records what goes through it (query actions, or method and path).
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private let lock = NSLock()
    private var seen: [String] = []

    init(_ inner: any HTTPTransport = defaultHTTPTransport()) {
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

/// End to end against moto (`scripts/moto-server`: the pinned moto with the fixes of
/// docs/MOTO.md) with signature verification on (server: moto), through the command types
/// in-process, with infra's own client: bootstrap, deploy, inspect what was created through the
/// AWS APIs, deploy unchanged, diff, update, destroy, redeploy, and deploy from an assembly folder.
/// What moto still cannot show is named where the assertions meet it.
///
/// The moto context makes one attempt per call: after an internal error moto's state is
/// half-applied, and a retried call then "succeeds" on it (AWS, with client request tokens, does
/// not); one attempt shows moto's answer as it is, and every deploy checks moto's log for a
/// traceback.
final class MotoDeployTests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    /// The two image phases of a stack whose images live in repositories it creates (the image gate
    /// of COMMON.md): phase 1 is a plain `infra deploy`: the deployer finds the images missing (ECR
    /// DescribeImages), sets every `<Name>ImageReady` parameter to "false", holds the consumers back
    /// and prints "phase 1 of 2" with the push commands; the images are then pushed with ECR PutImage
    /// through infra's ECRClient (what `docker push` leaves in ECR) to each repository's physical
    /// name; the same deploy again sets the parameters to "true" and the consumers start.
    struct ImagePhases: Sendable {
        /// Each image's gate parameter and the logical id prefix of its AWS::ECR::Repository.
        var gates: [String: String]
        var tag = "latest"

        /// The physical name of each gate's repository (parameter order).
        func repositories(_ d: Deployed) throws -> [(parameter: String, name: String)] {
            try gates.keys.sorted().map { ($0, try d.physical("AWS::ECR::Repository", gates[$0]!)) }
        }

        /// `docker push <repository>:<tag>` of each repository the stack created.
        func push(_ d: Deployed) async throws {
            let ecr = ECRClient(client: d.client)
            for (_, name) in try repositories(d) {
                try await ecr.putImage(repositoryName: name, imageManifest: Self.manifest, imageTag: tag)
                let images = try await ecr.describeImages(repositoryName: name)
                XCTAssertEqual(images.flatMap { $0.imageTags ?? [] }, [tag], name)
            }
        }

        static let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","#
            + #""config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"#
            + #""digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#
    }

    /// A custom resource's Create request as CloudFormation sends it (properties resolved).
    struct CustomResourceRequest: @unchecked Sendable {
        var event: [String: Any]
        var properties: [String: Any]
        var inspect: Inspect
    }

    /// The response object a provider PUTs to the ResponseURL.
    struct CustomResourceResponse: Sendable {
        var status: String
        var physicalResourceId: String
        var data: [String: String] = [:]
        var reason: String?
    }

    /// How a stack's custom resource completes on moto (moto does not run function code: it would
    /// need Docker).
    enum CustomResourceProvider: Sendable {
        /// The provider function's own code (its inline `ZipFile`) runs here with python3 and
        /// boto3 against moto, and PUTs its response itself.
        case runHandler
        /// The handler cannot run here: the test answers exactly as it would (said where used).
        case answer(@Sendable (CustomResourceRequest) async throws -> CustomResourceResponse)
    }

    /// What a deploy created, for the checks of a case (the inspection client is in the stack's region).
    struct Deployed {
        let inspect: Inspect
        let resources: [ResourceSummary]
        /// After the update.
        let updated: Bool
        /// The `-c` values of the deploy.
        let context: [String: String]
        /// Every image of the gate pushed and its parameter "true" (always, for a stack without one).
        var imagesReady = true

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

    /// The whole lifecycle on moto: create (phase 1), inspect, unchanged, forced, images pushed and
    /// phase 2, destroy refused while protected, diff, update (the config change), inspect,
    /// destroy, gone, redeploy.
    struct Lifecycle {
        /// Resources the config names that an operator already has (created in moto first), and
        /// the operator's own values for the config's example values: the `-c` overrides.
        var prepare: (@Sendable (Inspect) async throws -> [String])?
        var images: ImagePhases?
        /// By resource type.
        var customResources: [String: CustomResourceProvider] = [:]
        /// The config keys that switch deletion protection on (their shipped value `true`): destroy
        /// is refused up front, naming them, until a deploy turns them off (the update does).
        var protectionKeys: [String] = []
        /// `-c` overrides of the update deploy (and the diff before it).
        var update: [String]
        /// Text the diff of the update must contain.
        var updateDiff: [String]
        /// Checks of the created resources (after the create, after phase 2, and after the update).
        var verify: (@Sendable (Deployed) async throws -> Void)?
        /// Checks once the stack is destroyed (`resources`: those of the stack before the destroy).
        var verifyGone: (@Sendable (Deployed) async throws -> Void)?
        /// What preflight finds when the redeploy after destroy meets resources the template
        /// retained under names the config gave them (type and name, as preflight lists them): the
        /// deploy stops (no terminal to ask, no --import-existing) and offers to adopt them. Empty:
        /// the stack's names are generated, and the redeploy succeeds.
        var redeployAdopts: [String] = []
    }

    /// One row per stack config.
    struct Case {
        var config: String
        /// Zip assets the stack publishes to the toolkit bucket.
        var zipAssets = 0
        /// The config's example values (`{"$example": ...}`): deploy refuses them before any AWS
        /// call; the lifecycle passes the operator's values (`prepare`).
        var exampleKeys: [String] = []
        /// A variant needing a container image build: without a Docker engine, a clear error
        /// naming the asset, and nothing deployed.
        var imageAsset: [String]?
        var lifecycle: Lifecycle
    }


    override class func tearDown() {
        MotoServer.releaseShared()
        super.tearDown()
    }

    static func physical(_ resources: [ResourceSummary], _ id: String) -> String? {
        resources.first { $0.logicalId == id }?.physicalId
    }

    // MARK: Fixtures

    func moto() async throws -> MotoServer { try await requireMoto() }

    func context(_ moto: MotoServer, _ console: TestConsole, transport: any HTTPTransport = defaultHTTPTransport(),
                 cwd: URL = FileManager.default.temporaryDirectory) -> DeployContext {
        motoDeployContext(moto, console, transport: transport, cwd: cwd)
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

    /// Server: moto, a fresh state per variant. Each golden variant (`goldenVariants`): the first
    /// deploy with its config (custom resources answered), every resource of the template that moto
    /// models created, moto's log free of tracebacks, the variant's own check, destroy, gone.
    func testGoldenVariants() async throws {
        let moto = try await moto()
        for variant in Self.goldenVariants {
            try await moto.reset()
            let label = "\(variant.config) \(variant.name)"
            let config = try configFolder(variant.config)
            let parsed = try StackConfig.parse(String(contentsOf: config.url.appendingPathComponent(variant.config),
                                                      encoding: .utf8), file: variant.config)
            let stackName = parsed.stackName, region = parsed.region ?? MotoServer.region
            try await bootstrap(moto, regions: [region])
            let inspect = Inspect(client: try moto.client().with(region: region))
            let overrides = try await variant.overrides(inspect)
            let work = TempDir("infra-variant")
            let assembly = work.url.appendingPathComponent("infra.out")
            let args = ["--config", config.path, "--output", assembly.path] + Self.overrides(overrides)
            let mark = moto.logMark()

            let console = TestConsole()
            let watch = ExecutionWatch()
            let deployContext = context(moto, console, transport: watch)
            async let code = watch.deploy(args + ["--require-approval", "never"], deployContext)
            try await answering(moto, watch, stackName: stackName, region: region, customResources: variant.customResources,
                                assembly: assembly)
            assertExit(try await code, 0, console)
            XCTAssertTrue(console.stdout.contains("✅ \(stackName): created"), "\(label):\n\(console.stdout)")
            let cfn = CloudFormationClient(client: inspect.client)
            let resources = try await cfn.listStackResources(stackName)
            let body = try String(contentsOf: assembly.appendingPathComponent("\(stackName).template.json"), encoding: .utf8)
            // the template's resources whose condition holds with the deployed parameters (phase 1 of
            // the image gate holds its consumers back): more than half created (the rest are types
            // moto accepts without creating, docs/MOTO.md), none of those held back
            let document = try TemplateDocument.parse(body)
            let deployed = try await cfn.describeStack(stackName)
            let conditions = ConditionEvaluator(template: document, parameters: Dictionary(
                (deployed?.parameters ?? []).map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a }))
            var active: [String] = [], heldBack: [String] = []
            for (id, resource) in TemplateDocument.section(document, "Resources") {
                if let condition = resource["Condition"]?.stringLiteral, conditions.condition(condition) == false {
                    heldBack.append(id)
                } else {
                    active.append(id)
                }
            }
            XCTAssertGreaterThan(resources.count, active.count / 2, "\(label): \(resources.count) of \(active.count)")
            XCTAssertEqual(Set(resources.map(\.logicalId)).intersection(heldBack), [], "\(label): held back by their condition")
            let values = Dictionary(overrides.map { item -> (String, String) in
                let eq = item.firstIndex(of: "=")!
                return (String(item[..<eq]), String(item[item.index(after: eq)...]))
            }, uniquingKeysWith: { _, last in last })
            try await variant.check?(Deployed(inspect: inspect, resources: resources, updated: false, context: values))

            let destroy = TestConsole()
            assertExit(try await Destroy.parse(args + ["--force"]).execute(context(moto, destroy)), 0, destroy)
            let gone = try await cfn.describeStack(stackName)
            XCTAssertNil(gone, label)
            let log = moto.log(since: mark)
            XCTAssertFalse(log.contains("Traceback"), "\(label): moto's log holds a traceback:\n\(log.suffix(4000))")
        }
    }

    /// Server: moto, from a fresh state. One configured stack, synthesized from its config:
    /// 1. bootstrap of the stack's region; a config holding example values: deploy refused before
    ///    any AWS call (exit 2, naming the file and the keys), nothing created;
    /// 2. the diff of the undeployed stack; `deploy --no-execute`: its zip assets published (the
    ///    bucket's objects are the assembly's zips, and every function's code object is among
    ///    them), a template over 51,200 bytes staged in the bucket, a change set adding exactly
    ///    the template's resources; destroy of that stack in review;
    /// 3. a variant needing a container image build without a Docker engine: a clear error;
    /// 4. the whole lifecycle with the shipped config (`lifecycle`).
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
        let l = c.lifecycle
        let inspect = Inspect(client: try moto.client().with(region: region))
        let cfn = CloudFormationClient(client: inspect.client)

        if !c.exampleKeys.isEmpty {
            let console = TestConsole()
            let transport = RecordingTransport()
            assertExit(try await Deploy.parse(base + ["--require-approval", "never"])
                .execute(context(moto, console, transport: transport)), 2, console)
            let file = config.url.appendingPathComponent(c.config).path
            for key in c.exampleKeys {
                XCTAssertTrue(console.stderr.contains("\(file): \(key) is an example value ("), "\(key):\n\(console.stderr)")
                XCTAssertTrue(console.stderr.contains("(or pass -c \(key)=VALUE) before `infra deploy \(stackName)`"),
                              console.stderr)
            }
            XCTAssertEqual(transport.requests, [], "no AWS call at all")
            let stack = try await cfn.describeStack(stackName)
            XCTAssertNil(stack, "nothing created with example values")
        }

        let variant = try await l.prepare?(inspect) ?? []
        let create = base + Self.overrides(variant)

        try await deployWithoutExecuting(moto, c, stackName: stackName, region: region, args: create, assembly: assembly)

        if let image = c.imageAsset {
            let console = TestConsole()
            assertExit(try await Deploy.parse(create + Self.overrides(image) + ["--require-approval", "never"])
                .execute(context(moto, console)), 1, console)
            XCTAssertTrue(console.stderr.contains("is a container image that must be built and pushed, which needs a "
                + "Docker engine, but none answers"), console.stderr)
            let stack = try await cfn.describeStack(stackName)
            XCTAssertNil(stack, "nothing deployed without its image")
        }

        let updateContext = variant + l.update
        try await lifecycle(moto, stackName: stackName, region: region, create: create,
                            update: base + Self.overrides(updateContext), context: variant,
                            updateContext: updateContext, updateDiff: l.updateDiff, images: l.images,
                            protectionKeys: l.protectionKeys,
                            customResources: l.customResources, assembly: assembly,
                            verify: l.verify, verifyGone: l.verifyGone, redeploy: true, redeployAdopts: l.redeployAdopts)
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
        XCTAssertEqual(Set(changeSet.changes.map(\.action)), [.add])
        XCTAssertTrue(console.stdout.contains("\(stackName): \(resources.count) changes"), console.stdout)
        let review = try await cfn.describeStack(stackName)
        XCTAssertEqual(review?.status, .reviewInProgress)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(args + ["--force"]).execute(context(moto, destroy)), 0, destroy)
        XCTAssertTrue(destroy.stdout.contains("✅ \(stackName): deleted"), destroy.stdout)
        let gone = try await cfn.describeStack(stackName)
        XCTAssertNil(gone)
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

    /// Deploy (create), inspect, deploy unchanged, deploy --force, (`images`) push and phase 2,
    /// (`protectionKeys`) destroy refused, diff, deploy the update, inspect, destroy, check what is
    /// gone, and (`redeploy`) deploy again after the destroy.
    /// `create` / `update`: the arguments selecting the stack's two versions (config + overrides,
    /// or two assembly folders); `context` / `updateContext`: their `-c` values, for the checks.
    /// Every deploy that creates the stack answers its custom resources (`customResources`, from
    /// the template in `assembly`), and every step checks moto's log for a traceback.
    func lifecycle(_ moto: MotoServer, stackName: String, region: String, create: [String], update: [String],
                   context createContext: [String] = [], updateContext: [String] = [], updateDiff: [String],
                   images: ImagePhases? = nil, protectionKeys: [String] = [],
                   customResources: [String: CustomResourceProvider] = [:], assembly: URL? = nil,
                   verify: (@Sendable (Deployed) async throws -> Void)?,
                   verifyGone: (@Sendable (Deployed) async throws -> Void)?,
                   redeploy: Bool = false, redeployAdopts: [String] = []) async throws {
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
        var mark = moto.logMark()
        func assertNoTraceback(_ step: String, file: StaticString = #filePath, line: UInt = #line) {
            let log = moto.log(since: mark)
            XCTAssertFalse(log.contains("Traceback"), "\(step): moto's log holds a traceback:\n\(log.suffix(4000))",
                           file: file, line: line)
            mark = moto.logMark()
        }
        /// The image gate's parameters of the deployed stack (DescribeStacks).
        func gateValues(file: StaticString = #filePath, line: UInt = #line) async throws -> [String: String] {
            let stack = try await cfn.describeStack(stackName)
            let parameters = Dictionary((stack?.parameters ?? []).map { ($0.key, $0.value ?? "") },
                                        uniquingKeysWith: { a, _ in a })
            return (images?.gates.keys).map { Dictionary(uniqueKeysWithValues: $0.map { ($0, parameters[$0] ?? "?") }) } ?? [:]
        }
        /// Phase 1 of 2 said after the deploy: each missing image with its push commands.
        func assertPhase1(_ out: String, _ d: Deployed, file: StaticString = #filePath, line: UInt = #line) throws {
            guard let images else { return }
            XCTAssertTrue(out.contains("\(stackName): phase 1 of 2 done"), out, file: file, line: line)
            let registry = "123456789012.dkr.ecr.\(region).amazonaws.com"
            XCTAssertTrue(out.contains("aws ecr get-login-password --region \(region) | docker login --username AWS "
                + "--password-stdin \(registry)"), out, file: file, line: line)
            for (parameter, name) in try images.repositories(d) {
                XCTAssertTrue(out.contains("image gate: \(stackName): \(parameter)=false"), out, file: file, line: line)
                XCTAssertTrue(out.contains("\(name):\(images.tag) (gate \(parameter))"), out, file: file, line: line)
                XCTAssertTrue(out.contains("docker push \(registry)/\(name):\(images.tag)"), out, file: file, line: line)
            }
            XCTAssertTrue(out.contains("then run `infra deploy \(stackName)` again"), out, file: file, line: line)
        }

        // create (phase 1 where the stack creates its image repositories)
        let console = TestConsole()
        let outputs = work.url.appendingPathComponent("outputs.json")
        let watch = ExecutionWatch()
        let firstContext = context(moto, console, transport: watch)
        async let createCode = watch.deploy(create + ["--require-approval", "never", "--outputs-file", outputs.path],
                                            firstContext)
        try await answering(moto, watch, stackName: stackName, region: region, customResources: customResources,
                            assembly: assembly)
        assertExit(try await createCode, 0, console)
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
        let deployed = Deployed(inspect: inspect, resources: resources, updated: false, context: values(createContext),
                                imagesReady: images == nil)
        if let images {
            try assertPhase1(console.stdout, deployed)
            let gates = try await gateValues()
            XCTAssertEqual(gates, images.gates.mapValues { _ in "false" }, "phase 1: the gate closed")
        } else {
            XCTAssertFalse(console.stdout.contains("phase 1 of 2"), console.stdout)
        }
        try await verify?(deployed)
        assertNoTraceback("create")

        // unchanged: no change set at all (phase 1 still said while the images are missing)
        transport.reset()
        let again = TestConsole()
        assertExit(try await Deploy.parse(create + ["--require-approval", "never"])
            .execute(context(moto, again, transport: transport)), 0, again)
        XCTAssertTrue(again.stdout.contains("✅ \(stackName): no changes"), again.stdout)
        XCTAssertEqual(transport.count("CreateChangeSet"), 0)
        if images != nil { try assertPhase1(again.stdout, deployed) }

        // --force: moto answers the unchanged UPDATE change set (FAILED "didn't contain changes",
        // or a ValidationError when parameters are sent): reported unchanged, nothing executed
        let forced = TestConsole()
        assertExit(try await Deploy.parse(create + ["--require-approval", "never", "--force"])
            .execute(context(moto, forced, transport: transport)), 0, forced)
        XCTAssertTrue(forced.stdout.contains("✅ \(stackName): no changes"), forced.stdout)
        XCTAssertEqual(transport.count("CreateChangeSet"), 1)
        XCTAssertEqual(transport.count("ExecuteChangeSet"), 0)

        if let images {
            // the images pushed, then phase 2: the same deploy opens the gate
            try await images.push(deployed)
            let phase2 = TestConsole()
            assertExit(try await Deploy.parse(create + ["--require-approval", "never"]).execute(context(moto, phase2)),
                       0, phase2)
            XCTAssertTrue(phase2.stdout.contains("✅ \(stackName): updated"), phase2.stdout)
            XCTAssertFalse(phase2.stdout.contains("phase 1 of 2"), phase2.stdout)
            for parameter in images.gates.keys.sorted() {
                XCTAssertTrue(phase2.stdout.contains("image gate: \(stackName): \(parameter)=true"), phase2.stdout)
            }
            let opened = try await cfn.describeStack(stackName)
            XCTAssertEqual(opened?.status, .updateComplete)
            let gates = try await gateValues()
            XCTAssertEqual(gates, images.gates.mapValues { _ in "true" }, "phase 2: the gate open")
            try await verify?(Deployed(inspect: inspect, resources: try await cfn.listStackResources(stackName),
                                       updated: false, context: values(createContext)))
            assertNoTraceback("phase 2")
        }

        if !protectionKeys.isEmpty {
            // deletion protection: destroy refuses before DeleteStack, naming the keys that turn it off
            let refused = TestConsole()
            let recorded = RecordingTransport()
            assertExit(try await Destroy.parse(create + ["--force"]).execute(context(moto, refused, transport: recorded)),
                       1, refused)
            let err = refused.stderr
            XCTAssertTrue(err.contains("\(stackName) has resources with deletion protection"), err)
            for cluster in resources.filter({ $0.type == "AWS::RDS::DBCluster" }) {
                XCTAssertTrue(err.contains("\(cluster.logicalId) (AWS::RDS::DBCluster) \(cluster.physicalId ?? "?"): "
                    + "DeletionProtection is on"), err)
            }
            XCTAssertTrue(err.contains("infra deploy \(stackName) " + protectionKeys.map { "-c \($0)=false" }
                .joined(separator: " ")), err)
            XCTAssertTrue(err.contains("nothing was deleted"), err)
            XCTAssertEqual(recorded.count("DeleteStack"), 0, "\(recorded.requests)")
            let still = try await cfn.describeStack(stackName)
            XCTAssertNotNil(still, "not deleted")
            for key in protectionKeys {
                XCTAssertTrue(updateContext.contains("\(key)=false"), "the update turns \(key) off")
            }
        }

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
        XCTAssertFalse(updating.stdout.contains("phase 1 of 2"), updating.stdout)
        let updated = try await cfn.describeStack(stackName)
        XCTAssertEqual(updated?.status, .updateComplete)
        let final = try await cfn.listStackResources(stackName)
        try await verify?(Deployed(inspect: inspect, resources: final, updated: true, context: values(updateContext)))
        assertNoTraceback("update")

        // destroy
        let destroy = TestConsole()
        assertExit(try await Destroy.parse(update + ["--force"]).execute(context(moto, destroy)), 0, destroy)
        XCTAssertTrue(destroy.stdout.contains("✅ \(stackName): deleted"), destroy.stdout)
        let gone = try await cfn.describeStack(stackName)
        XCTAssertNil(gone)
        try await verifyGone?(Deployed(inspect: inspect, resources: final, updated: true, context: values(updateContext)))
        assertNoTraceback("destroy")

        guard redeploy else { return }
        // a redeploy after the destroy, as the first deploy (what the template retained stays)
        if !redeployAdopts.isEmpty {
            // retained under the names the config gave them: preflight finds them and offers to
            // adopt them (ImportExistingResources); without a terminal or --import-existing the
            // deploy stops before creating anything
            let refused = TestConsole()
            let recorded = RecordingTransport()
            assertExit(try await Deploy.parse(create + ["--require-approval", "never"])
                .execute(context(moto, refused, transport: recorded)), 1, refused)
            let count = redeployAdopts.count
            XCTAssertTrue(refused.all.contains("\(stackName): \(count) resource\(count == 1 ? "" : "s") with fixed names "
                + "exist outside the stack (kept by an earlier destroy?): " + redeployAdopts.joined(separator: ", ")),
                          refused.all)
            XCTAssertTrue(refused.stderr.contains("Deploy again with --import-existing to adopt them"), refused.all)
            XCTAssertEqual(recorded.count("CreateChangeSet"), 0, "\(recorded.requests)")
            let none = try await cfn.describeStack(stackName)
            XCTAssertNil(none, "nothing created")
            if let images {
                // adopting (a dry run: moto 5.2 ignores ImportExistingResources) finds the kept
                // repositories holding the images: the gate opens at once, no second phase
                let adopting = TestConsole()
                assertExit(try await Deploy.parse(create + ["--require-approval", "never", "--dry-run", "--import-existing"])
                    .execute(context(moto, adopting)), 0, adopting)
                XCTAssertTrue(adopting.stdout.contains("exists: \(stackName): \(count) resource"), adopting.all)
                XCTAssertTrue(adopting.stdout.contains("dry run: nothing deployed"), adopting.all)
                for parameter in images.gates.keys.sorted() {
                    XCTAssertTrue(adopting.stdout.contains("image gate: \(stackName): \(parameter)=true"), adopting.all)
                }
                let stillNone = try await cfn.describeStack(stackName)
                XCTAssertNil(stillNone, "a dry run creates nothing")
            }
            assertNoTraceback("redeploy")
            return
        }
        let redeployed = TestConsole()
        let rewatch = ExecutionWatch()
        let redeployContext = context(moto, redeployed, transport: rewatch)
        async let redeployCode = rewatch.deploy(create + ["--require-approval", "never"], redeployContext)
        try await answering(moto, rewatch, stackName: stackName, region: region, customResources: customResources,
                            assembly: assembly)
        assertExit(try await redeployCode, 0, redeployed)
        XCTAssertTrue(redeployed.stdout.contains("✅ \(stackName): created"), redeployed.stdout)
        let back = try await cfn.describeStack(stackName)
        XCTAssertEqual(back?.status, .createComplete)
        if let images {
            // new repositories (generated names), empty: phase 1 again
            let again = Deployed(inspect: inspect, resources: try await cfn.listStackResources(stackName), updated: false,
                                 context: values(createContext), imagesReady: false)
            try assertPhase1(redeployed.stdout, again)
            let before = try images.repositories(deployed).map(\.name)
            for (_, name) in try images.repositories(again) {
                XCTAssertFalse(before.contains(name), "\(name) is a new repository")
            }
        }
        assertNoTraceback("redeploy")
    }

    // MARK: Custom resources

    /// While a deploy creates the stack: once its ExecuteChangeSet has returned (moto executes
    /// synchronously; the stack then waits in CREATE_IN_PROGRESS), answers each custom resource
    /// of the stack as its provider does.
    func answering(_ moto: MotoServer, _ watch: ExecutionWatch, stackName: String, region: String,
                   customResources: [String: CustomResourceProvider], assembly: URL?) async throws {
        guard !customResources.isEmpty, let assembly else { return }
        let deadline = Date().addingTimeInterval(120)
        while !watch.executed, !watch.finished, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        if watch.succeeded {
            try await answerCustomResources(moto, stackName: stackName, region: region, providers: customResources,
                                            template: assembly.appendingPathComponent("\(stackName).template.json"))
        } else if !watch.executed, !watch.finished {
            XCTFail("\(stackName): ExecuteChangeSet did not return within 120 s")
        }
    }

    func answerCustomResources(_ moto: MotoServer, stackName: String, region: String,
                               providers: [String: CustomResourceProvider], template: URL) async throws {
        let inspect = Inspect(client: try moto.client().with(region: region))
        let cfn = CloudFormationClient(client: inspect.client)
        let described = try await cfn.describeStack(stackName)
        let stack = try XCTUnwrap(described)
        let resources = try await cfn.listStackResources(stackName)
        let physical = Dictionary(resources.compactMap { r in r.physicalId.map { (r.logicalId, $0) } },
                                  uniquingKeysWith: { a, _ in a })
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: template)) as? [String: Any])
        let templateResources = try XCTUnwrap(body["Resources"] as? [String: [String: Any]])
        // conditions (the image gate's) with the stack's parameter values, as CloudFormation resolves them
        let conditions = ConditionEvaluator(
            template: try TemplateDocument.parse(String(contentsOf: template, encoding: .utf8)),
            parameters: Dictionary(stack.parameters.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a }))
        struct NoValue {}
        func resolve(_ value: Any) throws -> Any {
            if let object = value as? [String: Any] {
                if let ref = object["Ref"] as? String {
                    if ref == "AWS::NoValue" { return NoValue() }
                    return try XCTUnwrap(physical[ref], "Ref \(ref)")
                }
                if let getAtt = object["Fn::GetAtt"] as? [String], getAtt.count == 2 {
                    let id = try XCTUnwrap(physical[getAtt[0]], "Fn::GetAtt \(getAtt)")
                    switch getAtt[1] {
                    case "Arn": return "arn:aws:lambda:\(region):123456789012:function:\(id)"
                    case "DBClusterArn": return "arn:aws:rds:\(region):123456789012:cluster:\(id)"
                    default: throw XCTSkip("the test cannot resolve Fn::GetAtt \(getAtt) for a custom resource")
                    }
                }
                if let branches = object["Fn::If"] as? [Any], branches.count == 3, let name = branches[0] as? String {
                    let holds = try XCTUnwrap(conditions.condition(name), "condition \(name)")
                    return try resolve(holds ? branches[1] : branches[2])
                }
                return try object.compactMapValues { v in
                    let r = try resolve(v)
                    return r is NoValue ? nil : r
                }
            }
            if let array = value as? [Any] { return try array.map(resolve).filter { !($0 is NoValue) } }
            return value
        }
        for resource in resources where resource.type.hasPrefix("Custom::") {
            let provider = try XCTUnwrap(providers[resource.type], "no provider for \(resource.type) in the test")
            let entry = try XCTUnwrap(templateResources[resource.logicalId])
            let properties = try XCTUnwrap(resolve(entry["Properties"] ?? [:]) as? [String: Any])
            let responseURL = "\(moto.endpoint.absoluteString)/cloudformation_\(region)/cfnresponse?stack=\(stack.stackId)"
            let event: [String: Any] = [
                "RequestType": "Create", "ServiceToken": properties["ServiceToken"] ?? "", "ResponseURL": responseURL,
                "StackId": stack.stackId, "RequestId": UUID().uuidString, "LogicalResourceId": resource.logicalId,
                "ResourceType": resource.type, "ResourceProperties": properties,
            ]
            switch provider {
            case .runHandler:
                let token = try XCTUnwrap((entry["Properties"] as? [String: Any])?["ServiceToken"] as? [String: Any])
                let function = try XCTUnwrap((token["Fn::GetAtt"] as? [String])?.first)
                let functionProperties = try XCTUnwrap(templateResources[function]?["Properties"] as? [String: Any])
                let handler = try XCTUnwrap(functionProperties["Handler"] as? String, "\(function)'s Handler")
                let code = try XCTUnwrap(functionProperties["Code"] as? [String: Any], "\(function)'s Code")
                if let inline = code["ZipFile"] as? String {
                    try runHandler(moto, handler: handler, files: .inline(inline), event: event, region: region)
                } else {
                    // a zip asset: the archive of the assembly that deploy published (its S3Key)
                    let key = try XCTUnwrap(code["S3Key"] as? String, "\(function)'s code is inline or an asset")
                    let zip = template.deletingLastPathComponent().appendingPathComponent("asset.\(key)")
                    XCTAssertTrue(FileManager.default.fileExists(atPath: zip.path), "\(function)'s asset \(zip.path)")
                    try runHandler(moto, handler: handler, files: .zip(zip), event: event, region: region)
                }
            case .answer(let answer):
                let response = try await answer(CustomResourceRequest(event: event, properties: properties, inspect: inspect))
                var object: [String: Any] = [
                    "Status": response.status, "Reason": response.reason ?? "see log stream infra-tests",
                    "PhysicalResourceId": response.physicalResourceId, "StackId": stack.stackId,
                    "RequestId": event["RequestId"] ?? "", "LogicalResourceId": resource.logicalId,
                ]
                object["Data"] = response.data
                // an unsigned PUT, as to the pre-signed ResponseURL on AWS
                let sent = try await defaultHTTPTransport().send(HTTPRequest(
                    method: "PUT", url: try XCTUnwrap(URL(string: responseURL)), headers: ["Content-Type": ""],
                    body: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])), timeout: 10)
                XCTAssertEqual(sent.statusCode, 200, sent.bodyText)
            }
        }
    }

    /// A handler's code: a function's inline source (`index.py`), or its zip asset.
    enum HandlerFiles {
        case inline(String)
        case zip(URL)
    }

    /// Runs a custom resource's handler (the function's `Handler`, `module.function`, of its inline
    /// code or of its zip asset unpacked) with python3 and boto3, every service pointed at moto
    /// (AWS_ENDPOINT_URL) with the test's signing identity.
    func runHandler(_ moto: MotoServer, handler: String, files: HandlerFiles, event: [String: Any], region: String) throws {
        let dir = TempDir("infra-handler")
        let code = dir.url.appendingPathComponent("code")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        switch files {
        case .inline(let source):
            try source.write(to: code.appendingPathComponent("index.py"), atomically: true, encoding: .utf8)
        case .zip(let zip):
            let unzip = Process()
            unzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            unzip.arguments = ["python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
                               zip.path, code.path]
            try unzip.run()
            unzip.waitUntilExit()
            XCTAssertEqual(unzip.terminationStatus, 0, "unzip \(zip.path)")
        }
        let parts = handler.split(separator: ".")
        XCTAssertEqual(parts.count, 2, "Handler \(handler)")
        let module = String(parts.first ?? ""), function = String(parts.last ?? "")
        let eventFile = dir.url.appendingPathComponent("event.json")
        try JSONSerialization.data(withJSONObject: event).write(to: eventFile)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import importlib, json, sys, types
            sys.path.insert(0, sys.argv[1])
            handler = getattr(importlib.import_module(sys.argv[3]), sys.argv[4])
            handler(json.load(open(sys.argv[2])), types.SimpleNamespace(log_stream_name="infra-tests"))
            """, code.path, eventFile.path, module, function]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ENDPOINT_URL"] = moto.endpoint.absoluteString
        environment["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey
        environment["AWS_REGION"] = region
        environment["AWS_DEFAULT_REGION"] = region
        environment.removeValue(forKey: "AWS_SESSION_TOKEN")
        environment.removeValue(forKey: "AWS_PROFILE")
        p.environment = environment
        let errors = Pipe()
        p.standardError = errors
        try p.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "the handler: \(String(decoding: stderr, as: UTF8.self))")
    }
    /// Server: moto. `infra synth` in one folder, `infra deploy --assembly` of that folder from
    /// another working directory (a relative path): the change set holds exactly the assembly's
    /// resources (--no-execute: the change set is what this test is about).
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

import Foundation
@testable import InfraAWS
@testable import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraTestSupport
import XCTest

/// Preflight on moto_server with signature verification on (server: moto, one fresh state per
/// test): each finding is set up for real in moto (a zone without the domain, a pending or
/// foreign-region certificate, a bucket of another account, a taken Cognito prefix, retained
/// resources, missing images), `infra deploy` runs through the command type, and the test checks
/// the message (config file, key, fix), the exit code, and that no change set was created.
/// Stack states moto cannot produce (UPDATE_ROLLBACK_FAILED, DELETE_FAILED) use the scripted
/// CloudFormation stand-in, with everything else on moto; those tests say so.
final class PreflightTests: XCTestCase {
    override class func tearDown() {
        MotoServer.releaseShared()
        super.tearDown()
    }

    // MARK: Fixtures

    /// A fresh moto state (signature checks on).
    func freshMoto() async throws -> MotoServer {
        let moto = try await MotoServer.instance()
        try await moto.reset()
        return moto
    }

    func context(_ moto: MotoServer, _ console: TestConsole, transport: any HTTPTransport = defaultHTTPTransport(),
                 region: String = MotoServer.region) -> DeployContext {
        motoDeployContext(moto, console, region: region, transport: transport)
    }

    /// One stack of an assembly with the manifest keys of the h5/h6 contract.
    struct Entry {
        var name: String
        var template: String
        var configFile: String? = "config/preflight.json"
        var context: [(String, Value)] = []
        var exampleKeys: [String] = []
        var images: [AssemblyManifest.Image] = []
        var region: String?
        var terminationProtection = false
    }

    /// Writes `manifest.json` (the contract's `AssemblyManifest`, as `infra synth` writes it) and the templates.
    func assembly(_ entries: [Entry]) throws -> TempDir {
        let dir = TempDir("infra-preflight")
        var stacks: [AssemblyManifest.Stack] = []
        for e in entries {
            let file = "\(e.name).template.json"
            try dir.write(file, e.template)
            stacks.append(AssemblyManifest.Stack(
                id: e.name, stackName: e.name, template: file, region: e.region,
                terminationProtection: e.terminationProtection, configFile: e.configFile,
                context: Dictionary(uniqueKeysWithValues: e.context.map { ($0.0, JSONTree(literal: $0.1)!) }),
                exampleKeys: e.exampleKeys, images: e.images))
        }
        try dir.write(AssemblyManifest.fileName, JSONRenderer.render(encoding: AssemblyManifest(stacks: stacks, assets: [])))
        return dir
    }

    func deploy(_ moto: MotoServer, _ dir: TempDir, _ extra: [String] = [], console: TestConsole = TestConsole(),
                transport: RecordingTransport) async throws -> Int32 {
        try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never", "--progress", "events"] + extra)
            .execute(context(moto, console, transport: transport))
    }

    /// The stack as moto has it (nil when it does not exist).
    func stack(_ moto: MotoServer, _ name: String) async throws -> InfraAWS.Stack? {
        try await CloudFormationClient(client: moto.client()).describeStack(name)
    }

    func assertNothingCreated(_ moto: MotoServer, _ transport: RecordingTransport, _ name: String,
                              file: StaticString = #filePath, line: UInt = #line) async throws {
        XCTAssertEqual(transport.count("CreateChangeSet"), 0, "no change set: \(transport.requests)", file: file, line: line)
        XCTAssertEqual(transport.count("ExecuteChangeSet"), 0, file: file, line: line)
        let s = try await stack(moto, name)
        XCTAssertNil(s, "the stack must not exist", file: file, line: line)
    }

    // MARK: Example values

    /// Example values are refused before any AWS call, exit 2, naming the file, key and value.
    func testExampleValuesAreRefusedBeforeAnyAWSCall() async throws {
        let moto = try await MotoServer.instance()
        let dir = try assembly([Entry(
            name: "sign2text", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#),
            configFile: "config/sign2text.json",
            context: [("HOSTED_ZONE_ID", "Z0123456789EXAMPLE"), ("DOMAIN_NAME", "sign.example.com")],
            exampleKeys: ["HOSTED_ZONE_ID"])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 2, console)
        XCTAssertTrue(console.stderr.contains("config/sign2text.json: HOSTED_ZONE_ID is an example value "
            + "(Z0123456789EXAMPLE); set it to your hosted zone id"), console.all)
        XCTAssertEqual(transport.requests, [], "no AWS call at all")

        // diff against AWS refuses the same way
        let diffConsole = TestConsole()
        let diffCode = try await InfraCLI.Diff.parse(["--assembly", dir.path]).execute(context(moto, diffConsole, transport: transport))
        assertExit(diffCode, 2, diffConsole)
        XCTAssertTrue(diffConsole.stderr.contains("HOSTED_ZONE_ID is an example value"), diffConsole.all)
        XCTAssertEqual(transport.requests, [])
    }

    // MARK: Route 53

    func recordTemplate(zone: String, name: String) -> String {
        template(#""Record": {"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": "\#(zone)", "#
            + #""Name": "\#(name)", "Type": "A", "TTL": "300", "ResourceRecords": ["192.0.2.1"]}}"#)
    }

    func testHostedZoneThatDoesNotHoldTheDomain() async throws {
        let moto = try await freshMoto()
        let zone = try await Route53Client(client: moto.client()).createHostedZone(name: "example.org")
        let dir = try assembly([Entry(name: "zone-stack", template: recordTemplate(zone: zone, name: "app.example.com"),
                                      context: [("DOMAIN_NAME", "app.example.com"), ("HOSTED_ZONE_ID", .string(zone))])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        let err = console.stderr
        XCTAssertTrue(err.contains("config/preflight.json: HOSTED_ZONE_ID = \(zone): the hosted zone \(zone) holds "
            + "example.org., not app.example.com (config/preflight.json: DOMAIN_NAME)"), err)
        XCTAssertTrue(err.contains("set HOSTED_ZONE_ID to the zone of app.example.com, or DOMAIN_NAME to a name inside "
            + "example.org"), err)
        XCTAssertTrue(err.contains("nothing was created"), err)
        try await assertNothingCreated(moto, transport, "zone-stack")
    }

    func testHostedZoneThatDoesNotExist() async throws {
        let moto = try await freshMoto()
        let dir = try assembly([Entry(name: "zone-stack", template: recordTemplate(zone: "Z0NOSUCHZONE42", name: "a.example.com"),
                                      context: [("HOSTED_ZONE_ID", "Z0NOSUCHZONE42")])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: HOSTED_ZONE_ID = Z0NOSUCHZONE42: no hosted zone "
            + "Z0NOSUCHZONE42 in this account (Route 53 GetHostedZone: NoSuchHostedZone; used by Record)"), console.all)
        XCTAssertTrue(console.stderr.contains("set HOSTED_ZONE_ID to the id of the zone that holds a.example.com"), console.all)
        try await assertNothingCreated(moto, transport, "zone-stack")
    }

    /// A zone that holds the domain passes, and the stack deploys.
    func testHostedZoneThatHoldsTheDomainPasses() async throws {
        let moto = try await freshMoto()
        let zone = try await Route53Client(client: moto.client()).createHostedZone(name: "example.com")
        let dir = try assembly([Entry(name: "zone-stack", template: recordTemplate(zone: zone, name: "app.example.com"),
                                      context: [("HOSTED_ZONE_ID", .string(zone))])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("preflight: 1 stack checked, no problems"), console.all)
        let deployed = try await stack(moto, "zone-stack")
        XCTAssertEqual(deployed?.status, .createComplete)
    }

    // MARK: ACM

    func listenerTemplate(certificate: String) -> String {
        template(#""Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"#
            + #""LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1", "#
            + #""Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": "\#(certificate)"}], "#
            + #""DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}}"#)
    }

    func testCertificatePendingValidation() async throws {
        let moto = try await freshMoto()
        // moto keeps a requested certificate PENDING_VALIDATION for 60 s (ACM_VALIDATION_WAIT)
        let arn = try await ACMClient(client: moto.client()).requestCertificate(domainName: "app.example.com")
        let dir = try assembly([Entry(name: "cert-stack", template: listenerTemplate(certificate: arn),
                                      context: [("CERTIFICATE_ARN", .string(arn))])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: CERTIFICATE_ARN = \(arn): the certificate \(arn) "
            + "(app.example.com) is PENDING_VALIDATION, not ISSUED (used by Listener)"), console.all)
        XCTAssertTrue(console.stderr.contains("finish its validation (add the CNAME record ACM lists"), console.all)
        XCTAssertTrue(console.stderr.contains("set CERTIFICATE_ARN to an ISSUED certificate"), console.all)
        try await assertNothingCreated(moto, transport, "cert-stack")
    }

    /// A CloudFront distribution takes certificates from us-east-1 only; a listener from its own region.
    func testCertificateInTheWrongRegion() async throws {
        let moto = try await freshMoto()
        let foreign = try await ACMClient(client: moto.client().with(region: "eu-west-1"))
            .requestCertificate(domainName: "cdn.example.com")
        let distribution = template(#""Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"#
            + #""DistributionConfig": {"Enabled": true, "Aliases": ["cdn.example.com"], "#
            + #""ViewerCertificate": {"AcmCertificateArn": "\#(foreign)", "SslSupportMethod": "sni-only"}, "#
            + #""DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https"}, "#
            + #""Origins": [{"Id": "o", "DomainName": "example.com"}]}}}"#)
        let dir = try assembly([Entry(name: "cdn-stack", template: distribution,
                                      context: [("CDN_CERTIFICATE_ARN", .string(foreign))])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: CDN_CERTIFICATE_ARN = \(foreign): the certificate "
            + "\(foreign) is in eu-west-1, but Cdn needs one in us-east-1 (AWS::CloudFront::Distribution takes "
            + "certificates from us-east-1 only)"), console.all)
        XCTAssertTrue(console.stderr.contains("set CDN_CERTIFICATE_ARN to an ISSUED certificate in us-east-1"), console.all)
        try await assertNothingCreated(moto, transport, "cdn-stack")
    }

    // MARK: S3 bucket names

    /// A bucket name another account holds. moto 5 keeps accounts apart by access key: the bucket
    /// is created with credentials of account 111111111111 (STS AssumeRole into it). moto lets any
    /// account HEAD any bucket (MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS defaults to true) where AWS answers
    /// 403; preflight tells the two apart with ListBuckets of its own account, so the finding is the
    /// same. The 403 answer itself is handled the same way (see the message test below).
    func testBucketNameOwnedByAnotherAccount() async throws {
        let moto = try await freshMoto()
        let sts = STSClient(client: try moto.client())
        let other = try await sts.assumeRole(roleArn: "arn:aws:iam::111111111111:role/other-team", sessionName: "other")
        let otherClient = try moto.client(credentials: other.credentials)
        // moto's signature check does not know assumed-role keys: the other account's bucket is
        // created with checks briefly off (moto still picks the account from the access key)
        try await moto.motoAPI("reset-auth", body: "inf")
        do {
            let otherAccount = try await STSClient(client: otherClient).getCallerIdentity().account
            XCTAssertEqual(otherAccount, "111111111111")
            try await S3Client(client: otherClient).createBucket("coral-pipeline-images-raw")
        } catch {
            try await moto.motoAPI("reset-auth", body: "0")
            throw error
        }
        try await moto.motoAPI("reset-auth", body: "0")
        let own = try await S3Client(client: moto.client()).listBuckets()
        XCTAssertFalse(own.contains("coral-pipeline-images-raw"), "the bucket is not this account's: \(own)")

        let dir = try assembly([Entry(
            name: "bucket-stack",
            template: template(#""Raw": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "coral-pipeline-images-raw"}}"#),
            context: [("BUCKET_PREFIX", "coral-pipeline")])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: BUCKET_PREFIX (coral-pipeline) names "
            + "coral-pipeline-images-raw: the bucket coral-pipeline-images-raw (Raw) exists in another AWS account"),
                      console.all)
        XCTAssertTrue(console.stderr.contains("set BUCKET_PREFIX in config/preflight.json to a name no one uses"), console.all)
        try await assertNothingCreated(moto, transport, "bucket-stack")
    }

    /// AWS answers HeadBucket of a bucket another account owns with 403; moto (cross-account access
    /// allowed by default) answers 200. Server: moto, with that one answer replaced by AWS's 403 by
    /// a stand-in transport (it says so), to show the 403 path names the key and the fix.
    func testBucketNameForbidden() async throws {
        let moto = try await freshMoto()
        final class Forbid: HTTPTransport, @unchecked Sendable {
            let inner = RecordingTransport()
            func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
                if request.method == "HEAD", request.url.path.hasPrefix("/taken-bucket-name") {
                    return HTTPResponse(statusCode: 403, headers: ["x-amz-request-id": "stand-in"])
                }
                return try await inner.send(request, timeout: timeout)
            }
        }
        let transport = Forbid()
        let dir = try assembly([Entry(
            name: "bucket-stack",
            template: template(#""Raw": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "taken-bucket-name"}}"#),
            context: [("RAW_BUCKET_NAME", "taken-bucket-name")])])
        let console = TestConsole()
        let code = try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never"])
            .execute(context(moto, console, transport: transport))
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: RAW_BUCKET_NAME = taken-bucket-name: the bucket "
            + "name taken-bucket-name (Raw) belongs to another AWS account (S3 HeadBucket: 403 Forbidden)"), console.all)
        XCTAssertTrue(console.stderr.contains("set RAW_BUCKET_NAME in config/preflight.json to a name no one uses"), console.all)
        try await assertNothingCreated(moto, transport.inner, "bucket-stack")
    }

    // MARK: Cognito

    func testCognitoDomainPrefixTaken() async throws {
        let moto = try await freshMoto()
        let pool = try await CognitoIdentityProviderClient(client: moto.client())
            .createUserPoolWithDomain(poolName: "someone-else", domain: "labeling-login")
        let dir = try assembly([Entry(
            name: "auth-stack",
            template: template(#""Pool": {"Type": "AWS::Cognito::UserPool"}, "#
                + #""Domain": {"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"Domain": "labeling-login", "#
                + #""UserPoolId": {"Ref": "Pool"}}}"#),
            context: [("AUTH_DOMAIN_PREFIX", "labeling-login")])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("config/preflight.json: AUTH_DOMAIN_PREFIX = labeling-login: the Cognito "
            + "domain prefix labeling-login (Domain) is taken (user pool \(pool)"), console.all)
        XCTAssertTrue(console.stderr.contains("set AUTH_DOMAIN_PREFIX in config/preflight.json to another prefix"), console.all)
        try await assertNothingCreated(moto, transport, "auth-stack")
    }

    // MARK: Retained resources

    static let retainedTemplate = template(
        #""Uploads": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "#
        + #""Properties": {"BucketName": "data-label-uploads-123456789012"}}, "#
        + #""Repo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "#
        + #""Properties": {"RepositoryName": "data-label-app"}}, "#
        + #""Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "#
        + #""Properties": {"LogGroupName": "/data-label/app", "RetentionInDays": 30}}"#)

    func retainedResources(_ moto: MotoServer) async throws {
        let client = try moto.client()
        try await S3Client(client: client).createBucket("data-label-uploads-123456789012")
        try await ECRClient(client: client).createRepository(name: "data-label-app")
        struct LogGroup: Encodable { var logGroupName: String }
        struct Empty: Decodable {}
        let _: Empty = try await client.json(.cloudWatchLogs, "CreateLogGroup", LogGroup(logGroupName: "/data-label/app"))
    }

    /// Without a terminal and without --import-existing: stop, say what exists and how to adopt it.
    func testRetainedResourcesStopWithoutImportExisting() async throws {
        let moto = try await freshMoto()
        try await retainedResources(moto)
        let dir = try assembly([Entry(name: "data-label", template: Self.retainedTemplate,
                                      context: [("UPLOADS_BUCKET", "data-label-uploads-123456789012")])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 1, console)
        XCTAssertTrue(console.all.contains("3 resources with fixed names exist outside the stack (kept by an earlier "
            + "destroy?): AWS::S3::Bucket data-label-uploads-123456789012 (Uploads), AWS::ECR::Repository "
            + "data-label-app (Repo), AWS::Logs::LogGroup /data-label/app (Logs)"), console.all)
        XCTAssertTrue(console.stderr.contains("Deploy again with --import-existing to adopt them"), console.all)
        XCTAssertTrue(console.all.contains("aws s3 rb s3://data-label-uploads-123456789012 --force"), console.all)
        try await assertNothingCreated(moto, transport, "data-label")
    }

    /// On a terminal the deploy asks; yes: the change set imports them (ImportExistingResources=true).
    func testRetainedResourcesAdoptedOnATerminal() async throws {
        let moto = try await freshMoto()
        try await retainedResources(moto)
        let dir = try assembly([Entry(name: "data-label", template: Self.retainedTemplate)])
        let console = TestConsole(terminal: false, interactive: true, answers: [true])
        let transport = BodyRecordingTransport()
        let code = try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never", "--progress", "events"])
            .execute(context(moto, console, transport: transport))
        XCTAssertEqual(console.questions.count, 1, console.all)
        XCTAssertTrue(console.questions.first?.contains("Adopt data-label: data-label-uploads-123456789012, "
            + "data-label: data-label-app, data-label: /data-label/app into the stack") ?? false, "\(console.questions)")
        let changeSet = transport.bodies.first { $0.contains("Action=CreateChangeSet") }
        XCTAssertNotNil(changeSet, "a change set was created")
        XCTAssertTrue(changeSet?.contains("ImportExistingResources=true") ?? false, changeSet ?? "")
        // moto 5.2 ignores ImportExistingResources (AWS imports the named resources instead): its
        // ExecuteChangeSet creates the bucket again and fails. infra reports moto's own answer.
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("data-label: CloudFormation ExecuteChangeSet failed: BucketAlreadyExists"),
                      console.all)
    }

    /// --import-existing adopts without asking; a named resource without DeletionPolicy Retain
    /// cannot be imported and stops the deploy.
    func testImportExistingFlagAndUnimportableResource() async throws {
        let moto = try await freshMoto()
        try await retainedResources(moto)
        let transport = BodyRecordingTransport()
        let console = TestConsole()
        let dir = try assembly([Entry(name: "data-label", template: Self.retainedTemplate)])
        _ = try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never", "--import-existing"])
            .execute(context(moto, console, transport: transport))
        XCTAssertTrue(console.stdout.contains("adopting 3 existing resources (--import-existing"), console.all)
        XCTAssertTrue(transport.bodies.contains { $0.contains("Action=CreateChangeSet") && $0.contains("ImportExistingResources=true") })
        XCTAssertEqual(console.questions, [])

        let plain = try assembly([Entry(name: "other", template: template(
            #""Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "data-label-app"}}"#),
            context: [("REPOSITORY_NAME", "data-label-app")])])
        let console2 = TestConsole()
        let recording = RecordingTransport()
        let code = try await deploy(moto, plain, ["--import-existing"], console: console2, transport: recording)
        assertExit(code, 1, console2)
        XCTAssertTrue(console2.stderr.contains("config/preflight.json: REPOSITORY_NAME = data-label-app: "
            + "AWS::ECR::Repository data-label-app (Repo) already exists outside the stack, and its DeletionPolicy "
            + "Delete does not let CloudFormation adopt it"), console2.all)
        XCTAssertTrue(console2.stderr.contains("aws ecr delete-repository --repository-name data-label-app --force"), console2.all)
        try await assertNothingCreated(moto, recording, "other")
    }

    // MARK: Images

    static let gatedTemplate = """
        {
          "Parameters": {"AppImageReady": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}},
          "Conditions": {"AppImageReady": {"Fn::Equals": [{"Ref": "AppImageReady"}, "true"]}},
          "Resources": {
            "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "gate-app"}},
            "Cluster": {"Type": "AWS::ECS::Cluster"},
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "gate-app",
              "ContainerDefinitions": [{"Name": "app", "Memory": 512,
                "Image": {"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, ":v1"]]}}]}},
            "Service": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": {"Ref": "Cluster"},
              "TaskDefinition": {"Ref": "Task"}, "DesiredCount": {"Fn::If": ["AppImageReady", 1, 0]}}}
          }
        }
        """

    static var gatedImage: AssemblyManifest.Image {
        .init(contextKeys: ["IMAGE_TAG"], parameter: "AppImageReady", path: "gate/Service", repository: .logicalId("Repo"),
              tag: "v1")
    }

    static let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#

    func parameter(_ s: InfraAWS.Stack?, _ key: String) -> String? {
        s?.parameters.first { $0.key == key }?.value
    }

    /// Phase 1: the repository is created by the stack, the image is missing: deploy with the gate
    /// "false", print the push commands, exit 0. After a push (ECR PutImage through infra's client)
    /// the next deploy sets "true" and updates; an explicit --parameters value wins.
    func testImageGateTwoPhases() async throws {
        let moto = try await freshMoto()
        let dir = try assembly([Entry(name: "gate", template: Self.gatedTemplate,
                                      context: [("IMAGE_TAG", "v1")], images: [Self.gatedImage])])
        let console = TestConsole()
        let transport = RecordingTransport()
        var code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 0, console)
        var deployed = try await stack(moto, "gate")
        XCTAssertEqual(deployed?.status, .createComplete)
        XCTAssertEqual(parameter(deployed, "AppImageReady"), "false")
        let out = console.stdout
        XCTAssertTrue(out.contains("image gate: gate: AppImageReady=false"), out)
        XCTAssertTrue(out.contains("gate: phase 1 of 2 done"), out)
        XCTAssertTrue(out.contains("aws ecr get-login-password --region us-east-1 | docker login --username AWS "
            + "--password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com"), out)
        XCTAssertTrue(out.contains("docker build -t 123456789012.dkr.ecr.us-east-1.amazonaws.com/gate-app:v1 "), out)
        XCTAssertTrue(out.contains("docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/gate-app:v1"), out)
        XCTAssertTrue(out.contains("then run `infra deploy gate` again"), out)

        // deploying again without a push changes nothing and says the same
        console.clear()
        code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("gate: no changes"), console.all)
        XCTAssertTrue(console.stdout.contains("phase 1 of 2"), console.all)

        // the push, through the project's ECR client
        try await ECRClient(client: moto.client()).putImage(repositoryName: "gate-app", imageManifest: Self.manifest,
                                                            imageTag: "v1")
        console.clear()
        transport.reset()
        code = try await deploy(moto, dir, console: console, transport: transport)
        assertExit(code, 0, console)
        deployed = try await stack(moto, "gate")
        XCTAssertEqual(deployed?.status, .updateComplete, console.all)
        XCTAssertEqual(parameter(deployed, "AppImageReady"), "true")
        XCTAssertTrue(console.stdout.contains("image gate: gate: AppImageReady=true"), console.all)
        XCTAssertFalse(console.stdout.contains("phase 1 of 2"), console.all)
        XCTAssertEqual(transport.count("ExecuteChangeSet"), 1)

        let pushed = try await ECRClient(client: moto.client()).imageExists(repositoryName: "gate-app", tag: "v1")
        XCTAssertTrue(pushed)
    }

    /// An explicit --parameters value wins over the gate: preflight leaves the parameter alone.
    func testExplicitParameterWinsOverTheImageGate() async throws {
        let moto = try await freshMoto()
        let dir = try assembly([Entry(name: "gate", template: Self.gatedTemplate,
                                      context: [("IMAGE_TAG", "v1")], images: [Self.gatedImage])])
        let console = TestConsole()
        let transport = BodyRecordingTransport()
        let code = try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never",
                                           "--parameters", "gate:AppImageReady=true"])
            .execute(context(moto, console, transport: transport))
        assertExit(code, 0, console)
        XCTAssertFalse(console.stdout.contains("image gate:"), console.all)
        XCTAssertFalse(console.stdout.contains("phase 1 of 2"), console.all)
        let changeSet = try XCTUnwrap(transport.bodies.first { $0.contains("Action=CreateChangeSet") })
        XCTAssertTrue(changeSet.contains("Parameters.member.1.ParameterKey=AppImageReady&Parameters.member.1.ParameterValue=true"),
                      changeSet)
        let deployed = try await stack(moto, "gate")
        XCTAssertEqual(parameter(deployed, "AppImageReady"), "true")
    }

    /// After a destroy that kept the repository (DeletionPolicy Retain) with its image, the next
    /// deploy adopts the repository and opens the gate at once: no second phase.
    func testImageGateOpensForAnAdoptedRepositoryThatHoldsTheImage() async throws {
        let moto = try await freshMoto()
        let ecr = ECRClient(client: try moto.client())
        try await ecr.createRepository(name: "gate-app")
        try await ecr.putImage(repositoryName: "gate-app", imageManifest: Self.manifest, imageTag: "v1")
        let retained = Self.gatedTemplate.replacingOccurrences(
            of: #""Repo": {"Type": "AWS::ECR::Repository", "#,
            with: #""Repo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "#)
        XCTAssertNotEqual(retained, Self.gatedTemplate)
        let dir = try assembly([Entry(name: "gate", template: retained, context: [("IMAGE_TAG", "v1")],
                                      images: [Self.gatedImage])])
        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await deploy(moto, dir, ["--dry-run", "--import-existing"], console: console, transport: transport)
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("image gate: gate: AppImageReady=true"), console.all)
        XCTAssertTrue(console.stdout.contains("AWS::ECR::Repository gate-app (Repo)"), console.all)
        try await assertNothingCreated(moto, transport, "gate")
    }

    /// An image in an existing repository (not created by the stack) must be there: an error with the
    /// push commands, naming the keys; after the push the check passes.
    func testMissingImageInExistingRepository() async throws {
        let moto = try await freshMoto()
        try await ECRClient(client: moto.client()).createRepository(name: "ml-inference-model")
        let image = AssemblyManifest.Image(contextKeys: ["REPOSITORY_NAME", "IMAGE_TAG"], path: "ml/Inference",
                                           repository: .name("ml-inference-model"), tag: "v1")
        let dir = try assembly([Entry(name: "ml", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#),
                                      context: [("IMAGE_TAG", "v1"), ("REPOSITORY_NAME", "ml-inference-model")],
                                      images: [image])])
        let console = TestConsole()
        let transport = RecordingTransport()
        var code = try await deploy(moto, dir, ["--dry-run"], console: console, transport: transport)
        assertExit(code, 1, console)
        let err = console.stderr
        XCTAssertTrue(err.contains("config/preflight.json: REPOSITORY_NAME, IMAGE_TAG: the image ml-inference-model:v1 "
            + "used by ml/Inference is not in its repository (ECR DescribeImages: ImageNotFoundException)"), err)
        XCTAssertTrue(err.contains("docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-inference-model:v1"), err)
        XCTAssertTrue(err.contains("or set REPOSITORY_NAME / IMAGE_TAG in config/preflight.json to an image that exists"), err)
        try await assertNothingCreated(moto, transport, "ml")

        try await ECRClient(client: moto.client()).putImage(repositoryName: "ml-inference-model",
                                                            imageManifest: Self.manifest, imageTag: "v1")
        console.clear()
        code = try await deploy(moto, dir, ["--dry-run"], console: console, transport: transport)
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("preflight: 1 stack checked, no problems"), console.all)
        XCTAssertTrue(console.stdout.contains("dry run: nothing deployed"), console.all)
        try await assertNothingCreated(moto, transport, "ml")
    }

    // MARK: Stack state (scripted CloudFormation: moto cannot leave a stack in these states)

    /// Server: the scripted CloudFormation stand-in for CloudFormation (moto cannot produce
    /// UPDATE_ROLLBACK_FAILED or DELETE_FAILED), moto for STS.
    func testFailedStackStatesStopWithWhatToDo() async throws {
        let moto = try await MotoServer.instance()
        for (status, expected) in [
            ("UPDATE_ROLLBACK_FAILED", "aws cloudformation continue-update-rollback --stack-name broken"),
            ("DELETE_FAILED", "finish the delete: infra destroy broken"),
        ] {
            let cfn = ScriptedCloudFormation()
            cfn.addStack("broken", status: status, template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#),
                         reason: "The following resource(s) failed")
            let split = SplitTransport(cloudFormation: cfn, s3: S3Client(client: try moto.client()))
            let dir = try assembly([Entry(name: "broken", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#),
                                          region: MotoServer.region)])
            let console = TestConsole()
            let code = try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never"])
                .execute(context(moto, console, transport: split))
            assertExit(code, 1, console)
            XCTAssertTrue(console.stderr.contains("error: broken: the stack is in \(status)"), console.all)
            XCTAssertTrue(console.stderr.contains(expected), console.all)
            XCTAssertEqual(cfn.calls("CreateChangeSet").count, 0)
            XCTAssertEqual(cfn.calls("DeleteStack").count, 0)
        }
    }

    // MARK: Destroy

    static let protectedTemplate = """
        {
          "Parameters": {"Protect": {"Type": "String", "Default": "true"}},
          "Conditions": {"Protect": {"Fn::Equals": [{"Ref": "Protect"}, "true"]}},
          "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
              "Properties": {"TableName": "labels", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "DeletionProtectionEnabled": {"Fn::If": ["Protect", true, false]}}}
          }
        }
        """

    /// Deletion protection: destroy refuses before DeleteStack, with the exact commands and the key;
    /// with it off, it says up front what DeletionPolicy Retain keeps, then deletes.
    func testDestroyRefusesDeletionProtectionUpFront() async throws {
        let moto = try await freshMoto()
        let dir = try assembly([Entry(name: "labels", template: Self.protectedTemplate,
                                      configFile: "config/labeling-tool.json",
                                      context: [("DB_DELETION_PROTECTION", .bool(true)), ("STAGE", "prod")])])
        let deployConsole = TestConsole()
        assertExit(try await deploy(moto, dir, console: deployConsole, transport: RecordingTransport()), 0, deployConsole)

        let console = TestConsole()
        let transport = RecordingTransport()
        let code = try await Destroy.parse(["--assembly", dir.path, "--force"]).execute(context(moto, console, transport: transport))
        assertExit(code, 1, console)
        let err = console.stderr
        XCTAssertTrue(err.contains("labels has resources with deletion protection"), err)
        XCTAssertTrue(err.contains("Table (AWS::DynamoDB::Table) labels: DeletionProtectionEnabled is on"), err)
        XCTAssertTrue(err.contains("infra deploy labels -c DB_DELETION_PROTECTION=false\n    infra destroy labels"), err)
        XCTAssertTrue(err.contains("DB_DELETION_PROTECTION in config/labeling-tool.json"), err)
        XCTAssertTrue(err.contains("nothing was deleted"), err)
        XCTAssertEqual(transport.count("DeleteStack"), 0, "\(transport.requests)")
        let still = try await stack(moto, "labels")
        XCTAssertEqual(still?.status, .createComplete)

        // protection off (the parameter path of Fn::If): Retain said before the delete, then deleted
        let off = try assembly([Entry(name: "labels", template: Self.protectedTemplate.replacingOccurrences(
            of: #""Default": "true""#, with: #""Default": "false""#), configFile: "config/labeling-tool.json",
            context: [("DB_DELETION_PROTECTION", .bool(false))])])
        let c2 = TestConsole()
        assertExit(try await deploy(moto, off, ["--parameters", "labels:Protect=false"], console: c2,
                                    transport: RecordingTransport()), 0, c2)
        let c3 = TestConsole()
        let t3 = RecordingTransport()
        assertExit(try await Destroy.parse(["--assembly", off.path, "--force", "--progress", "events"])
            .execute(context(moto, c3, transport: t3)), 0, c3)
        let out = c3.stdout
        let notice = try XCTUnwrap(out.range(of: "labels: these resources are kept (DeletionPolicy Retain)"), out)
        let deleting = try XCTUnwrap(out.range(of: "labels: deleting"), out)
        XCTAssertLessThan(notice.lowerBound, deleting.lowerBound, "said before the delete")
        XCTAssertTrue(out.contains("a later `infra deploy labels` adopts those with fixed names"), out)
        XCTAssertEqual(t3.count("DeleteStack"), 1)

        // the table was kept: the next deploy's preflight finds it and offers to adopt it
        let again = TestConsole()
        let t4 = RecordingTransport()
        assertExit(try await deploy(moto, off, ["--dry-run"], console: again, transport: t4), 0, again)
        XCTAssertTrue(again.stdout.contains("exists: labels: 1 resource with fixed names exist outside the stack "
            + "(kept by an earlier destroy?): AWS::DynamoDB::Table labels (Table)"), again.all)
        XCTAssertTrue(again.stdout.contains("aws dynamodb delete-table --table-name labels"), again.all)
        XCTAssertEqual(t4.count("CreateChangeSet"), 0)
    }

    /// RDS and load balancer protection, each named with its own key. Server: the scripted
    /// CloudFormation stand-in (moto 5.2 has no model of AWS::RDS::DBCluster), moto for STS.
    func testDestroyNamesTheKeyOfEachProtectedResource() async throws {
        let moto = try await MotoServer.instance()
        let body = template(
            #""Database": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "Properties": {"#
            + #""Engine": "aurora-postgresql", "DeletionProtection": true}}, "#
            + #""Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"#
            + #""LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "true"}]}}"#)
        let cfn = ScriptedCloudFormation()
        let deployed = cfn.addStack("app", status: "UPDATE_COMPLETE", template: body)
        deployed.resources = [("Database", "AWS::RDS::DBCluster", "CREATE_COMPLETE", nil),
                              ("Balancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", "CREATE_COMPLETE", nil)]
        let split = SplitTransport(cloudFormation: cfn, s3: S3Client(client: try moto.client()))
        let dir = try assembly([Entry(name: "app", template: body, configFile: "config/app.json",
                                      context: [("ALB_DELETION_PROTECTION", .bool(true)),
                                                ("DB_DELETION_PROTECTION", .bool(true)),
                                                ("TERMINATION_PROTECTION", .bool(false))],
                                      region: MotoServer.region)])
        let console = TestConsole()
        let code = try await Destroy.parse(["--assembly", dir.path, "--force"]).execute(context(moto, console, transport: split))
        assertExit(code, 1, console)
        let err = console.stderr
        XCTAssertTrue(err.contains("Database (AWS::RDS::DBCluster) app-database: DeletionProtection is on"), err)
        XCTAssertTrue(err.contains("Balancer (AWS::ElasticLoadBalancingV2::LoadBalancer) app-balancer: "
            + "deletion_protection.enabled is on"), err)
        XCTAssertTrue(err.contains("infra deploy app -c DB_DELETION_PROTECTION=false -c ALB_DELETION_PROTECTION=false\n"
            + "    infra destroy app"), err)
        XCTAssertEqual(cfn.calls("DeleteStack").count, 0)
    }

    /// Termination protection on the stack: refused up front, no DeleteStack. Server: the scripted
    /// CloudFormation stand-in (moto 5.2 answers UpdateTerminationProtection with HTTP 500), moto for STS.
    func testDestroyRefusesTerminationProtectionUpFront() async throws {
        let moto = try await MotoServer.instance()
        let body = template(#""Q": {"Type": "AWS::SQS::Queue"}"#)
        let cfn = ScriptedCloudFormation()
        cfn.addStack("kept", status: "CREATE_COMPLETE", template: body).terminationProtection = true
        let split = SplitTransport(cloudFormation: cfn, s3: S3Client(client: try moto.client()))
        let dir = try assembly([Entry(name: "kept", template: body, region: MotoServer.region, terminationProtection: true)])
        let console = TestConsole()
        let code = try await Destroy.parse(["--assembly", dir.path, "--force"]).execute(context(moto, console, transport: split))
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("kept has termination protection"), console.all)
        XCTAssertTrue(console.stderr.contains("set \"terminationProtection\": false in config/preflight.json, then run\n"
            + "    infra deploy kept\n    infra destroy kept"), console.all)
        XCTAssertEqual(cfn.calls("DeleteStack").count, 0)
    }
}

/// Records request bodies (to see the parameters of a query call).
final class BodyRecordingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport = defaultHTTPTransport()
    private let lock = NSLock()
    private var seen: [String] = []
    var bodies: [String] { lock.withLock { seen } }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        lock.withLock { seen.append(String(decoding: request.body, as: UTF8.self)) }
        return try await inner.send(request, timeout: timeout)
    }
}

/// The pure parts of preflight: key mapping, the gate's parameter merge, conditions, names.
final class PreflightUnitTests: XCTestCase {
    func stack(context: [String: String]) -> AssemblyStack {
        AssemblyStack(id: "s", stackName: "s", templateFile: "s.template.json", templateBody: "{}",
                      configFile: "config/s.json", context: context)
    }

    func testKeyMapperNamesTheKeyThatHoldsTheValue() {
        let keys = KeyMapper(stack: stack(context: ["HOSTED_ZONE_ID": "Z1", "PREFIX": "coral", "OTHER": "Z1x",
                                                    "FLAG": "true"]))
        XCTAssertEqual(keys.keyName("Z1"), "HOSTED_ZONE_ID")
        XCTAssertEqual(keys.location(of: "Z1"), "config/s.json: HOSTED_ZONE_ID = Z1: ")
        XCTAssertEqual(keys.keyContaining("coral-images-raw"), "PREFIX")
        XCTAssertEqual(keys.location(of: "coral-images-raw"), "config/s.json: PREFIX (coral) names coral-images-raw: ")
        XCTAssertEqual(keys.location(of: "nothing-here"), "")
        XCTAssertNil(keys.keyContaining("true-story"), "booleans never name a resource")
    }

    func testImageGateMergesWithoutOverridingExplicitValues() {
        var report = PreflightReport(stackName: "s")
        report.imageParameters = ["AppImageReady": "false", "WorkerImageReady": "true"]
        let merged = ImageGate.apply([.usePrevious("AppImageReady"), StackParameter(key: "Other", value: "x")], report)
        XCTAssertEqual(merged, [StackParameter(key: "AppImageReady", value: "false"),
                                StackParameter(key: "Other", value: "x"),
                                StackParameter(key: "WorkerImageReady", value: "true")])
        XCTAssertEqual(ImageGate.apply([.usePrevious("X")], nil), [.usePrevious("X")])
    }

    func testConditionEvaluatorResolvesParametersAndFnIf() throws {
        let template = try TemplateDocument.parse("""
            {"Parameters": {"P": {"Type": "String", "Default": "yes"}},
             "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "yes"]}, "N": {"Fn::Not": [{"Condition": "C"}]}},
             "Resources": {}}
            """)
        let deflt = ConditionEvaluator(template: template, parameters: [:])
        XCTAssertEqual(deflt.condition("C"), true)
        XCTAssertEqual(deflt.condition("N"), false)
        XCTAssertTrue(deflt.isTrue(.object([("Fn::If", .array(["C", .bool(true), .bool(false)]))])))
        let deployed = ConditionEvaluator(template: template, parameters: ["P": "no"])
        XCTAssertFalse(deployed.isTrue(.object([("Fn::If", .array(["C", .bool(true), .bool(false)]))])))
        XCTAssertNil(deployed.condition("Missing"))
    }

    func testNamesAndRegions() {
        let zone = Route53Client.HostedZone(id: "Z1", name: "example.com.", isPrivate: false)
        XCTAssertTrue(zone.holds("example.com"))
        XCTAssertTrue(zone.holds("API.Example.com."))
        XCTAssertTrue(zone.holds("*.example.com"))
        XCTAssertFalse(zone.holds("badexample.com"))
        XCTAssertFalse(zone.holds("example.org"))
        XCTAssertEqual(ACMClient.region(ofArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc"), "eu-west-1")
        XCTAssertNil(ACMClient.region(ofArn: "arn:aws:s3:::bucket"))
        XCTAssertEqual(PushCommands.registry(account: "1", region: "cn-north-1"), "1.dkr.ecr.cn-north-1.amazonaws.com.cn")
    }

    func testExampleRefusalListsEveryKey() {
        var s = stack(context: ["HOSTED_ZONE_ID": "Z0123456789EXAMPLE", "CERTIFICATE_ARN": "arn:aws:acm:x"])
        s.exampleKeys = ["HOSTED_ZONE_ID", "CERTIFICATE_ARN"]
        XCTAssertThrowsError(try Preflight.refuseExamples([s])) { error in
            let e = error as? DeployError
            XCTAssertEqual(e?.exitCode, 2)
            XCTAssertEqual(e?.message, """
                config/s.json: CERTIFICATE_ARN is an example value (arn:aws:acm:x); set it to the ARN of an ISSUED ACM \
                certificate (aws acm list-certificates) in config/s.json (or pass -c CERTIFICATE_ARN=VALUE) before `infra deploy s`
                config/s.json: HOSTED_ZONE_ID is an example value (Z0123456789EXAMPLE); set it to your hosted zone id \
                (aws route53 list-hosted-zones) in config/s.json (or pass -c HOSTED_ZONE_ID=VALUE) before `infra deploy s`
                """)
        }
    }
}

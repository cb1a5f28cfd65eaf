import BuiltinStacks
import CoralPipeline
import Foundation
import InfraCLI
import InfraDSL
import XCTest

/// Golden templates of the coral pipeline (no Route 53, a new hosted zone, an existing zone
/// with HTTPS, the first deployment before the images exist) and the relationships and config
/// errors that matter.
final class CoralPipelineSnapshotTests: XCTestCase {
    static let newZone: [(String, String)] = [("HOSTED_ZONE_NAME", "coral.example.org"), ("RECORD_NAME", "app")]
    /// Every bucket and repository named by config (the literal-name paths).
    static let named: [(String, String)] = [("BUCKET_PREFIX", "coral-example"), ("ECR_FRONTEND_APP", "coral-frontend"),
                                            ("ECR_RESTORATION_LAMBDA", "coral-restoration"), ("ECR_REFRAMING_LAMBDA", "coral-reframing"),
                                            ("ECR_SEGMENTATION_LAMBDA", "coral-segmentation"), ("FRONTEND_IMAGE_TAG", "v1")]
    static let existingZone: [(String, String)] = [("HOSTED_ZONE_NAME", "coral.example.org"), ("HOSTED_ZONE_ID", "Z0123456789CORAL"),
                                                  ("RECORD_NAME", "app")]

    func testGoldenTemplates() throws {
        try Snapshot.check(config: "coral-pipeline.json")
        try Snapshot.check(config: "coral-pipeline.json", variant: "route53", overrides: Self.newZone)
        try Snapshot.check(config: "coral-pipeline.json", variant: "route53-https", overrides: Self.existingZone)
        try Snapshot.check(config: "coral-pipeline.json", variant: "named", overrides: Self.named)
    }

    func testBucketsArePrivateEncryptedAndNamedByKey() throws {
        let t = try CP.template([])
        // Generated names by default: nothing another account or an earlier destroy holds blocks a deploy.
        XCTAssertEqual(CP.all(t, "AWS::S3::Bucket").count, 8)
        XCTAssertTrue(CP.all(t, "AWS::S3::Bucket").allSatisfy { $0["BucketName"] == nil })
        XCTAssertTrue(CP.all(t, "AWS::ECR::Repository").allSatisfy { $0["RepositoryName"] == nil })
        let allNamed = try CP.template(Self.named)
        XCTAssertEqual(CP.all(allNamed, "AWS::S3::Bucket").compactMap { $0["BucketName"]?.stringLiteral }, [
            "coral-example-images-raw", "coral-example-images-treated", "coral-example-images-reframed",
            "coral-example-images-segmented", "coral-example-images-masks", "coral-example-model-reframing",
            "coral-example-model-segmentation",
        ])
        XCTAssertEqual(Set(CP.all(allNamed, "AWS::ECR::Repository").compactMap { $0["RepositoryName"]?.stringLiteral }),
                       ["coral-frontend", "coral-restoration", "coral-reframing", "coral-segmentation"])
        for b in CP.all(t, "AWS::S3::Bucket") {
            XCTAssertEqual(b["PublicAccessBlockConfiguration"], ["BlockPublicAcls": true, "BlockPublicPolicy": true,
                                                                "IgnorePublicAcls": true, "RestrictPublicBuckets": true])
            XCTAssertEqual(b["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?.cpArray?.first?["ServerSideEncryptionByDefault"],
                           ["SSEAlgorithm": "AES256"])
        }
        for p in CP.all(t, "AWS::S3::BucketPolicy") {
            let statements = p["PolicyDocument"]?["Statement"]?.cpArray ?? []
            XCTAssertTrue(statements.contains { $0["Effect"] == "Deny" && $0["Condition"] == ["Bool": ["aws:SecureTransport": "false"]] })
            XCTAssertFalse(statements.contains { $0["Effect"] == "Allow" && $0["Principal"] == ["AWS": "*"] })
        }
        // A prefix, and one explicit name.
        let named = try CP.template([("BUCKET_PREFIX", "reef-lab"), ("S3_MODEL_SEGMENTATION", "reef-models-seg")])
        let names = CP.all(named, "AWS::S3::Bucket").compactMap { $0["BucketName"]?.stringLiteral }
        XCTAssertEqual(names.first, "reef-lab-images-raw")
        XCTAssertEqual(names.last, "reef-models-seg")
    }

    func testEachWorkerIsTriggeredByThePreviousStage() throws {
        let t = try CP.template([])
        // Generated bucket names: the functions' environment names the buckets, so the
        // notifications go through the custom resource (no dependency cycle), one per bucket.
        let expected = ["ImagesRaw": "Restoration", "ImagesTreated": "Reframing", "ImagesReframed": "Segmentation"]
        let notifications = CP.resources(t).filter { $0.1["Type"] == "Custom::S3BucketNotifications" }
        XCTAssertEqual(notifications.count, 3)
        for (id, value) in notifications {
            let prefix = try XCTUnwrap(expected.keys.first { id.hasPrefix($0 + "Notifications") }, id)
            let worker = expected[prefix]!
            let bucket = try XCTUnwrap(CP.id(t, "AWS::S3::Bucket", prefix: prefix))
            let function = try XCTUnwrap(CP.id(t, "AWS::Lambda::Function", prefix: worker))
            let permission = try XCTUnwrap(CP.id(t, "AWS::Lambda::Permission", prefix: prefix + "AllowInvoke"))
            let p = value["Properties"]
            XCTAssertEqual(p?["BucketName"], ["Ref": .string(bucket)])
            // Only once the worker exists (its image gate), and after its permission.
            XCTAssertEqual(p?["NotificationConfiguration"]?["LambdaFunctionConfigurations"], [["Fn::If": [
                .string(worker + "ImageReady"),
                ["Events": ["s3:ObjectCreated:*"], "LambdaFunctionArn": ["Fn::GetAtt": [.string(function), "Arn"]]],
                ["Ref": "AWS::NoValue"]]]])
            XCTAssertEqual(p?["Permissions"], [["Fn::If": [.string(worker + "ImageReady"), ["Ref": .string(permission)], ["Ref": "AWS::NoValue"]]]])
            XCTAssertNil(value["DependsOn"])
            let pp = t["Resources"]?[permission]
            XCTAssertEqual(pp?["Condition"], .string(worker + "ImageReady"))
            XCTAssertEqual(pp?["Properties"]?["Principal"], "s3.amazonaws.com")
            XCTAssertEqual(pp?["Properties"]?["SourceAccount"], ["Ref": "AWS::AccountId"])
            XCTAssertEqual(pp?["Properties"]?["SourceArn"], ["Fn::GetAtt": [.string(bucket), "Arn"]])
        }
        // Container images from the stack's repositories, which let Lambda pull for that function only.
        for worker in ["Restoration", "Reframing", "Segmentation"] {
            let repo = try XCTUnwrap(CP.id(t, "AWS::ECR::Repository", prefix: worker + "Repository"))
            let function = try XCTUnwrap(t["Resources"]?[CP.id(t, "AWS::Lambda::Function", prefix: worker)!]?["Properties"])
            XCTAssertEqual(function["PackageType"], "Image")
            XCTAssertEqual(function["FunctionName"], .string("coral-pipeline-" + worker.lowercased()))
            XCTAssertEqual(function["Code"]?["ImageUri"], ["Fn::Join": ["", [["Fn::GetAtt": [.string(repo), "RepositoryUri"]], ":latest"]]])
            XCTAssertNil(function["VpcConfig"])
            let policy = t["Resources"]?[repo]?["Properties"]?["RepositoryPolicyText"]?["Statement"]?.cpArray
            XCTAssertEqual(policy?.count, 1)
            XCTAssertEqual(policy?.first?["Principal"], ["Service": "lambda.amazonaws.com"])
            XCTAssertEqual(policy?.first?["Action"], ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
            XCTAssertNotNil(policy?.first?["Condition"]?["StringLike"]?["aws:sourceArn"])
        }
    }

    func testTheWorkloadsHaveTheSeedRolePermissionsAndTheDatabaseNoNetworkPath() throws {
        let t = try CP.template([])
        let cluster = try XCTUnwrap(CP.id(t, "AWS::RDS::DBCluster", prefix: "Database"))
        let secret = try XCTUnwrap(CP.id(t, "AWS::SecretsManager::SecretTargetAttachment", prefix: "Database"))
        for role in ["RestorationServiceRole", "ReframingServiceRole", "SegmentationServiceRole", "FrontendTaskDefinitionTaskRole"] {
            let id = try XCTUnwrap(CP.id(t, "AWS::IAM::Role", prefix: role))
            let statements = t["Resources"]?[id]?["Properties"]?["Policies"]?.cpArray?.first?["PolicyDocument"]?["Statement"]?.cpArray ?? []
            let objectStatements = statements.filter { ($0["Action"]?.cpArray ?? []).contains("s3:PutObject") }
            XCTAssertEqual(objectStatements.count, 7, role)
            XCTAssertTrue(statements.contains {
                $0["Resource"] == ["Fn::GetAtt": [.string(cluster), "DBClusterArn"]] && ($0["Action"]?.cpArray ?? []).contains("rds-data:ExecuteStatement")
            }, role)
            XCTAssertTrue(statements.contains { $0["Resource"] == ["Ref": .string(secret)] }, role)
            XCTAssertTrue(statements.contains { ($0["Action"]?.cpArray ?? []).contains("ssm:GetParameter") }, role)
        }
        // The execution role only pulls the image and writes logs.
        let execution = try XCTUnwrap(CP.id(t, "AWS::IAM::Role", prefix: "FrontendTaskDefinitionExecutionRole"))
        let text = "\(t["Resources"]?[execution] ?? .null)"
        XCTAssertFalse(text.contains("s3:"))
        XCTAssertFalse(text.contains("rds-data"))
        // The Data API is on; the database's security group admits nothing and sends nothing.
        XCTAssertEqual(t["Resources"]?[cluster]?["Properties"]?["EnableHttpEndpoint"], true)
        let dbGroup = try XCTUnwrap(CP.id(t, "AWS::EC2::SecurityGroup", prefix: "DatabaseSecurityGroup"))
        XCTAssertFalse(CP.all(t, "AWS::EC2::SecurityGroupIngress").contains { $0["GroupId"] == ["Fn::GetAtt": [.string(dbGroup), "GroupId"]] })
        XCTAssertEqual(t["Resources"]?[dbGroup]?["Properties"]?["SecurityGroupEgress"]?.cpArray?.first?["CidrIp"], "255.255.255.255/32")
        XCTAssertTrue(CP.only(t, "AWS::RDS::DBSubnetGroup")["SubnetIds"]?.cpArray?.allSatisfy {
            $0["Ref"]?.stringLiteral?.hasPrefix("VpcIsolatedSubnet") == true
        } == true)
        XCTAssertEqual(CP.only(t, "AWS::RDS::DBCluster")["Engine"], "aurora-mysql")
        // The frontend is reachable only from its load balancer.
        let service = try XCTUnwrap(CP.id(t, "AWS::EC2::SecurityGroup", prefix: "FrontendServiceSecurityGroup"))
        let lb = try XCTUnwrap(CP.id(t, "AWS::EC2::SecurityGroup", prefix: "FrontendLoadBalancerSecurityGroup"))
        let intoService = CP.all(t, "AWS::EC2::SecurityGroupIngress").filter { $0["GroupId"] == ["Fn::GetAtt": [.string(service), "GroupId"]] }
        XCTAssertEqual(intoService.map { $0["SourceSecurityGroupId"] }, [["Fn::GetAtt": [.string(lb), "GroupId"]]])
        XCTAssertEqual(intoService.first?["FromPort"], 8501)
    }

    func testSchemaAndParameters() throws {
        let t = try CP.template([])
        let schema = try XCTUnwrap(CP.id(t, "Custom::CoralSchema", prefix: "Schema"))
        let props = t["Resources"]?[schema]?["Properties"]
        XCTAssertEqual(props?["DatabaseName"], "coral")
        XCTAssertTrue(props?["Statements"]?.cpArray?.first?.stringLiteral?.contains("CREATE TABLE IF NOT EXISTS coral_coverage(") == true)
        let instance = try XCTUnwrap(CP.id(t, "AWS::RDS::DBInstance", prefix: "Database"))
        XCTAssertTrue(t["Resources"]?[schema]?["DependsOn"]?.cpArray?.contains(.string(instance)) == true)
        let names = CP.all(t, "AWS::SSM::Parameter").compactMap { $0["Name"]?.stringLiteral }
        XCTAssertEqual(names, ["cluster-credentials", "db-cluster-arn", "db-name", "s3_images_raw", "s3_images_treated", "s3_images_reframed",
                               "s3_images_segmented", "s3_images_masks", "s3_model_reframing", "s3_model_segmentation"])
        let prefixed = try CP.template([("SSM_PARAMETER_PREFIX", "/coral/")])
        XCTAssertEqual(CP.all(prefixed, "AWS::SSM::Parameter").first?["Name"], "/coral/cluster-credentials")
        XCTAssertEqual(CP.all(try CP.template([("SSM_PARAMETER_PREFIX", "null")]), "AWS::SSM::Parameter").count, 0)
        // The three workers and the notifications handler.
        XCTAssertEqual(CP.all(try CP.template([("CREATE_SCHEMA", "false")]), "AWS::Lambda::Function").count, 4)
    }

    func testDnsVariants() throws {
        let plain = try CP.template([])
        XCTAssertEqual(CP.all(plain, "AWS::Route53::HostedZone").count, 0)
        XCTAssertEqual(CP.all(plain, "AWS::ElasticLoadBalancingV2::Listener").map { $0["Protocol"] }, ["HTTP"])
        // A new zone: the record, HTTP (a certificate could not be validated before delegation).
        let created = try CP.template(Self.newZone)
        XCTAssertEqual(CP.only(created, "AWS::Route53::HostedZone")["Name"], "coral.example.org")
        XCTAssertEqual(CP.only(created, "AWS::Route53::RecordSet")["Name"], "app.coral.example.org.")
        XCTAssertEqual(CP.all(created, "AWS::CertificateManager::Certificate").count, 0)
        XCTAssertNotNil(created["Outputs"]?["NameServers"])
        // An existing zone: the record and a DNS-validated certificate, HTTPS with a redirect.
        let existing = try CP.template(Self.existingZone)
        XCTAssertEqual(CP.all(existing, "AWS::Route53::HostedZone").count, 0)
        XCTAssertEqual(CP.only(existing, "AWS::Route53::RecordSet")["HostedZoneId"], "Z0123456789CORAL")
        XCTAssertEqual(CP.only(existing, "AWS::CertificateManager::Certificate")["DomainName"], "app.coral.example.org")
        XCTAssertEqual(Set(CP.all(existing, "AWS::ElasticLoadBalancingV2::Listener").compactMap { $0["Protocol"]?.stringLiteral }), ["HTTP", "HTTPS"])
        XCTAssertEqual(existing["Outputs"]?["FrontendUrl"]?["Value"], "https://app.coral.example.org")
    }

    /// The image gates: one parameter and condition per image, the workers and what references
    /// them exist only under their gate, the frontend runs no task until its image exists.
    func testImageGatesHoldBackTheWorkersAndTheFrontend() throws {
        let t = try CP.template([])
        let gates = ["FrontendImageReady", "ReframingImageReady", "RestorationImageReady", "SegmentationImageReady"]
        for g in gates {
            XCTAssertEqual(t["Parameters"]?[g], ["Type": "String", "Default": "false",
                                                 "Description": t["Parameters"]?[g]?["Description"] ?? "",
                                                 "AllowedValues": ["true", "false"]], g)
            XCTAssertEqual(t["Conditions"]?[g], ["Fn::Equals": [["Ref": .string(g)], "true"]], g)
        }
        XCTAssertEqual(CP.only(t, "AWS::ECS::Service")["DesiredCount"], ["Fn::If": ["FrontendImageReady", 1, 0]])
        guard case .object(let resources)? = t["Resources"] else { return XCTFail("no resources") }
        let workers = resources.filter { $0.1["Properties"]?["PackageType"] == "Image" }
        XCTAssertEqual(Set(workers.compactMap { $0.1["Condition"]?.stringLiteral }),
                       ["RestorationImageReady", "ReframingImageReady", "SegmentationImageReady"])
        let workerIds = Set(workers.map(\.0))
        // Everything that references a worker carries its condition, or references it inside Fn::If.
        for (id, r) in resources where !workerIds.contains(id) {
            let text = JSONRenderer.render(r, pretty: false)
            for w in workerIds where text.contains("\"\(w)\"") {
                let conditional = r["Condition"] != nil || text.contains("\"Fn::If\"")
                XCTAssertTrue(conditional, "\(id) references \(w) unconditionally")
            }
        }
        for w in ["Restoration", "Reframing", "Segmentation"] {
            XCTAssertEqual(t["Outputs"]?["\(w)FunctionName"]?["Condition"], .string("\(w)ImageReady"))
        }
        XCTAssertEqual(CP.all(t, "AWS::Lambda::Permission").count, 3)
        XCTAssertEqual(CP.all(t, "Custom::S3BucketNotifications").count, 3)
        // latest moves with every push: the repositories take it.
        XCTAssertTrue(CP.all(t, "AWS::ECR::Repository").allSatisfy { $0["ImageTagMutability"] == "MUTABLE" })
        let named = try CP.template(Self.named)
        XCTAssertEqual(CP.all(named, "AWS::ECR::Repository").filter { $0["ImageTagMutability"] == "IMMUTABLE" }.count, 1)
    }

    func testImagesPushedIsGoneWithAClearError() throws {
        XCTAssertThrowsError(try CP.template([("IMAGES_PUSHED", "false")])) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.key, "context.IMAGES_PUSHED")
            XCTAssertTrue(e.message.contains("now handles images by itself"), e.message)
        }
    }

    func testTypedSettingsDefaultsMatchTheConfigFile() throws {
        let config = try CP.config([])
        XCTAssertEqual(try CoralPipelineStack.Settings(config: config), CoralPipelineStack.Settings())
        let app = App()
        CoralPipelineStack.build(app, stackName: config.stackName, settings: .init(), region: config.region,
                                 description: config.description, tags: config.tags)
        let typed = try app.synthesize()
        let fromConfig = try Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all).buildApp([config]).synthesize()
        XCTAssertEqual(try typed.render(typed.stacks[0], format: .json), try fromConfig.render(fromConfig.stacks[0], format: .json))
    }

    func testBadConfigIsReportedWithFileAndKey() throws {
        let cases: [([(String, String)], String, String)] = [
            ([("BUCKET_PREFIX", "Coral_Pipeline")], "context.BUCKET_PREFIX", "is not a valid bucket name"),
            ([("S3_IMAGES_RAW", "coral-raw"), ("S3_IMAGES_MASKS", "coral-raw")], "context.S3_IMAGES_MASKS", "is also the name of S3_IMAGES_RAW"),
            ([("ECR_FRONTEND_APP", "coral-app"), ("ECR_REFRAMING_LAMBDA", "coral-app")], "context.ECR_REFRAMING_LAMBDA", "is also the repository of ECR_FRONTEND_APP"),
            ([("LAMBDA_IMAGE_SEGMENTATION", "seg mentation")], "context.LAMBDA_IMAGE_SEGMENTATION", "is not a function name"),
            ([("REFRAMING_MEMORY_MB", "20000")], "context.REFRAMING_MEMORY_MB", "must be 128-10240"),
            ([("RESTORATION_TIMEOUT_SECONDS", "1200")], "context.RESTORATION_TIMEOUT_SECONDS", "must be 1-900"),
            ([("DB_ENGINE_VERSION", "5.7.mysql_aurora.2.11.2")], "context.DB_ENGINE_VERSION", "Data API"),
            ([("DB_USER_NAME", "administrator_user")], "context.DB_USER_NAME", "at most 16"),
            ([("DB_MAX_CAPACITY", "0.5")], "context.DB_MAX_CAPACITY", "must be 1-256 ACUs"),
            ([("RECORD_NAME", "app")], "context.RECORD_NAME", "needs HOSTED_ZONE_NAME"),
            ([("HOSTED_ZONE_NAME", "coral.example.org"), ("HOSTED_ZONE_ID", "abc")], "context.HOSTED_ZONE_ID", "is not a hosted zone id"),
            ([("FRONTEND_MEMORY", "1024")], "context.FRONTEND_MEMORY", "Fargate does not offer 1024 MiB with 1024 CPU units"),
            ([("SSM_PARAMETER_PREFIX", "aws/")], "context.SSM_PARAMETER_PREFIX", "not starting with aws"),
            ([("FRONTEND_PORT", "\"8501\"x")], "context.FRONTEND_PORT", "must be an integer"),
            ([("S3_IMAGES_RAWW", "x")], "context.S3_IMAGES_RAWW", "unknown key"),
        ]
        for (overrides, key, fragment) in cases {
            XCTAssertThrowsError(try CP.template(overrides), "\(overrides)") { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.file, "config/coral-pipeline.json")
                XCTAssertEqual(e.key, key, "\(overrides): \(e)")
                XCTAssertTrue(e.message.contains(fragment), "\(overrides): \(e.message)")
            }
        }
    }
}

/// Helpers of these tests.
private enum CP {
    static func config(_ overrides: [(String, String)]) throws -> StackConfig {
        let url = Snapshot.root.appendingPathComponent("config/coral-pipeline.json")
        var config = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/coral-pipeline.json")
        config.applyOverrides(overrides)
        return config
    }

    static func template(_ overrides: [(String, String)]) throws -> Value {
        let project = Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        return try project.buildApp([config(overrides)]).synthesize().stacks[0].template
    }

    static func resources(_ t: Value) -> [(String, Value)] {
        guard case .object(let pairs)? = t["Resources"] else { return [] }
        return pairs
    }

    static func id(_ t: Value, _ type: String, prefix: String) -> String? {
        resources(t).first { $0.1["Type"] == .string(type) && $0.0.hasPrefix(prefix) }?.0
    }

    static func all(_ t: Value, _ type: String) -> [Value] {
        resources(t).filter { $0.1["Type"] == .string(type) }.map { $0.1["Properties"] ?? .object([]) }
    }

    static func only(_ t: Value, _ type: String, file: StaticString = #filePath, line: UInt = #line) -> Value {
        let found = all(t, type)
        XCTAssertEqual(found.count, 1, "expected one \(type)", file: file, line: line)
        return found.first ?? .object([])
    }
}

private extension Value {
    var cpArray: [Value]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

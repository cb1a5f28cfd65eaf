import BuiltinStacks
import Foundation
import InfraCLI
import InfraDSL
import LabelingTool
import XCTest

/// Golden templates of the labeling tool (new VPC / existing VPC, with and without a
/// certificate) and the security relationships and config errors that matter.
final class LabelingToolSnapshotTests: XCTestCase {
    static let certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    static let existingVpc: [(String, String)] = [
        ("VPC_ID", "vpc-0a1b2c3d4e5f60718"),
        ("PUBLIC_SUBNET_IDS", #"["subnet-0a000000000000001", "subnet-0a000000000000002"]"#),
        ("PRIVATE_SUBNET_IDS", #"["subnet-0b000000000000001", "subnet-0b000000000000002"]"#),
        ("ISOLATED_SUBNET_IDS", #"["subnet-0c000000000000001", "subnet-0c000000000000002"]"#),
    ]

    func testGoldenTemplates() throws {
        try Snapshot.check(config: "labeling-tool.json")
        try Snapshot.check(config: "labeling-tool.json", variant: "certificate", overrides: [("CERTIFICATE_ARN", Self.certificate)])
        try Snapshot.check(config: "labeling-tool.json", variant: "existing-vpc", overrides: Self.existingVpc)
        try Snapshot.check(config: "labeling-tool.json", variant: "existing-vpc-certificate",
                           overrides: Self.existingVpc + [("CERTIFICATE_ARN", Self.certificate)])
    }

    // MARK: - Security relationships

    func testOnlyTheServiceAndTheInitializerReachTheDatabase() throws {
        for overrides in [[], Self.existingVpc] {
            let t = try LT.template(overrides)
            let dbGroup = try XCTUnwrap(LT.id(t, "AWS::EC2::SecurityGroup", prefix: "DatabaseSecurityGroup"))
            let serviceGroup = try XCTUnwrap(LT.id(t, "AWS::EC2::SecurityGroup", prefix: "ServiceSecurityGroup"))
            let initGroup = try XCTUnwrap(LT.id(t, "AWS::EC2::SecurityGroup", prefix: "DatabaseInitializerSecurityGroup"))
            let intoDb = LT.ingress(t, into: dbGroup)
            XCTAssertEqual(intoDb.count, 2)
            XCTAssertEqual(Set(intoDb.compactMap { $0["SourceSecurityGroupId"]?["Fn::GetAtt"]?.ltFirst?.stringLiteral }),
                           [serviceGroup, initGroup])
            for rule in intoDb {
                XCTAssertEqual(rule["FromPort"], 5432)
                XCTAssertEqual(rule["ToPort"], 5432)
                XCTAssertEqual(rule["IpProtocol"], "tcp")
                XCTAssertNil(rule["CidrIp"])
            }
            // No egress from the database, no inline ingress.
            let db = LT.resource(t, dbGroup)["Properties"]
            XCTAssertNil(db?["SecurityGroupIngress"])
            XCTAssertEqual(db?["SecurityGroupEgress"]?.ltFirst?["CidrIp"], "255.255.255.255/32")
            // The cluster is in the isolated subnets and not public.
            let subnets = LT.only(t, "AWS::RDS::DBSubnetGroup")["SubnetIds"]
            if overrides.isEmpty {
                XCTAssertTrue(subnets?.ltArray?.allSatisfy { $0["Ref"]?.stringLiteral?.hasPrefix("VpcIsolatedSubnet") == true } == true)
            } else {
                XCTAssertEqual(subnets, ["subnet-0c000000000000001", "subnet-0c000000000000002"])
            }
            XCTAssertEqual(LT.only(t, "AWS::RDS::DBInstance")["PubliclyAccessible"], false)
            XCTAssertEqual(LT.only(t, "AWS::RDS::DBCluster")["StorageEncrypted"], true)
            // The service is reachable only from the load balancer, on the container port.
            let lbGroup = try XCTUnwrap(LT.id(t, "AWS::EC2::SecurityGroup", prefix: "ServiceLoadBalancerSecurityGroup"))
            let intoService = LT.ingress(t, into: serviceGroup)
            XCTAssertEqual(intoService.count, 1)
            XCTAssertEqual(intoService.first?["SourceSecurityGroupId"], ["Fn::GetAtt": [.string(lbGroup), "GroupId"]])
            XCTAssertEqual(intoService.first?["FromPort"], 8000)
            XCTAssertEqual(LT.ingress(t, into: initGroup).count, 0)
        }
    }

    func testCredentialsComeFromGeneratedSecretsThroughEcs() throws {
        let t = try LT.template([])
        let container = try XCTUnwrap(LT.only(t, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.ltFirst)
        let secrets = Dictionary(uniqueKeysWithValues: (container["Secrets"]?.ltArray ?? []).map { ($0["Name"]!.stringLiteral!, $0["ValueFrom"]!) })
        XCTAssertEqual(Set(secrets.keys), ["ADMIN_USERNAME", "ADMIN_PASSWORD", "ADMIN_EMAIL", "DB_USER", "DB_PASSWORD", "SECRET_KEY"])
        let admin = try XCTUnwrap(LT.id(t, "AWS::SecretsManager::Secret", prefix: "AdminCredentials"))
        XCTAssertEqual(secrets["ADMIN_PASSWORD"], ["Fn::Join": ["", [["Ref": .string(admin)], ":password::"]]])
        XCTAssertEqual(secrets["ADMIN_USERNAME"], ["Fn::Join": ["", [["Ref": .string(admin)], ":username::"]]])
        // The admin secret generates the password; user and e-mail come from the config.
        let generate = LT.resource(t, admin)["Properties"]?["GenerateSecretString"]
        XCTAssertEqual(generate?["GenerateStringKey"], "password")
        XCTAssertEqual(generate?["SecretStringTemplate"], #"{"email":"admin@example.com","username":"admin"}"#)
        // Nothing that looks like a credential in plain environment variables.
        let names = (container["Environment"]?.ltArray ?? []).compactMap { $0["Name"]?.stringLiteral }
        XCTAssertFalse(names.contains { $0.contains("PASSWORD") || $0.contains("SECRET") || $0 == "DATABASE_URL" })
        // Only the execution role reads the secrets; the task role has no permission.
        let taskRole = try XCTUnwrap(LT.id(t, "AWS::IAM::Role", prefix: "ServiceTaskDefinitionTaskRole"))
        XCTAssertNil(LT.resource(t, taskRole)["Properties"]?["Policies"])
    }

    func testTheServiceStartsAfterTheDatabaseIsInitialized() throws {
        let t = try LT.template([])
        let cr = try XCTUnwrap(LT.id(t, "Custom::DatabaseInit", prefix: "DatabaseInitialization"))
        let instance = try XCTUnwrap(LT.id(t, "AWS::RDS::DBInstance", prefix: "Database"))
        XCTAssertTrue(LT.resource(t, cr)["DependsOn"]?.ltArray?.contains(.string(instance)) == true)
        let service = try XCTUnwrap(LT.id(t, "AWS::ECS::Service", prefix: "Service"))
        XCTAssertTrue(LT.resource(t, service)["DependsOn"]?.ltArray?.contains(.string(cr)) == true)
        XCTAssertEqual(LT.resource(t, cr)["Properties"]?["DatabaseName"], "labelingdb")
        // The initializer runs in the private subnets.
        let function = LT.only(t, "AWS::Lambda::Function")
        XCTAssertTrue(function["VpcConfig"]?["SubnetIds"]?.ltArray?.allSatisfy {
            $0["Ref"]?.stringLiteral?.hasPrefix("VpcPrivateSubnet") == true
        } == true)
        XCTAssertEqual(function["Runtime"], "python3.13")
    }

    func testCertificateTurnsOnHttpsAndRedirect() throws {
        let plain = try LT.template([])
        XCTAssertEqual(LT.all(plain, "AWS::ElasticLoadBalancingV2::Listener").map { $0["Protocol"] }, ["HTTP"])
        let t = try LT.template([("CERTIFICATE_ARN", Self.certificate)])
        let listeners = LT.all(t, "AWS::ElasticLoadBalancingV2::Listener")
        let https = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTPS" })
        XCTAssertEqual(https["Port"], 443)
        XCTAssertEqual(https["Certificates"], [["CertificateArn": .string(Self.certificate)]])
        XCTAssertEqual(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
        let http = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTP" })
        XCTAssertEqual(http["DefaultActions"]?.ltFirst?["Type"], "redirect")
        let env = LT.only(t, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.ltFirst?["Environment"]?.ltArray ?? []
        XCTAssertTrue(env.contains(["Name": "SESSION_COOKIE_SECURE", "Value": "True"]))
    }

    func testAccessLogBucketIsPrivateAndTlsOnly() throws {
        let t = try LT.template([])
        let bucket = LT.only(t, "AWS::S3::Bucket")
        XCTAssertEqual(bucket["PublicAccessBlockConfiguration"], ["BlockPublicAcls": true, "BlockPublicPolicy": true,
                                                                  "IgnorePublicAcls": true, "RestrictPublicBuckets": true])
        let statements = LT.only(t, "AWS::S3::BucketPolicy")["PolicyDocument"]?["Statement"]?.ltArray ?? []
        XCTAssertTrue(statements.contains { $0["Effect"] == "Deny" && $0["Condition"] == ["Bool": ["aws:SecureTransport": "false"]] })
        // us-east-1: the Elastic Load Balancing account may put logs under alb/AWSLogs/<account>/.
        XCTAssertTrue(statements.contains { $0["Action"] == "s3:PutObject" && $0["Principal"]?["AWS"] != nil })
        XCTAssertEqual(LT.all(try LT.template([("ALB_ACCESS_LOGS", "false")]), "AWS::S3::Bucket").count, 0)
    }

    func testExistingVpcCreatesNoNetwork() throws {
        let t = try LT.template(Self.existingVpc)
        for type in ["AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::FlowLog"] {
            XCTAssertEqual(LT.all(t, type).count, 0, type)
        }
        XCTAssertEqual(LT.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")["Subnets"], ["subnet-0a000000000000001", "subnet-0a000000000000002"])
        XCTAssertEqual(LT.only(t, "AWS::ECS::Service")["NetworkConfiguration"]?["AwsvpcConfiguration"]?["Subnets"],
                       ["subnet-0b000000000000001", "subnet-0b000000000000002"])
        XCTAssertEqual(LT.only(t, "AWS::EC2::SecurityGroup", prefix: "DatabaseSecurityGroup")["VpcId"], "vpc-0a1b2c3d4e5f60718")
    }

    func testDatabaseSize() throws {
        let serverless = LT.only(try LT.template([("DB_SIZE", "16"), ("DB_MIN_CAPACITY", "1")]), "AWS::RDS::DBCluster")
        XCTAssertEqual(serverless["ServerlessV2ScalingConfiguration"], ["MaxCapacity": 16, "MinCapacity": 1])
        let t = try LT.template([("DB_SIZE", "db.r6g.large")])
        XCTAssertNil(LT.only(t, "AWS::RDS::DBCluster")["ServerlessV2ScalingConfiguration"])
        XCTAssertEqual(LT.all(t, "AWS::RDS::DBInstance").map { $0["DBInstanceClass"] }, ["db.r6g.large", "db.r6g.large"])
    }

    /// The typed entry point with default settings builds the committed config's template.
    func testTypedSettingsDefaultsMatchTheConfigFile() throws {
        let config = try LT.config([])
        XCTAssertEqual(try LabelingToolStack.Settings(config: config), LabelingToolStack.Settings())
        let app = App()
        LabelingToolStack.build(app, stackName: config.stackName, settings: .init(), region: config.region,
                                description: config.description, tags: config.tags)
        let typed = try app.synthesize()
        let fromConfig = try Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all).buildApp([config]).synthesize()
        XCTAssertEqual(try typed.render(typed.stacks[0], format: .json), try fromConfig.render(fromConfig.stacks[0], format: .json))
        // Invalid typed settings are reported at synthesis, by key.
        let bad = App()
        LabelingToolStack.build(bad, stackName: "lt", settings: .init(vpcId: "vpc-123", dbSize: .serverless(minCapacity: 0.5, maxCapacity: 500)))
        XCTAssertThrowsError(try bad.synthesize()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("PUBLIC_SUBNET_IDS: an existing VPC (VPC_ID) needs at least two subnets"), text)
            XCTAssertTrue(text.contains("DB_SIZE: 500 is more than 256 ACUs"), text)
        }
    }

    // MARK: - Config errors name the file and the key

    func testBadConfigIsReportedWithFileAndKey() throws {
        let cases: [([(String, String)], String, String)] = [
            ([("VPC_ID", "vpc-0a1b2c3d4e5f60718")], "context.PUBLIC_SUBNET_IDS", "needs at least two subnets"),
            ([("PUBLIC_SUBNET_IDS", #"["subnet-0a000000000000001"]"#)], "context.PUBLIC_SUBNET_IDS", "subnet ids need VPC_ID"),
            ([("VPC_ID", "my-vpc")] + Self.existingVpc.dropFirst(), "context.VPC_ID", "is not a VPC id"),
            ([("DB_SIZE", "500")], "context.DB_SIZE", "Aurora storage grows by itself"),
            ([("DB_SIZE", "large")], "context.DB_SIZE", "must be the maximum Aurora Serverless v2 capacity"),
            ([("DB_NAME", "labeling-db")], "context.DB_NAME", "is not a database name"),
            ([("DB_NAME", "5")], "context.DB_NAME", "must be a string"),
            ([("DB_USER_NAME", "rdsadmin")], "context.DB_USER_NAME", "not rdsadmin"),
            ([("CERTIFICATE_ARN", "not-an-arn")], "context.CERTIFICATE_ARN", "is not an ACM certificate ARN"),
            ([("TASK_MEMORY", "300")], "context.TASK_MEMORY", "Fargate does not offer 300 MiB with 512 CPU units"),
            ([("ADMIN_EMAIL", "nobody")], "context.ADMIN_EMAIL", "is not an e-mail address"),
            ([("DB_DELETION_PROTECTION", "maybe")], "context.DB_DELETION_PROTECTION", "must be true or false"),
            ([("DB_PASSWORD", "hunter2")], "context.DB_PASSWORD", "unknown key"),
        ]
        for (overrides, key, fragment) in cases {
            XCTAssertThrowsError(try LT.template(overrides), "\(overrides)") { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.file, "config/labeling-tool.json")
                XCTAssertEqual(e.key, key, "\(overrides): \(e)")
                XCTAssertTrue(e.message.contains(fragment), "\(overrides): \(e.message)")
            }
        }
    }

    /// The database initializer logs in with SCRAM-SHA-256 only (functions/labeling-tool/db-init):
    /// an engine whose default parameter group stores MD5 passwords is refused at synthesis.
    func testEngineVersionWithoutScramPasswordsIsRefused() throws {
        let app = App()
        LabelingToolStack.build(app, stackName: "lt", settings: .init(dbEngineVersion: "13.12"))
        XCTAssertThrowsError(try app.synthesize()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("lt/DatabaseInitializer: DB_ENGINE_VERSION: Aurora PostgreSQL 13.12 stores passwords as MD5"), text)
        }
        let ok = App()
        LabelingToolStack.build(ok, stackName: "lt", settings: .init(dbEngineVersion: "14.12"))
        XCTAssertNoThrow(try ok.synthesize())
    }
}

/// Helpers of these tests.
private enum LT {
    static func config(_ overrides: [(String, String)]) throws -> StackConfig {
        let url = Snapshot.root.appendingPathComponent("config/labeling-tool.json")
        var config = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/labeling-tool.json")
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

    static func resource(_ t: Value, _ id: String) -> Value { t["Resources"]?[id] ?? .null }

    static func id(_ t: Value, _ type: String, prefix: String) -> String? {
        resources(t).first { $0.1["Type"] == .string(type) && $0.0.hasPrefix(prefix) }?.0
    }

    static func all(_ t: Value, _ type: String) -> [Value] {
        resources(t).filter { $0.1["Type"] == .string(type) }.map { $0.1["Properties"] ?? .object([]) }
    }

    static func only(_ t: Value, _ type: String, prefix: String = "", file: StaticString = #filePath, line: UInt = #line) -> Value {
        let found = resources(t).filter { $0.1["Type"] == .string(type) && $0.0.hasPrefix(prefix) }
        XCTAssertEqual(found.count, 1, "expected one \(type)", file: file, line: line)
        return found.first?.1["Properties"] ?? .object([])
    }

    /// The ingress rules whose `GroupId` is `group`'s.
    static func ingress(_ t: Value, into group: String) -> [Value] {
        all(t, "AWS::EC2::SecurityGroupIngress").filter { $0["GroupId"] == ["Fn::GetAtt": [.string(group), "GroupId"]] }
    }
}

private extension Value {
    var ltArray: [Value]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var ltFirst: Value? { ltArray?.first }
}

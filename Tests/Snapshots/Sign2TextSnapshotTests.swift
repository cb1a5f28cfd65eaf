import BuiltinStacks
import Foundation
import InfraCLI
import InfraDSL
import Sign2Text
import XCTest

/// Golden templates of Sign2Text (created certificate in the hosted zone, existing
/// certificate, no Route 53) and the relationships and config errors that matter.
final class Sign2TextSnapshotTests: XCTestCase {
    static let certificate = "arn:aws:acm:eu-west-3:123456789012:certificate/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"
    static let noRoute53: [(String, String)] = [("HOSTED_ZONE_ID", "null"), ("HOSTED_ZONE_NAME", "null"), ("CERTIFICATE_ARN", certificate)]

    func testGoldenTemplates() throws {
        try Snapshot.check(config: "sign2text.json")
        try Snapshot.check(config: "sign2text.json", variant: "existing-certificate", overrides: [("CERTIFICATE_ARN", Self.certificate)])
        try Snapshot.check(config: "sign2text.json", variant: "no-route53", overrides: Self.noRoute53)
    }

    func testServiceIsReachableOnlyFromItsLoadBalancerAndPullsOnlyItsRepository() throws {
        let t = try S2T.template([])
        let serviceGroup = try XCTUnwrap(S2T.id(t, "AWS::EC2::SecurityGroup", prefix: "ApiServiceSecurityGroup"))
        let lbGroup = try XCTUnwrap(S2T.id(t, "AWS::EC2::SecurityGroup", prefix: "ApiLoadBalancerSecurityGroup"))
        let rules = S2T.all(t, "AWS::EC2::SecurityGroupIngress")
        let intoService = rules.filter { $0["GroupId"] == ["Fn::GetAtt": [.string(serviceGroup), "GroupId"]] }
        XCTAssertEqual(intoService.count, 1)
        XCTAssertEqual(intoService.first?["SourceSecurityGroupId"], ["Fn::GetAtt": [.string(lbGroup), "GroupId"]])
        XCTAssertEqual(intoService.first?["FromPort"], 8000)
        // The internet reaches only the load balancer, on 80 (redirect) and 443.
        let open = rules.filter { $0["CidrIp"] == "0.0.0.0/0" }
        XCTAssertEqual(Set(open.compactMap { $0["FromPort"].flatMap(S2T.int) }), [80, 443])
        XCTAssertTrue(open.allSatisfy { $0["GroupId"] == ["Fn::GetAtt": [.string(lbGroup), "GroupId"]] })
        XCTAssertEqual(S2T.only(t, "AWS::ECS::Service")["NetworkConfiguration"]?["AwsvpcConfiguration"]?["AssignPublicIp"], "DISABLED")
        // The image comes from the stack's repository, which the execution role may pull from.
        let repo = try XCTUnwrap(S2T.id(t, "AWS::ECR::Repository", prefix: "Repository"))
        let task = S2T.only(t, "AWS::ECS::TaskDefinition")
        XCTAssertEqual(task["ContainerDefinitions"]?.s2tArray?.first?["Image"],
                       ["Fn::Join": ["", [["Fn::GetAtt": [.string(repo), "RepositoryUri"]], ":latest"]]])
        let role = try XCTUnwrap(S2T.id(t, "AWS::IAM::Role", prefix: "ApiTaskDefinitionExecutionRole"))
        let statements = t["Resources"]?[role]?["Properties"]?["Policies"]?.s2tArray?.first?["PolicyDocument"]?["Statement"]?.s2tArray ?? []
        XCTAssertTrue(statements.contains { $0["Resource"] == ["Fn::GetAtt": [.string(repo), "Arn"]] })
        XCTAssertEqual(S2T.only(t, "AWS::ECR::Repository")["ImageTagMutability"], "MUTABLE")  // it runs latest
    }

    func testSizedForTheModel() throws {
        let t = try S2T.template([])
        let task = S2T.only(t, "AWS::ECS::TaskDefinition")
        XCTAssertEqual(task["Cpu"], "2048")
        XCTAssertEqual(task["Memory"], "6144")
        XCTAssertEqual(S2T.only(t, "AWS::ECS::Service")["HealthCheckGracePeriodSeconds"], 300)
        XCTAssertEqual(S2T.only(t, "AWS::ElasticLoadBalancingV2::TargetGroup")["HealthCheckPath"], "/docs")
        let attributes = S2T.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")["LoadBalancerAttributes"]?.s2tArray ?? []
        XCTAssertTrue(attributes.contains(["Key": "idle_timeout.timeout_seconds", "Value": "300"]))
    }

    func testCertificateAndRecordVariants() throws {
        // Created: validated in the zone, served on 443, 80 redirects, alias record.
        let created = try S2T.template([])
        let cert = S2T.only(created, "AWS::CertificateManager::Certificate")
        XCTAssertEqual(cert["DomainName"], "api.sign2text.com")
        XCTAssertEqual(cert["DomainValidationOptions"], [["DomainName": "api.sign2text.com", "HostedZoneId": "Z0123456789EXAMPLE"]])
        let certId = try XCTUnwrap(S2T.id(created, "AWS::CertificateManager::Certificate", prefix: "Api"))
        let listeners = S2T.all(created, "AWS::ElasticLoadBalancingV2::Listener")
        XCTAssertEqual(listeners.first { $0["Protocol"] == "HTTPS" }?["Certificates"], [["CertificateArn": ["Ref": .string(certId)]]])
        XCTAssertEqual(listeners.first { $0["Protocol"] == "HTTP" }?["DefaultActions"]?.s2tArray?.first?["Type"], "redirect")
        let record = S2T.only(created, "AWS::Route53::RecordSet")
        XCTAssertEqual(record["Name"], "api.sign2text.com.")
        XCTAssertEqual(record["Type"], "A")
        XCTAssertEqual(created["Outputs"]?["Url"]?["Value"], "https://api.sign2text.com")
        // An existing certificate: no certificate resource.
        let existing = try S2T.template([("CERTIFICATE_ARN", Self.certificate)])
        XCTAssertEqual(S2T.all(existing, "AWS::CertificateManager::Certificate").count, 0)
        XCTAssertEqual(S2T.all(existing, "AWS::ElasticLoadBalancingV2::Listener").first { $0["Protocol"] == "HTTPS" }?["Certificates"],
                       [["CertificateArn": .string(Self.certificate)]])
        XCTAssertEqual(S2T.all(existing, "AWS::Route53::RecordSet").count, 1)
        // No Route 53: no record, the existing certificate.
        let bare = try S2T.template(Self.noRoute53)
        XCTAssertEqual(S2T.all(bare, "AWS::Route53::RecordSet").count, 0)
        XCTAssertEqual(S2T.all(bare, "AWS::CertificateManager::Certificate").count, 0)
        XCTAssertEqual(S2T.all(bare, "AWS::ElasticLoadBalancingV2::Listener").count, 2)
    }

    func testTheServiceWaitsForItsImage() throws {
        let t = try S2T.template([])
        XCTAssertEqual(t["Conditions"]?["ApiImageReady"], ["Fn::Equals": [["Ref": "ApiImageReady"], "true"]])
        XCTAssertEqual(t["Parameters"]?["ApiImageReady"]?["Default"], "false")
        XCTAssertEqual(S2T.only(t, "AWS::ECS::Service")["DesiredCount"], ["Fn::If": ["ApiImageReady", 1, 0]])
        XCTAssertEqual(S2T.only(try S2T.template([("DESIRED_COUNT", "2")]), "AWS::ECS::Service")["DesiredCount"],
                       ["Fn::If": ["ApiImageReady", 2, 0]])
        // The repository's name is generated; latest needs mutable tags, a versioned tag keeps them immutable.
        XCTAssertNil(S2T.only(t, "AWS::ECR::Repository")["RepositoryName"])
        XCTAssertEqual(S2T.only(t, "AWS::ECR::Repository")["ImageTagMutability"], "MUTABLE")
        XCTAssertEqual(S2T.only(try S2T.template([("IMAGE_TAG", "v3")]), "AWS::ECR::Repository")["ImageTagMutability"], "IMMUTABLE")
        XCTAssertEqual(S2T.only(try S2T.template([("REPOSITORY_NAME", "sign2text")]), "AWS::ECR::Repository")["RepositoryName"], "sign2text")
    }

    /// The shipped zone is an example: synth uses it and says so, an override makes it real.
    func testTheShippedZoneIsAnExample() throws {
        let config = try S2T.config([])
        XCTAssertEqual(config.exampleKeys, ["HOSTED_ZONE_ID", "HOSTED_ZONE_NAME"])
        XCTAssertEqual(config.context["HOSTED_ZONE_ID"], "Z0123456789EXAMPLE")
        XCTAssertEqual(try S2T.config([("HOSTED_ZONE_ID", "Z111111111111")]).exampleKeys, ["HOSTED_ZONE_NAME"])
    }

    func testTypedSettingsMatchTheConfigFile() throws {
        let config = try S2T.config([])
        var settings = Sign2TextStack.Settings()
        settings.hostedZoneId = "Z0123456789EXAMPLE"
        XCTAssertEqual(try Sign2TextStack.Settings(config: config), settings)
        let app = App()
        Sign2TextStack.build(app, stackName: config.stackName, settings: settings, region: config.region,
                             description: config.description, tags: config.tags)
        let typed = try app.synthesize()
        let fromConfig = try Project(configDirectory: Snapshot.root.appendingPathComponent("config"), definitions: StackRegistry.all).buildApp([config]).synthesize()
        XCTAssertEqual(try typed.render(typed.stacks[0], format: .json), try fromConfig.render(fromConfig.stacks[0], format: .json))
        // The defaults name the seed's domain but no zone id: synthesis says which key is missing.
        let bare = App()
        Sign2TextStack.build(bare, stackName: "s2t", settings: .init())
        XCTAssertThrowsError(try bare.synthesize()) { error in
            XCTAssertTrue("\(error)".contains("HOSTED_ZONE_ID: is required with HOSTED_ZONE_NAME"), "\(error)")
        }
    }

    func testBadConfigIsReportedWithFileAndKey() throws {
        let cases: [([(String, String)], String, String)] = [
            ([("HOSTED_ZONE_ID", "null"), ("HOSTED_ZONE_NAME", "null")], "context.CERTIFICATE_ARN", "is required without a hosted zone"),
            ([("HOSTED_ZONE_ID", "null")], "context.HOSTED_ZONE_ID", "is required with HOSTED_ZONE_NAME"),
            ([("HOSTED_ZONE_ID", "z-lower")], "context.HOSTED_ZONE_ID", "is not a hosted zone id"),
            ([("SUBDOMAIN", "api_v1")], "context.SUBDOMAIN", "is not a DNS name"),
            ([("REPOSITORY_NAME", "Sign2Text")], "context.REPOSITORY_NAME", "is not an ECR repository name"),
            ([("IMAGE_TAG", "-bad")], "context.IMAGE_TAG", "is not an image tag"),
            ([("TASK_MEMORY", "3072")], "context.TASK_MEMORY", "Fargate does not offer 3072 MiB with 2048 CPU units"),
            ([("TASK_CPU", "3000")], "context.TASK_CPU", "is not a Fargate CPU size"),
            ([("HEALTH_CHECK_PATH", "docs")], "context.HEALTH_CHECK_PATH", "must be a path"),
            ([("IMAGES_PUSHED", "yes")], "context.IMAGES_PUSHED", "now handles images by itself"),
            ([("CERTIFICATE_ARN", "arn:aws:iam::123456789012:server-certificate/x")], "context.CERTIFICATE_ARN", "is not an ACM certificate ARN"),
            ([("DOMAIN", "x")], "context.DOMAIN", "unknown key"),
        ]
        for (overrides, key, fragment) in cases {
            XCTAssertThrowsError(try S2T.template(overrides), "\(overrides)") { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.file, "config/sign2text.json")
                XCTAssertEqual(e.key, key, "\(overrides): \(e)")
                XCTAssertTrue(e.message.contains(fragment), "\(overrides): \(e.message)")
            }
        }
    }
}

/// Helpers of these tests.
private enum S2T {
    static func config(_ overrides: [(String, String)]) throws -> StackConfig {
        let url = Snapshot.root.appendingPathComponent("config/sign2text.json")
        var config = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/sign2text.json")
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

    static func int(_ v: Value) -> Int? {
        if case .int(let i) = v { return i }
        return nil
    }
}

private extension Value {
    var s2tArray: [Value]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

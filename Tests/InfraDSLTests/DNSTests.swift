import Foundation
import InfraDSL
import XCTest

final class DNSTests: XCTestCase {
    /// Writes templates using every network, container, load balancing and DNS construct to
    /// /tmp/net-demo, for `cfn-lint /tmp/net-demo/*.json` and `checkov`.
    func testWriteDemoTemplates() throws {
        let dockerDir = FileManager.default.temporaryDirectory.appendingPathComponent("net-demo-image").path
        try FileManager.default.createDirectory(atPath: dockerDir, withIntermediateDirectories: true)
        try "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"http.server\", \"8000\"]\n"
            .write(toFile: dockerDir + "/Dockerfile", atomically: true, encoding: .utf8)

        let app = App()

        // sign2text: new VPC, image from a Dockerfile, HTTPS with a DNS name.
        let api = Stack(app, "sign2text")
        let vpc = Vpc(api, "Vpc", subnetConfiguration: [.public(), .privateWithEgress()], gatewayEndpoints: [.s3])
        let zone = HostedZone(api, "Zone", zoneName: "sign2text.com")
        let cluster = Cluster(api, "Cluster", vpc: vpc)
        let web = ApplicationLoadBalancedFargateService(
            api, "Api", cluster: cluster, image: .fromAsset(directory: dockerDir), containerPort: 8000, cpu: 1024, memory: .mebibytes(6144),
            healthCheckPath: "/docs", certificate: .create, domainName: "api", hostedZone: zone, idleTimeout: .seconds(300))
        _ = Output(api, "Url", value: web.url)

        // Labeling tool: existing VPC, existing certificate, a secret.
        let labeling = Stack(app, "doccano")
        let existing = Vpc.imported(labeling, "Vpc", vpcId: "vpc-0123456789abcdef0",
                                    publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
                                    privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
                                    isolatedSubnetIds: ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"])
        let labelingCluster = Cluster(labeling, "Cluster", vpc: existing)
        let cert = Certificate.imported(labeling, "Cert", arn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666")
        let doccano = ApplicationLoadBalancedFargateService(
            labeling, "Doccano", cluster: labelingCluster, image: .fromRegistry("doccano/doccano:1.8.4"), containerPort: 8000,
            cpu: 512, memory: .mebibytes(1024),
            environment: ["DATABASE_HOST": "db.example.internal"],
            secrets: ["DATABASE_PASSWORD": .secretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", field: "password")],
            certificate: .certificate(cert))
        doccano.container?.healthCheck = .shell("curl -f http://localhost:8000/ || exit 1", startPeriod: .seconds(60))

        // Coral pipeline: repositories, an EC2-backed cluster, an internal service, plain HTTP.
        let coral = Stack(app, "coral")
        let coralVpc = Vpc(coral, "Vpc", maxAzs: 2, natGateways: 2)
        let repo = Repository(coral, "Frontend", tagMutability: .mutable, maxImageCount: 10)
        _ = Repository.imported(coral, "Workers", name: "coral-workers")
        let ec2Cluster = Cluster(coral, "Cluster", vpc: coralVpc, ec2Capacity: Ec2CapacityOptions(instanceType: "t3.large"))
        let frontend = ApplicationLoadBalancedFargateService(
            coral, "Frontend2", cluster: ec2Cluster, image: .fromRepository(repo, tag: "v1"), containerPort: 8501,
            healthCheckPath: "/_stcore/health")
        _ = Output(coral, "FrontendUrl", value: frontend.url)
        let task = TaskDefinition(coral, "WorkerTask", compatibility: .ec2, memory: .mebibytes(1024), networkMode: .awsvpc)
        task.addContainer("worker", image: .fromRegistry("public.ecr.aws/docker/library/busybox:1.36"), memoryLimit: .mebibytes(512),
                          command: ["sleep", "3600"])
        let worker = Ec2Service(coral, "Worker", cluster: ec2Cluster, taskDefinition: task)
        let internalLb = ApplicationLoadBalancer(coral, "InternalLb", vpc: coralVpc, internetFacing: false)
        let otherTask = TaskDefinition(coral, "ApiTask")
        otherTask.addContainer("api", image: .fromRegistry("nginx:1.27"), portMappings: [PortMapping(containerPort: 80)])
        let apiService = FargateService(coral, "ApiService", cluster: ec2Cluster, taskDefinition: otherTask, desiredCount: 2)
        let group = ApplicationTargetGroup(coral, "ApiTargets", vpc: coralVpc, port: 80)
        let listener = internalLb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404), open: false)
        listener.addRule("Api", priority: 10, pathPatterns: ["/api/*"], action: .forward(group))
        internalLb.connections.allow(from: worker, port: .tcp(80))
        apiService.attachToTargetGroup(group)
        let bridgeTask = TaskDefinition(coral, "BridgeTask", compatibility: .ec2, networkMode: .bridge)
        bridgeTask.addContainer("legacy", image: .fromRegistry("nginx:1.27"), portMappings: [PortMapping(containerPort: 80)],
                                memoryLimit: .mebibytes(256), healthCheck: .shell("curl -f http://localhost/ || exit 1"))
        let bridgeService = Ec2Service(coral, "Legacy", cluster: ec2Cluster, taskDefinition: bridgeTask, desiredCount: 2)
        let legacyGroup = ApplicationTargetGroup(coral, "LegacyTargets", vpc: coralVpc, targetType: .instance,
                                                 healthCheck: TargetGroupHealthCheck(path: "/ping"), stickinessCookieDuration: .seconds(600))
        listener.addRule("Both", priority: 20, hostHeaders: ["legacy.coral.example.org"], action: .forward([group, legacyGroup]))
        bridgeService.attachToTargetGroup(legacyGroup)
        let coralZone = HostedZone.imported(coral, "Zone", hostedZoneId: "Z0123456789ABCDEFGHIJ", zoneName: "coral.example.org")
        _ = ARecord(coral, "Alias", zone: coralZone, recordName: "app", target: .alias(frontend.loadBalancer))
        _ = ARecord(coral, "Static", zone: coralZone, recordName: "static.coral.example.org", target: .ipAddresses(["192.0.2.10"]))
        _ = AaaaRecord(coral, "Static6", zone: coralZone, recordName: "static", target: .ipAddresses(["2001:db8::10"]))

        let assembly = try app.synthesize()
        let dir = "/tmp/net-demo"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for s in assembly.stacks {
            try JSONRenderer.render(s.template).write(toFile: "\(dir)/\(s.stackName).json", atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(assembly.stacks.count, 3)
        XCTAssertEqual(assembly.assets.count, 1)
        XCTAssertEqual(assembly.stacks[0].assets, assembly.assets.map(\.id))
    }

    func testNewHostedZone() throws {
        let app = App()
        let zone = HostedZone(Stack(app, "S"), "Zone", zoneName: "Sign2Text.com.")
        XCTAssertEqual(zone.zoneName, "sign2text.com")
        XCTAssertEqual(zone.qualify(nil), "sign2text.com")
        XCTAssertEqual(zone.qualify("api"), "api.sign2text.com")
        XCTAssertEqual(zone.qualify("api.sign2text.com."), "api.sign2text.com")
        let t = try NetT.template(app)
        let id = try XCTUnwrap(NetT.logicalId(t, "AWS::Route53::HostedZone"))
        XCTAssertEqual(NetT.only(t, "AWS::Route53::HostedZone"), ["HostedZoneConfig": ["Comment": "Hosted zone S/Zone"], "Name": "sign2text.com"])
        XCTAssertEqual(zone.hostedZoneId.token, .ref(zone.resource))
        XCTAssertEqual(zone.nameServers.token, .getAtt(zone.resource, "NameServers"))
        XCTAssertEqual(id, zone.resource.logicalId)
    }

    func testExistingHostedZoneCreatesNothing() throws {
        let app = App()
        let stack = Stack(app, "S")
        let zone = HostedZone.imported(stack, "Zone", hostedZoneId: "Z0123456789ABC", zoneName: "example.org")
        _ = ARecord(stack, "Www", zone: zone, recordName: "www", target: .ipAddresses(["192.0.2.1", "192.0.2.2"]), ttl: .seconds(60))
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.resources(t, "AWS::Route53::HostedZone").count, 0)
        XCTAssertEqual(NetT.only(t, "AWS::Route53::RecordSet"), [
            "HostedZoneId": "Z0123456789ABC", "Name": "www.example.org.", "ResourceRecords": ["192.0.2.1", "192.0.2.2"],
            "TTL": "60", "Type": "A",
        ])
    }

    func testHostedZoneValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = HostedZone(stack, "Bad", zoneName: "exa mple.com")
        _ = HostedZone(stack, "Tld", zoneName: "com")
        _ = HostedZone.imported(stack, "Imported", hostedZoneId: "not-an-id", zoneName: "example.com")
        NetT.assertError(app, "S/Bad: 'exa mple.com' is not a valid domain name")
        NetT.assertError(app, "S/Tld: 'com' is a top-level domain")
        NetT.assertError(app, "S/Imported: 'not-an-id' is not a hosted zone id")
    }

    func testCertificateValidatedInZone() throws {
        let app = App()
        let stack = Stack(app, "S")
        let zone = HostedZone(stack, "Zone", zoneName: "example.com")
        let cert = Certificate(stack, "Cert", domainName: "example.com", subjectAlternativeNames: ["*.example.com"], hostedZone: zone)
        let t = try NetT.template(app)
        let zoneId = zone.resource.logicalId
        let c = NetT.only(t, "AWS::CertificateManager::Certificate")
        XCTAssertEqual(c["DomainName"], "example.com")
        XCTAssertEqual(c["SubjectAlternativeNames"], ["*.example.com"])
        XCTAssertEqual(c["ValidationMethod"], "DNS")
        XCTAssertEqual(c["CertificateTransparencyLoggingPreference"], "ENABLED")
        XCTAssertEqual(c["DomainValidationOptions"], [["DomainName": "example.com", "HostedZoneId": NetT.ref(zoneId)],
                                                      ["DomainName": "*.example.com", "HostedZoneId": NetT.ref(zoneId)]])
        XCTAssertEqual(cert.certificateArn.token, .ref(cert.resource))
    }

    func testCertificateWithoutZoneHasNoValidationOptions() throws {
        let app = App()
        _ = Certificate(Stack(app, "S"), "Cert", domainName: "app.example.com")
        let t = try NetT.template(app)
        XCTAssertNil(NetT.only(t, "AWS::CertificateManager::Certificate")["DomainValidationOptions"])
    }

    func testExistingCertificate() throws {
        let app = App()
        let stack = Stack(app, "S")
        let arn: StringValue = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"
        let cert = Certificate.imported(stack, "Cert", arn: arn)
        XCTAssertEqual(cert.certificateArn, arn)
        _ = Certificate.imported(stack, "Bad", arn: "arn:aws:iam::123456789012:server-certificate/x")
        NetT.assertError(app, "S/Bad: 'arn:aws:iam::123456789012:server-certificate/x' is not an ACM certificate ARN")
        XCTAssertFalse(NetT.errors(app).contains { $0.hasPrefix("S/Cert") })
    }

    func testCertificateNamesOutsideTheZoneAreReported() {
        let app = App()
        let stack = Stack(app, "S")
        let zone = HostedZone(stack, "Zone", zoneName: "example.com")
        _ = Certificate(stack, "Cert", domainName: "api.example.org", subjectAlternativeNames: ["api.example.org", "bad_name!.example.com"],
                        hostedZone: zone)
        NetT.assertError(app, "S/Cert: 'api.example.org' is not in the hosted zone 'example.com'")
        NetT.assertError(app, "S/Cert: the certificate lists a domain name twice")
        NetT.assertError(app, "S/Cert: 'bad_name!.example.com' is not a valid domain name for a certificate")
    }

    func testAliasRecordsToALoadBalancer() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
        lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 200))
        let zone = HostedZone(stack, "Zone", zoneName: "example.com")
        let apex = ARecord(stack, "Apex", zone: zone, target: .alias(lb, evaluateTargetHealth: true))
        let v6 = AaaaRecord(stack, "Apex6", zone: zone, target: .alias(lb))
        XCTAssertEqual(apex.domainName, "example.com")
        XCTAssertEqual(v6.domainName, "example.com")
        let t = try NetT.template(app)
        let lbId = try XCTUnwrap(lb.resource.logicalId as String?)
        let records = NetT.properties(t, "AWS::Route53::RecordSet")
        XCTAssertEqual(records.compactMap { $0["Type"] }, ["A", "AAAA"])
        XCTAssertEqual(records[0]["Name"], "example.com.")
        XCTAssertEqual(records[0]["AliasTarget"], ["DNSName": NetT.getAtt(lbId, "DNSName"), "EvaluateTargetHealth": true,
                                                   "HostedZoneId": NetT.getAtt(lbId, "CanonicalHostedZoneID")])
        XCTAssertNil(records[0]["TTL"])
        XCTAssertNil(records[0]["ResourceRecords"])
    }

    func testRecordValidation() {
        let app = App()
        let stack = Stack(app, "S")
        let zone = HostedZone(stack, "Zone", zoneName: "example.com")
        _ = ARecord(stack, "V4", zone: zone, recordName: "a", target: .ipAddresses(["2001:db8::1", "10.0.0.256"]))
        _ = ARecord(stack, "Empty", zone: zone, recordName: "b", target: .ipAddresses([]))
        _ = AaaaRecord(stack, "V6", zone: zone, recordName: "c", target: .ipAddresses(["192.0.2.1"]))
        _ = ARecord(stack, "Name", zone: zone, recordName: "-bad-", target: .ipAddresses(["192.0.2.1"]))
        NetT.assertError(app, "S/V4: '2001:db8::1' is not an IPv4 address")
        NetT.assertError(app, "S/V4: '10.0.0.256' is not an IPv4 address")
        NetT.assertError(app, "S/Empty: an A record needs at least one address")
        NetT.assertError(app, "S/V6/Resource: '192.0.2.1' is not an IPv6 address")
        NetT.assertError(app, "S/Name: '-bad-.example.com' is not a valid record name")
    }
}

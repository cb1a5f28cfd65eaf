import Foundation
@testable import InfraAWS
import InfraCore
import XCTest

/// Small typed calls the tests use to inspect what a deploy created (services InfraAWS has no
/// client for), through infra's own signed client, plus the few calls that stand for what an
/// operator does outside infra (an existing certificate and hosted zone, `docker push`).
struct Inspect {
    let client: AWSClient

    /// The same calls in another region.
    func region(_ region: String) -> Inspect {
        Inspect(client: client.with(region: region))
    }

    static let sqs = AWSService("SQS", signing: "sqs", .query(version: "2012-11-05"))
    static let ec2 = AWSService("EC2", signing: "ec2", .query(version: "2016-11-15"))
    static let lambda = AWSService.lambda
    static let elbv2 = AWSService("ElasticLoadBalancingV2", signing: "elasticloadbalancing",
                                  key: "ELASTIC_LOAD_BALANCING_V2", .query(version: "2015-12-01"))
    static let ecs = AWSService.ecs
    static let acm = AWSService.acm
    static let route53 = AWSService.route53

    // MARK: SQS

    /// SQS GetQueueUrl; nil when the queue does not exist.
    func queueURL(_ name: String) async throws -> String? {
        var p = QueryParameters()
        p.set("QueueName", name)
        do {
            return try await client.query(Self.sqs, "GetQueueUrl", p).string("QueueUrl")
        } catch let e as AWSError where e.code.contains("NonExistentQueue") || e.code == "QueueDoesNotExist" {
            return nil
        }
    }

    /// SQS GetQueueAttributes: one attribute's value.
    func queueAttribute(_ url: String, _ name: String) async throws -> String? {
        var p = QueryParameters()
        p.set("QueueUrl", url)
        p.set("AttributeName.1", name)
        let r = try await client.query(Self.sqs, "GetQueueAttributes", p)
        return r.children("Attribute").first { $0.string("Name") == name }?.string("Value")
    }

    // MARK: Lambda

    /// Lambda GetFunction's configuration (JSON object); nil on 404.
    func function(_ name: String) async throws -> [String: Any]? {
        var call = AWSRequest(service: Self.lambda, operation: "GetFunction", method: "GET",
                              path: "/2015-03-31/functions/" + PercentEncoding.uriEncode(name),
                              payloadSigning: .hashedInHeader)
        call.acceptedErrorStatuses = [404]
        let response = try await client.send(call)
        if response.statusCode == 404 { return nil }
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return object?["Configuration"] as? [String: Any]
    }

    // MARK: EC2 (its query dialect: no <Result> element, `item` lists)

    struct Vpc: Equatable {
        var id: String
        var cidr: String
    }

    struct Subnet: Equatable {
        var id: String
        var vpcId: String
        var cidr: String
        var availabilityZone: String
    }

    struct SecurityGroup {
        struct Rule: Equatable {
            var proto: String
            var fromPort: Int?
            var toPort: Int?
            var cidrs: [String]
            var groups: [String]
        }
        var id: String
        var name: String
        var vpcId: String?
        var ingress: [Rule]
    }

    func ec2(_ action: String, _ p: QueryParameters = QueryParameters()) async throws -> XMLTree {
        let body = p.body(action: action, version: "2016-11-15")
        let response = try await client.send(AWSRequest(
            service: Self.ec2, operation: action, method: "POST", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: Data(body.utf8)))
        return try XMLTree.parse(response.body)
    }

    private static func filter(_ name: String, _ value: String) -> QueryParameters {
        var p = QueryParameters()
        p.set("Filter.1.Name", name)
        p.set("Filter.1.Value.1", value)
        return p
    }

    /// EC2 DescribeVpcs: the ids of the VPCs.
    func vpcIds() async throws -> [String] {
        try await ec2("DescribeVpcs").child("vpcSet")?.children("item").compactMap { $0.string("vpcId") } ?? []
    }

    /// EC2 DescribeVpcs of one VPC; nil when it does not exist.
    func vpc(_ id: String) async throws -> Vpc? {
        var p = QueryParameters()
        p.set("VpcId.1", id)
        do {
            return try await ec2("DescribeVpcs", p).child("vpcSet")?.children("item").first.map {
                Vpc(id: $0.string("vpcId") ?? "", cidr: $0.string("cidrBlock") ?? "")
            }
        } catch let e as AWSError where e.code.hasSuffix(".NotFound") {
            return nil
        }
    }

    /// EC2 DescribeSubnets of a VPC.
    func subnets(vpcId: String) async throws -> [Subnet] {
        try await ec2("DescribeSubnets", Self.filter("vpc-id", vpcId)).child("subnetSet")?.children("item").map {
            Subnet(id: $0.string("subnetId") ?? "", vpcId: $0.string("vpcId") ?? "", cidr: $0.string("cidrBlock") ?? "",
                   availabilityZone: $0.string("availabilityZone") ?? "")
        } ?? []
    }

    /// EC2 DescribeSecurityGroups of a VPC (its `default` group included).
    func securityGroups(vpcId: String) async throws -> [SecurityGroup] {
        try await ec2("DescribeSecurityGroups", Self.filter("vpc-id", vpcId)).child("securityGroupInfo")?
            .children("item").map { g in
                SecurityGroup(
                    id: g.string("groupId") ?? "", name: g.string("groupName") ?? "", vpcId: g.string("vpcId"),
                    ingress: g.child("ipPermissions")?.children("item").map { r in
                        SecurityGroup.Rule(
                            proto: r.string("ipProtocol") ?? "", fromPort: r.int("fromPort"), toPort: r.int("toPort"),
                            cidrs: r.child("ipRanges")?.children("item").compactMap { $0.string("cidrIp") } ?? [],
                            groups: r.child("groups")?.children("item").compactMap { $0.string("groupId") } ?? [])
                    } ?? [])
            } ?? []
    }

    /// EC2 DescribeInternetGateways attached to a VPC: their ids.
    func internetGateways(vpcId: String) async throws -> [String] {
        try await ec2("DescribeInternetGateways", Self.filter("attachment.vpc-id", vpcId)).child("internetGatewaySet")?
            .children("item").compactMap { $0.string("internetGatewayId") } ?? []
    }

    /// EC2 DescribeNatGateways of a VPC: id and state.
    func natGateways(vpcId: String) async throws -> [(id: String, state: String)] {
        try await ec2("DescribeNatGateways", Self.filter("vpc-id", vpcId)).child("natGatewaySet")?
            .children("item").map { ($0.string("natGatewayId") ?? "", $0.string("state") ?? "") } ?? []
    }

    // MARK: Elastic Load Balancing v2

    struct LoadBalancer: Equatable {
        var arn: String
        var dnsName: String
        var scheme: String
        var type: String
        var vpcId: String
        var subnets: [String]
        var securityGroups: [String]
    }

    struct Listener: Equatable {
        var port: Int
        var proto: String
        var certificates: [String]
        var defaultActions: [String]
        var redirectPort: String?
        var redirectProtocol: String?
        var sslPolicy: String?
    }

    struct TargetGroup: Equatable {
        var arn: String
        var port: Int?
        var proto: String?
        var targetType: String?
        var healthCheckPath: String?
        var vpcId: String?
    }

    /// DescribeLoadBalancers of one load balancer; nil when it does not exist.
    func loadBalancer(_ arn: String) async throws -> LoadBalancer? {
        var p = QueryParameters()
        p.set("LoadBalancerArns.member.1", arn)
        do {
            return try await client.query(Self.elbv2, "DescribeLoadBalancers", p).members("LoadBalancers").first.map { m in
                LoadBalancer(arn: m.string("LoadBalancerArn") ?? "", dnsName: m.string("DNSName") ?? "",
                             scheme: m.string("Scheme") ?? "", type: m.string("Type") ?? "", vpcId: m.string("VpcId") ?? "",
                             subnets: m.members("AvailabilityZones").compactMap { $0.string("SubnetId") },
                             securityGroups: m.members("SecurityGroups").map(\.text))
            }
        } catch let e as AWSError where e.code == "LoadBalancerNotFound" {
            return nil
        }
    }

    /// DescribeListeners of a load balancer, by port.
    func listeners(loadBalancerArn: String) async throws -> [Listener] {
        var p = QueryParameters()
        p.set("LoadBalancerArn", loadBalancerArn)
        return try await client.query(Self.elbv2, "DescribeListeners", p).members("Listeners").map { m in
            Listener(port: m.int("Port") ?? 0, proto: m.string("Protocol") ?? "",
                     certificates: m.members("Certificates").compactMap { $0.string("CertificateArn") },
                     defaultActions: m.members("DefaultActions").compactMap { $0.string("Type") },
                     redirectPort: m.members("DefaultActions").first?.string("RedirectConfig/Port"),
                     redirectProtocol: m.members("DefaultActions").first?.string("RedirectConfig/Protocol"),
                     sslPolicy: m.string("SslPolicy"))
        }.sorted { $0.port < $1.port }
    }

    /// DescribeTargetGroups of one target group; nil when it does not exist.
    func targetGroup(_ arn: String) async throws -> TargetGroup? {
        var p = QueryParameters()
        p.set("TargetGroupArns.member.1", arn)
        do {
            return try await client.query(Self.elbv2, "DescribeTargetGroups", p).members("TargetGroups").first.map { m in
                TargetGroup(arn: m.string("TargetGroupArn") ?? "", port: m.int("Port"), proto: m.string("Protocol"),
                            targetType: m.string("TargetType"), healthCheckPath: m.string("HealthCheckPath"),
                            vpcId: m.string("VpcId"))
            }
        } catch let e as AWSError where e.code == "TargetGroupNotFound" {
            return nil
        }
    }

    // MARK: JSON services (ECS, ECR, ACM)

    /// A JSON 1.1 call with an untyped answer.
    func json(_ service: AWSService, _ operation: String, _ input: [String: Any]) async throws -> [String: Any] {
        guard case let .json(version, prefix) = service.protocol else { throw AWSClientError.invalidRequest("\(service)") }
        let response = try await client.send(AWSRequest(
            service: service, operation: operation, method: "POST", path: "/",
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation)"],
            body: try JSONSerialization.data(withJSONObject: input, options: [.sortedKeys])))
        return try JSONSerialization.jsonObject(with: response.body.isEmpty ? Data("{}".utf8) : response.body)
            as? [String: Any] ?? [:]
    }

    /// ECS DescribeServices of one service (JSON object); nil when the service is missing.
    func ecsService(cluster: String, service: String) async throws -> [String: Any]? {
        let r = try await json(Self.ecs, "DescribeServices", ["cluster": cluster, "services": [service]])
        return (r["services"] as? [[String: Any]])?.first
    }

    /// ECS DescribeTaskDefinition (JSON object); nil when missing.
    func ecsTaskDefinition(_ arn: String) async throws -> [String: Any]? {
        try await json(Self.ecs, "DescribeTaskDefinition", ["taskDefinition": arn])["taskDefinition"] as? [String: Any]
    }

    /// What `docker push <repository>:<tag>` leaves in ECR: an image manifest under the tag.
    func pushImage(repository: String, tag: String) async throws {
        let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","#
            + #""config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"#
            + #""digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#
        _ = try await json(.ecr, "PutImage", ["repositoryName": repository, "imageTag": tag, "imageManifest": manifest])
    }

    /// ACM ImportCertificate of a self-signed certificate made with `openssl` (h5: an operator's
    /// ISSUED certificate; a requested one stays PENDING_VALIDATION, which preflight refuses).
    func importCertificate(domain: String) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-cert-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                             "-subj", "/CN=\(domain)", "-keyout", dir.appendingPathComponent("key.pem").path,
                             "-out", dir.appendingPathComponent("cert.pem").path]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl req -x509")
        let cert = try Data(contentsOf: dir.appendingPathComponent("cert.pem"))
        let key = try Data(contentsOf: dir.appendingPathComponent("key.pem"))
        let r = try await json(Self.acm, "ImportCertificate", ["Certificate": cert.base64EncodedString(),
                                                              "PrivateKey": key.base64EncodedString()])
        return try XCTUnwrap(r["CertificateArn"] as? String, "\(r)")
    }

    // MARK: Route 53

    struct RecordSet: Equatable {
        var name: String
        var type: String
        var aliasDNSName: String?
    }

    /// Route 53 CreateHostedZone (an operator's existing zone): its id (without `/hostedzone/`).
    func createHostedZone(_ name: String) async throws -> String {
        let body = #"<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">"#
            + "<Name>\(name)</Name><CallerReference>infra-tests-\(UUID().uuidString)</CallerReference></CreateHostedZoneRequest>"
        let response = try await client.send(AWSRequest(
            service: Self.route53, operation: "CreateHostedZone", method: "POST", path: "/2013-04-01/hostedzone",
            headers: ["Content-Type": "application/xml"], body: Data(body.utf8), payloadSigning: .hashedInHeader))
        let id = try XCTUnwrap(XMLTree.parse(response.body).string("HostedZone/Id"))
        return id.replacingOccurrences(of: "/hostedzone/", with: "")
    }

    /// Route 53 ListResourceRecordSets of a zone.
    func recordSets(zoneId: String) async throws -> [RecordSet] {
        let response = try await client.send(AWSRequest(
            service: Self.route53, operation: "ListResourceRecordSets", method: "GET",
            path: "/2013-04-01/hostedzone/\(zoneId)/rrset", payloadSigning: .hashedInHeader))
        return try XMLTree.parse(response.body).child("ResourceRecordSets")?.children("ResourceRecordSet").map {
            RecordSet(name: $0.string("Name") ?? "", type: $0.string("Type") ?? "", aliasDNSName: $0.string("AliasTarget/DNSName"))
        } ?? []
    }
}

// MARK: Services the five stacks add (RDS, Secrets Manager, SSM, DynamoDB, KMS, API Gateway, CloudFront)

extension Inspect {
    static let rds = AWSService("RDS", signing: "rds", .query(version: "2014-10-31"))
    static let secrets = AWSService("SecretsManager", signing: "secretsmanager", key: "SECRETS_MANAGER",
                                    .json(version: "1.1", targetPrefix: "secretsmanager"))
    static let ssm = AWSService("SSM", signing: "ssm", .json(version: "1.1", targetPrefix: "AmazonSSM"))
    static let dynamodb = AWSService.dynamoDB
    static let kms = AWSService("KMS", signing: "kms", .json(version: "1.1", targetPrefix: "TrentService"))
    static let apigateway = AWSService("APIGateway", signing: "apigateway", key: "API_GATEWAY", .restXML)
    static let cloudfront = AWSService("CloudFront", signing: "cloudfront", global: true, .restXML)

    struct DBCluster: Equatable {
        var identifier: String
        var engine: String
        var endpoint: String
        var port: Int?
        var deletionProtection: Bool?
        var members: [String]
    }

    /// RDS DescribeDBClusters (every cluster of the region).
    func dbClusters() async throws -> [DBCluster] {
        try await client.query(Self.rds, "DescribeDBClusters").child("DBClusters")?.children("DBCluster").map {
            DBCluster(identifier: $0.string("DBClusterIdentifier") ?? "", engine: $0.string("Engine") ?? "",
                      endpoint: $0.string("Endpoint") ?? "", port: $0.int("Port"),
                      deletionProtection: $0.bool("DeletionProtection"),
                      members: $0.child("DBClusterMembers")?.children("DBClusterMember")
                        .compactMap { $0.string("DBInstanceIdentifier") } ?? [])
        } ?? []
    }

    /// Secrets Manager GetSecretValue: the secret's JSON document.
    func secretDocument(_ id: String) async throws -> [String: Any] {
        let r = try await json(Self.secrets, "GetSecretValue", ["SecretId": id])
        let text = try XCTUnwrap(r["SecretString"] as? String, "\(r)")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// SSM GetParameter's value.
    func parameter(_ name: String) async throws -> String? {
        let r = try await json(Self.ssm, "GetParameter", ["Name": name])
        return (r["Parameter"] as? [String: Any])?["Value"] as? String
    }

    /// DynamoDB DescribeTable (JSON object).
    func table(_ name: String) async throws -> [String: Any]? {
        try await json(Self.dynamodb, "DescribeTable", ["TableName": name])["Table"] as? [String: Any]
    }

    /// KMS ListResourceTags as Key: Value.
    func keyTags(_ keyId: String) async throws -> [String: String] {
        let tags = try await json(Self.kms, "ListResourceTags", ["KeyId": keyId])["Tags"] as? [[String: String]] ?? []
        return Dictionary(tags.map { ($0["TagKey"] ?? "", $0["TagValue"] ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    /// A REST GET with a JSON answer (API Gateway); nil on 404.
    func restJSON(_ service: AWSService, _ path: String) async throws -> [String: Any]? {
        var call = AWSRequest(service: service, operation: "GET", method: "GET", path: path,
                              payloadSigning: .hashedInHeader)
        call.acceptedErrorStatuses = [404]
        let response = try await client.send(call)
        if response.statusCode == 404 { return nil }
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    }

    /// API Gateway GetIntegration of a method.
    func integration(api: String, resource: String, method: String) async throws -> [String: Any]? {
        try await restJSON(Self.apigateway, "/restapis/\(api)/resources/\(resource)/methods/\(method)/integration")
    }

    /// API Gateway GetResources: path -> resource id.
    func apiResources(_ api: String) async throws -> [String: String] {
        let items = try await restJSON(Self.apigateway, "/restapis/\(api)/resources")?["item"] as? [[String: Any]] ?? []
        return Dictionary(items.compactMap { i in (i["path"] as? String).map { ($0, i["id"] as? String ?? "") } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// CloudFront GetDistribution: its domain name; nil when it does not exist.
    func distributionDomain(_ id: String) async throws -> String? {
        var call = AWSRequest(service: Self.cloudfront, operation: "GetDistribution", method: "GET",
                              path: "/2020-05-31/distribution/\(id)", payloadSigning: .hashedInHeader)
        call.acceptedErrorStatuses = [404]
        let response = try await client.with(region: "us-east-1").send(call)
        if response.statusCode == 404 { return nil }
        return try XMLTree.parse(response.body).string("DomainName")
    }
}

// MARK: What an operator already has (the golden variants' existing VPCs)

extension Inspect {
    /// EC2 CreateVpc and one subnet per CIDR (alternating the region's zones a and b): their ids.
    func createVpc(_ cidr: String, subnets: [String]) async throws -> (vpc: String, subnets: [String]) {
        var p = QueryParameters()
        p.set("CidrBlock", cidr)
        let created = try await ec2("CreateVpc", p)
        let vpc = try XCTUnwrap(created.string("vpc/vpcId"))
        var ids: [String] = []
        for (i, block) in subnets.enumerated() {
            var s = QueryParameters()
            s.set("VpcId", vpc)
            s.set("CidrBlock", block)
            s.set("AvailabilityZone", "\(client.region)\(i % 2 == 0 ? "a" : "b")")
            let subnet = try await ec2("CreateSubnet", s)
            ids.append(try XCTUnwrap(subnet.string("subnet/subnetId")))
        }
        return (vpc, ids)
    }
}

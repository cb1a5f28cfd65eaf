import Foundation
@testable import InfraAWS
@testable import InfraDeploy
import XCTest

/// The rows of the five real stacks (config/*.json) for `MotoDeployTests.endToEnd`. Each names
/// which steps moto (5.2.1, signature checks on) runs and, where moto refuses a valid (cfn-lint
/// clean) template, moto's limitation and the answer infra must report.
///
/// Every row, on moto: bootstrap of the stack's region, the diff of the undeployed stack,
/// `deploy --no-execute` (assets published and compared with the assembly, a large template staged
/// in the bucket, the change set adding exactly the template's resources), destroy of the stack in
/// review, and each refused deploy (moto's answer, its cause in moto's log).
///
/// sign2text, in its variant with an existing certificate and zone, is the real stack moto executes:
/// its whole lifecycle runs on moto, resources inspected. The other four hold, in every variant
/// their config allows, a resource moto's CloudFormation cannot create (an Aurora cluster's
/// instances, an API with CORS preflights); the rest of their path (create, unchanged, diff of a
/// config change, update, destroy with what the template retains) runs with CloudFormation played
/// by the scripted stand-in and everything else (assets, staged templates) on moto: nothing is
/// created there to inspect.
extension MotoDeployTests {
    /// Every variant has an Aurora PostgreSQL cluster with instances (DB_SIZE sizes it; a
    /// provisioned size adds instances), so no config of this stack executes on moto; the custom
    /// resource `Custom::DatabaseInit` is never reached.
    static let labelingToolCase = Case(
        config: "labeling-tool.json",
        zipAssets: 1,  // the database initializer (functions/labeling-tool/db-init)
        refusals: [Refusal(
            message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
            motoLog: "KeyError: 'aurora-postgresql'",
            limitation: "moto's AWS::RDS::DBInstance ignores DBClusterIdentifier and looks up a default engine version "
                + "for aurora-postgresql, which it has none of (and moto has no CloudFormation model of AWS::RDS::DBCluster)")],
        scripted: ScriptedRest(update: ["TASK_MEMORY=2048"], updateDiff: [
            "[~] AWS::ECS::TaskDefinition ServiceTaskDefinition", "(replaces the resource)",
            "[~] Properties.Memory (replacement): \"1024\" → \"2048\""]))

    /// Its four functions' zips are published before the change set. The REST API always answers
    /// CORS preflights (MOCK integrations, which have no `Uri`), so no config executes on moto.
    static let dataLabelCase = Case(
        config: "data-label.json",
        zipAssets: 4,
        refusals: [Refusal(
            message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
            motoLog: "KeyError: 'Uri'",
            limitation: "moto's AWS::ApiGateway::Method reads Integration.Uri unconditionally, and a MOCK integration "
                + "(the CORS preflight) has none")],
        scripted: ScriptedRest(update: ["QUEUE_VISIBILITY_TIMEOUT_SECONDS=300"], updateDiff: [
            "[~] AWS::SQS::Queue DeduplicatedJobPostsQueue", "[~] AWS::SQS::Queue PreprocessedJobPostsQueue",
            "[~] Properties.VisibilityTimeout: 180 → 300"]))

    /// The first deploy goes with `IMAGES_PUSHED=false` (the stack creates the repositories its
    /// function images are pushed to): moto fails on the Aurora MySQL instance. With the images
    /// pushed, moto refuses earlier, with a message: the functions read the cluster's ARN.
    static let coralPipelineCase = Case(
        config: "coral-pipeline.json",
        create: ["IMAGES_PUSHED=false"],
        zipAssets: 1,  // the schema initializer (functions/coral-pipeline/schema-init)
        refusals: [
            Refusal(message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
                    motoLog: "KeyError: 'aurora-mysql'",
                    limitation: "moto's AWS::RDS::DBInstance ignores DBClusterIdentifier and has no default engine "
                        + "version for aurora-mysql"),
            Refusal(overrides: ["IMAGES_PUSHED=true"],
                    message: "CloudFormation ExecuteChangeSet failed: ValidationError: Template error: instance of "
                        + "Fn::GetAtt references undefined resource Database",
                    limitation: "moto has no CloudFormation model of AWS::RDS::DBCluster, so Fn::GetAtt DBClusterArn fails"),
        ],
        // the images pushed: the three functions, their S3 triggers, the frontend's task
        scripted: ScriptedRest(update: ["IMAGES_PUSHED=true"], updateDiff: [
            "[+] AWS::Lambda::Function Restoration", "[+] AWS::Lambda::Function Reframing",
            "[+] AWS::Lambda::Function Segmentation", "[~] AWS::S3::Bucket ImagesRaw",
            "[+] Properties.NotificationConfiguration", "[~] AWS::ECS::Service FrontendService",
            "[~] Properties.DesiredCount: 0 → 1"]))

    /// The default creates the ACM certificate, which moto accepts without creating: the HTTPS
    /// listener's certificate reference arrives empty. The config's other way, an existing
    /// certificate (`CERTIFICATE_ARN`) in an existing zone (`HOSTED_ZONE_ID`), runs the whole
    /// lifecycle: first deploy with `IMAGES_PUSHED=false` as the stack asks, push the image,
    /// deploy with `IMAGES_PUSHED=true`.
    static let sign2TextCase = Case(
        config: "sign2text.json",
        create: ["IMAGES_PUSHED=false"],
        refusals: [Refusal(
            message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
            motoLog: "KeyError: 'CertificateArn'",
            limitation: "moto does not create AWS::CertificateManager::Certificate, so the listener's Certificates "
                + "entry arrives without CertificateArn")],
        lifecycle: Lifecycle(
            prepare: { inspect in
                // the operator's certificate and zone (what a user with HOSTED_ZONE_ID has)
                let certificate = try await inspect.requestCertificate(domain: "api.sign2text.com")
                let zone = try await inspect.createHostedZone("sign2text.com")
                return ["CERTIFICATE_ARN=\(certificate)", "HOSTED_ZONE_ID=\(zone)"]
            },
            beforeUpdate: { d in
                // docker push <RepositoryUri>:latest
                try await d.inspect.pushImage(repository: "sign2text", tag: "latest")
                let images = try await ECRClient(client: d.client).describeImages(repositoryName: "sign2text")
                XCTAssertEqual(images.flatMap { $0.imageTags ?? [] }, ["latest"])
            },
            update: ["IMAGES_PUSHED=true"],
            updateDiff: ["[~] AWS::ECS::Service ApiService", "[~] Properties.DesiredCount: 0 → 1"],
            verify: verifySign2Text,
            verifyGone: verifySign2TextGone,
            destroyRefused: (
                message: "CloudFormation DeleteStack failed: DependencyViolation: The vpc ",
                limitation: "moto's DeleteStack does not delete internet gateways, NAT gateways, EIPs and route tables, "
                    + "so the VPC cannot go; it answers the VPC's DependencyViolation and forgets the stack")))

    /// The default encrypts the table with a customer managed KMS key, whose tags moto's KMS
    /// model mishandles; `TABLE_ENCRYPTION=aws-managed` (no key) gets further, to the API's CORS
    /// preflights that data-label meets too. `INFERENCE_IMAGE_DIRECTORY` needs Docker.
    static let mlInferenceCase = Case(
        config: "ml-inference.json",
        refusals: [
            Refusal(message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
                    motoLog: "KeyError: 'TagKey'",
                    limitation: "moto's AWS::KMS::Key passes the template's Key/Value tags to a tagger that wants "
                        + "TagKey/TagValue"),
            Refusal(overrides: ["TABLE_ENCRYPTION=aws-managed"],
                    message: "CloudFormation ExecuteChangeSet failed: InternalError (HTTP 500)",
                    motoLog: "KeyError: 'Uri'",
                    limitation: "moto's AWS::ApiGateway::Method reads Integration.Uri unconditionally, and a MOCK "
                        + "integration (the CORS preflight) has none"),
        ],
        imageAsset: ["INFERENCE_IMAGE_DIRECTORY=\(repositoryRoot.appendingPathComponent("functions/ml-inference/inference").path)",
                     "INFERENCE_IMAGE_TAG=null"],
        scripted: ScriptedRest(update: ["INFERENCE_MEMORY_MB=3008"], updateDiff: [
            "[~] AWS::Lambda::Function InferenceFunction", "[~] Properties.MemorySize: 2048 → 3008"]))

    // MARK: sign2text checks

    /// The repository, the network, the load balancer and its listeners, the service, the DNS
    /// record and the log bucket, through EC2, ELBv2, ECS, ECR, Route 53 and S3. (moto leaves the
    /// load balancer's attributes, such as its access logs and idle timeout, unset; its Fn::GetAZs
    /// answers us-east-1 zones in every region; the alias target's hosted zone id is not resolved.)
    @Sendable static func verifySign2Text(_ d: Deployed) async throws {
        let inspect = d.inspect
        let repositories = try await ECRClient(client: d.client).describeRepositories(names: ["sign2text"])
        XCTAssertEqual(repositories.map(\.repositoryName), ["sign2text"])
        XCTAssertEqual(repositories.first?.imageTagMutability, "IMMUTABLE")

        // VPC: 10.0.0.0/16, two public and two private subnets over two zones
        let vpcId = try d.physical("AWS::EC2::VPC")
        let vpc = try await inspect.vpc(vpcId)
        XCTAssertEqual(vpc?.cidr, "10.0.0.0/16")
        let subnets = try await inspect.subnets(vpcId: vpcId)
        XCTAssertEqual(Set(subnets.map(\.id)), Set(d.physicals("AWS::EC2::Subnet")))
        XCTAssertEqual(subnets.count, 4)
        XCTAssertEqual(Set(subnets.map(\.availabilityZone)).count, 2)
        XCTAssertEqual(Set(subnets.map(\.cidr)), ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"])
        let publicSubnets = Set([try d.physical("AWS::EC2::Subnet", "VpcPublicSubnet1"),
                                 try d.physical("AWS::EC2::Subnet", "VpcPublicSubnet2")])
        let igws = try await inspect.internetGateways(vpcId: vpcId)
        XCTAssertEqual(igws, [try d.physical("AWS::EC2::InternetGateway")])
        let nats = try await inspect.natGateways(vpcId: vpcId)
        XCTAssertEqual(nats.map(\.id), [try d.physical("AWS::EC2::NatGateway")], "NAT_GATEWAYS 1")

        // security groups: the load balancer open on 80 and 443, the tasks only from it on 8000
        let lbGroup = try d.physical("AWS::EC2::SecurityGroup", "ApiLoadBalancerSecurityGroup")
        let serviceGroup = try d.physical("AWS::EC2::SecurityGroup", "ApiServiceSecurityGroup")
        let groups = try await inspect.securityGroups(vpcId: vpcId)
        let lbRules = try XCTUnwrap(groups.first { $0.id == lbGroup }).ingress
        XCTAssertEqual(Set(lbRules.map { "\($0.proto) \($0.fromPort ?? -1)-\($0.toPort ?? -1) \($0.cidrs) \($0.groups)" }),
                       ["tcp 80-80 [\"0.0.0.0/0\"] []", "tcp 443-443 [\"0.0.0.0/0\"] []"])
        let serviceRules = try XCTUnwrap(groups.first { $0.id == serviceGroup }).ingress
        XCTAssertEqual(serviceRules, [.init(proto: "tcp", fromPort: 8000, toPort: 8000, cidrs: [], groups: [lbGroup])])

        // the load balancer: internet-facing in the public subnets; 80 redirects to 443, which
        // serves the operator's certificate and forwards to the tasks' target group
        let lbArn = try d.physical("AWS::ElasticLoadBalancingV2::LoadBalancer")
        let lb = try await inspect.loadBalancer(lbArn)
        XCTAssertEqual(lb?.scheme, "internet-facing")
        XCTAssertEqual(lb?.type, "application")
        XCTAssertEqual(Set(lb?.subnets ?? []), publicSubnets)
        XCTAssertEqual(lb?.securityGroups, [lbGroup])
        let listeners = try await inspect.listeners(loadBalancerArn: lbArn)
        XCTAssertEqual(listeners.map(\.port), [80, 443])
        XCTAssertEqual(listeners.first?.defaultActions, ["redirect"])
        XCTAssertEqual(listeners.first?.redirectProtocol, "HTTPS")
        XCTAssertEqual(listeners.first?.redirectPort, "443")
        XCTAssertEqual(listeners.last?.proto, "HTTPS")
        XCTAssertEqual(listeners.last?.certificates, [try XCTUnwrap(d.context["CERTIFICATE_ARN"])])
        XCTAssertEqual(listeners.last?.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        XCTAssertEqual(listeners.last?.defaultActions, ["forward"])
        let targetGroup = try await inspect.targetGroup(try d.physical("AWS::ElasticLoadBalancingV2::TargetGroup"))
        XCTAssertEqual(targetGroup?.port, 8000)
        XCTAssertEqual(targetGroup?.targetType, "ip")
        XCTAssertEqual(targetGroup?.healthCheckPath, "/docs")

        // the task: the repository's image at IMAGE_TAG, TASK_MEMORY, CONTAINER_PORT (moto's
        // task definition model drops Cpu, NetworkMode and RequiresCompatibilities)
        let task = try await inspect.ecsTaskDefinition(try d.physical("AWS::ECS::TaskDefinition"))
        let container = try XCTUnwrap((task?["containerDefinitions"] as? [[String: Any]])?.first, "\(String(describing: task))")
        XCTAssertEqual(container["image"] as? String, "\(repositories.first?.repositoryUri ?? "?"):latest")
        XCTAssertEqual((container["portMappings"] as? [[String: Any]])?.first?["containerPort"] as? Int, 8000)
        XCTAssertEqual(task?["memory"] as? String, "6144")

        // the service runs no task until the image is pushed (IMAGES_PUSHED), then DESIRED_COUNT
        let service = try await inspect.ecsService(cluster: try d.physical("AWS::ECS::Cluster"),
                                                   service: try d.physical("AWS::ECS::Service"))
        XCTAssertEqual(service?["desiredCount"] as? Int, d.updated ? 1 : 0)
        XCTAssertEqual(d.context["IMAGES_PUSHED"], d.updated ? "true" : "false")

        // api.sign2text.com in the operator's zone, an alias of the load balancer
        let records = try await inspect.recordSets(zoneId: try XCTUnwrap(d.context["HOSTED_ZONE_ID"]))
        let record = try XCTUnwrap(records.first { $0.name == "api.sign2text.com." && $0.type == "A" }, "\(records)")
        XCTAssertEqual(record.aliasDNSName?.lowercased(), lb?.dnsName.lowercased())

        let logs = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket", "AccessLogs"))
        XCTAssertNotNil(logs, "access log bucket")
    }

    /// After `infra destroy`: what moto deleted, what the template retains (as on AWS), and what
    /// moto leaves behind (its limitation, see `destroyRefused`).
    @Sendable static func verifySign2TextGone(_ d: Deployed) async throws {
        let inspect = d.inspect
        let vpcId = try d.physical("AWS::EC2::VPC")
        // deleted
        let lb = try await inspect.loadBalancer(try d.physical("AWS::ElasticLoadBalancingV2::LoadBalancer"))
        XCTAssertNil(lb, "load balancer deleted")
        let subnets = try await inspect.subnets(vpcId: vpcId)
        XCTAssertEqual(subnets, [], "subnets deleted")
        let groups = try await inspect.securityGroups(vpcId: vpcId)
        XCTAssertEqual(groups.map(\.name), ["default"], "the stack's security groups deleted")
        let records = try await inspect.recordSets(zoneId: try XCTUnwrap(d.context["HOSTED_ZONE_ID"]))
        XCTAssertEqual(records.filter { $0.name == "api.sign2text.com." }, [], "DNS record deleted")
        // retained by DeletionPolicy Retain, as on AWS: the repository (images) and the access logs
        let repositories = try await ECRClient(client: d.client).describeRepositories(names: ["sign2text"])
        XCTAssertEqual(repositories.map(\.repositoryName), ["sign2text"], "repository retained")
        let logs = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket", "AccessLogs"))
        XCTAssertNotNil(logs, "access log bucket retained")
        // left behind by moto (AWS deletes them): the VPC, because its internet gateway and NAT
        // gateway stay
        let vpc = try await inspect.vpc(vpcId)
        XCTAssertNotNil(vpc, "moto leaves the VPC")
        let igws = try await inspect.internetGateways(vpcId: vpcId)
        XCTAssertEqual(igws.count, 1, "moto leaves the internet gateway")
    }
}

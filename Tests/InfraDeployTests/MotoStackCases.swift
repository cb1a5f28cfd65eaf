import Foundation
@testable import InfraAWS
@testable import InfraDeploy
import XCTest

/// The rows of the example and the five real stacks (config/*.json) for `MotoDeployTests.endToEnd`,
/// all run on `scripts/moto-server` (moto 5.2.1 with the fixes of docs/MOTO.md), signature checks
/// on: the diff of the undeployed stack, `deploy --no-execute` (assets, staged template, change
/// set), then the whole lifecycle with the shipped config (its example values replaced by the
/// operator's, through `-c`): first deploy (phase 1 of the image gate where the stack creates its
/// image repositories, then the push and phase 2), resources inspected through the services' APIs,
/// moto's log free of tracebacks, unchanged redeploy, destroy refused while deletion protection is
/// on, a config change as an update (diff first), destroy, and a redeploy after destroy (generated
/// names: created again; names the config gives: preflight's adoption offer).
///
/// Custom resources complete through their response protocol (moto cannot run a function's code:
/// it would need Docker): coral's schema initializer (its zip asset) and the bucket notifications
/// handler (inline) run their own code here (python3 + boto3 against moto, PUT to the
/// ResponseURL); the labeling tool's DB initializer needs a PostgreSQL server, which moto's cluster
/// is not, so the test answers exactly as its code does.
extension MotoDeployTests {
    static let exampleCase = Case(
        config: "example.json",
        lifecycle: Lifecycle(
            update: ["FUNCTION_MEMORY=512"],
            updateDiff: ["[~] AWS::Lambda::Function Worker", "[~] Properties.MemorySize: 256 → 512"],
            verify: { d in
                // subnets from Fn::Cidr over the VPC's block (the fn_cidr fix)
                let vpcId = try d.physical("AWS::EC2::VPC")
                let vpc = try await d.inspect.vpc(vpcId)
                XCTAssertEqual(vpc?.cidr, "10.0.0.0/16")
                let subnets = try await d.inspect.subnets(vpcId: vpcId)
                XCTAssertEqual(Set(subnets.map(\.cidr)), ["10.0.0.0/24", "10.0.1.0/24"])
                let bucket = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket"))
                XCTAssertNotNil(bucket)
                let function = try await d.inspect.function(try d.physical("AWS::Lambda::Function"))
                XCTAssertEqual(function?["MemorySize"] as? Int, d.updated ? 512 : 256)
            },
            verifyGone: { d in
                let vpc = try await d.inspect.vpc(try d.physical("AWS::EC2::VPC"))
                XCTAssertNil(vpc, "VPC deleted")
            }))

    /// The Aurora PostgreSQL cluster with its instance (rds fixes), the generated credentials with
    /// the cluster's connection fields (secretsmanager fix), the DB initializer's function from its
    /// zip asset, `Custom::DatabaseInit` answered as its handler answers. ADMIN_EMAIL is an example
    /// value in the config: the operator's address is passed. Deletion protection is on in the
    /// shipped config: destroy refuses up front, naming DB_DELETION_PROTECTION; the update turns it
    /// off through that key and changes the task's memory.
    static let labelingToolCase = Case(
        config: "labeling-tool.json",
        zipAssets: 1,
        exampleKeys: ["ADMIN_EMAIL"],
        lifecycle: Lifecycle(
            prepare: { _ in [operatorEmail] },
            customResources: ["Custom::DatabaseInit": .answer(answerDatabaseInit)],
            protectionKeys: ["DB_DELETION_PROTECTION"],
            update: ["TASK_MEMORY=2048", "DB_DELETION_PROTECTION=false"],
            updateDiff: ["[~] AWS::ECS::TaskDefinition ServiceTaskDefinition", "(replaces the resource)",
                         "[~] Properties.Memory (replacement): \"1024\" → \"2048\"",
                         "[~] Properties.DeletionProtection: true → false"],
            verify: { d in
                let clusters = try await d.inspect.dbClusters()
                XCTAssertEqual(clusters.map(\.identifier), [try d.physical("AWS::RDS::DBCluster")])
                XCTAssertEqual(clusters.first?.engine, "aurora-postgresql")
                XCTAssertEqual(clusters.first?.deletionProtection, !d.updated)
                XCTAssertEqual(clusters.first?.members, [try d.physical("AWS::RDS::DBInstance")])
                let secret = try await d.inspect.secretDocument(try d.physical("AWS::SecretsManager::Secret", "DatabaseSecret"))
                XCTAssertEqual(secret["host"] as? String, clusters.first?.endpoint)
                XCTAssertEqual(secret["username"] as? String, "postgres")
                XCTAssertEqual((secret["password"] as? String)?.count, 30)
                let initializer = try await d.inspect.function(try d.physical("AWS::Lambda::Function", "DatabaseInitializer"))
                XCTAssertEqual(initializer?["Handler"] as? String, "app.handler", "\(String(describing: initializer))")
                XCTAssertEqual(try d.physical("Custom::DatabaseInit"), "database-labelingdb", "the handler's physical id")
                let service = try await d.inspect.ecsService(cluster: try d.physical("AWS::ECS::Cluster"),
                                                             service: try d.physical("AWS::ECS::Service"))
                XCTAssertEqual(service?["desiredCount"] as? Int, 1)
                let task = try await d.inspect.ecsTaskDefinition(try d.physical("AWS::ECS::TaskDefinition"))
                XCTAssertEqual(task?["memory"] as? String, d.updated ? "2048" : "1024")
                // the new revision of the update keeps its container (ecs_task_definition_update fix)
                let container = (task?["containerDefinitions"] as? [[String: Any]])?.first
                XCTAssertEqual(container?["image"] as? String, "doccano/doccano:latest", "\(String(describing: task))")
                let lb = try await d.inspect.loadBalancer(try d.physical("AWS::ElasticLoadBalancingV2::LoadBalancer"))
                XCTAssertEqual(lb?.scheme, "internet-facing")
            },
            verifyGone: verifyNetworkGone))

    /// Four zip functions, the REST API with its CORS preflights (MOCK integrations), the
    /// site's CloudFront distribution, DynamoDB and the queues; the scraper's image in the
    /// repository the stack creates: its service at 0 tasks in phase 1, SCRAPER_TASK_COUNT after.
    static let dataLabelCase = Case(
        config: "data-label.json",
        zipAssets: 4,
        lifecycle: Lifecycle(
            images: ImagePhases(gates: ["ScraperImageReady": "ScraperRepository"], tag: "v1"),
            update: ["QUEUE_VISIBILITY_TIMEOUT_SECONDS=300"],
            updateDiff: ["[~] AWS::SQS::Queue DeduplicatedJobPostsQueue", "[~] AWS::SQS::Queue PreprocessedJobPostsQueue",
                         "[~] Properties.VisibilityTimeout: 180 → 300"],
            verify: { d in
                try await verifyCorsPreflights(d)
                let domain = try await d.inspect.distributionDomain(try d.physical("AWS::CloudFront::Distribution"))
                XCTAssertTrue(domain?.hasSuffix(".cloudfront.net") ?? false, "\(String(describing: domain))")
                let table = try await d.inspect.table(try d.physical("AWS::DynamoDB::Table"))
                XCTAssertEqual(table?["TableStatus"] as? String, "ACTIVE")
                let queue = try d.physical("AWS::SQS::Queue", "DeduplicatedJobPostsQueue")
                let url = try await d.inspect.queueURL(String(queue.split(separator: "/").last!))
                let visibility = try await d.inspect.queueAttribute(try XCTUnwrap(url), "VisibilityTimeout")
                XCTAssertEqual(visibility, d.updated ? "300" : "180")
                XCTAssertEqual(d.physicals("AWS::Lambda::Function").count, 4)
                for function in d.physicals("AWS::Lambda::Function") {
                    let found = try await d.inspect.function(function)
                    XCTAssertNotNil(found, function)
                }
                // the gate: the scraper runs no task until its image is pushed
                let service = try await d.inspect.ecsService(cluster: try d.physical("AWS::ECS::Cluster"),
                                                             service: try d.physical("AWS::ECS::Service"))
                XCTAssertEqual(service?["desiredCount"] as? Int, d.imagesReady ? 1 : 0, "\(String(describing: service))")
            },
            verifyGone: verifyNetworkGone))

    /// Seven buckets and four repositories (generated names), the Aurora MySQL cluster, and the two
    /// custom resources whose own handlers run here: `Custom::CoralSchema` (its zip asset) and
    /// `Custom::S3BucketNotifications`. Phase 1: no image function, the frontend at zero tasks;
    /// phase 2: the three functions, the frontend at FRONTEND_DESIRED_COUNT. Deletion protection
    /// is on in the shipped config; the update turns it off through DB_DELETION_PROTECTION.
    static let coralPipelineCase = Case(
        config: "coral-pipeline.json",
        zipAssets: 1,
        lifecycle: Lifecycle(
            images: ImagePhases(gates: [
                "FrontendImageReady": "FrontendRepository", "RestorationImageReady": "RestorationRepository",
                "ReframingImageReady": "ReframingRepository", "SegmentationImageReady": "SegmentationRepository"]),
            customResources: ["Custom::CoralSchema": .runHandler, "Custom::S3BucketNotifications": .runHandler],
            update: ["DB_DELETION_PROTECTION=false"],
            updateDiff: ["[~] AWS::RDS::DBCluster Database", "[~] Properties.DeletionProtection: true → false"],
            verify: { d in
                let clusters = try await d.inspect.dbClusters()
                XCTAssertEqual(clusters.first?.engine, "aurora-mysql")
                XCTAssertEqual(clusters.first?.deletionProtection, !d.updated)
                XCTAssertEqual(try d.physical("Custom::CoralSchema"), "schema-coral", "the handler's physical id")
                let s3 = S3Client(client: d.client)
                for prefix in coralBuckets {
                    let name = try d.physical("AWS::S3::Bucket", prefix)
                    XCTAssertTrue(name.hasPrefix("coral-pipeline-"), "a generated name: \(name)")
                    let head = try await s3.headBucket(name)
                    XCTAssertNotNil(head, name)
                }
                // phase 1: only the zip/inline functions (their images are not pushed); phase 2: all
                let functions = d.resources.filter { $0.type == "AWS::Lambda::Function" }.map(\.logicalId)
                let always = ["BucketNotificationsHandler", "SchemaInitializer"]
                let gated = ["Reframing", "Restoration", "Segmentation"]
                XCTAssertEqual(Set(functions.map { String($0.dropLast(8)) }), Set(always + (d.imagesReady ? gated : [])),
                               "\(functions)")
                for function in d.physicals("AWS::Lambda::Function") {
                    let found = try await d.inspect.function(function)
                    XCTAssertNotNil(found, function)
                }
                let service = try await d.inspect.ecsService(cluster: try d.physical("AWS::ECS::Cluster"),
                                                             service: try d.physical("AWS::ECS::Service"))
                XCTAssertEqual(service?["desiredCount"] as? Int, d.imagesReady ? 1 : 0)
            },
            verifyGone: { d in
                try await verifyNetworkGone(d)
                // retained (DeletionPolicy Retain), as on AWS: the buckets
                for prefix in coralBuckets {
                    let head = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket", prefix))
                    XCTAssertNotNil(head, "\(prefix) retained")
                }
            }))

    /// The labeling tool's ADMIN_EMAIL (an example value in its config): the operator's.
    static let operatorEmail = "ADMIN_EMAIL=ops@labels.example.org"

    static let coralBuckets = ["ImagesRaw", "ImagesTreated", "ImagesReframed", "ImagesSegmented", "ImagesMasks",
                               "ModelReframing", "ModelSegmentation"]

    /// The default creates the ACM certificate (acm fix) for `api.sign2text.com` in the hosted zone
    /// of HOSTED_ZONE_ID / HOSTED_ZONE_NAME: the shipped values are examples, so the test creates
    /// the zone as the operator has it and passes its id and name. The config names the
    /// repository (REPOSITORY_NAME=sign2text): the redeploy after destroy meets it, kept, and
    /// preflight offers to adopt it.
    static let sign2TextCase = Case(
        config: "sign2text.json",
        exampleKeys: ["HOSTED_ZONE_ID", "HOSTED_ZONE_NAME"],
        lifecycle: Lifecycle(
            prepare: { inspect in
                let zone = try await inspect.createHostedZone("sign2text.com")
                return ["HOSTED_ZONE_ID=\(zone)", "HOSTED_ZONE_NAME=sign2text.com", "REPOSITORY_NAME=sign2text"]
            },
            images: ImagePhases(gates: ["ApiImageReady": "Repository"]),
            update: ["DESIRED_COUNT=2"],
            updateDiff: ["[~] AWS::ECS::Service ApiService", "Properties.DesiredCount"],
            verify: verifySign2Text,
            verifyGone: verifySign2TextGone,
            redeployAdopts: ["AWS::ECR::Repository sign2text (RepositoryD2FDC1F1)"]))

    /// The default encrypts the table with a customer managed key (kms fix), the API answers CORS
    /// preflights (apigateway fix), the site is on CloudFront. The function's image is in the
    /// repository the stack creates: the gate holds the function and its API method back in phase 1
    /// (moto would create the function without its image; AWS refuses it). `INFERENCE_IMAGE_DIRECTORY`
    /// needs Docker.
    static let mlInferenceCase = Case(
        config: "ml-inference.json",
        imageAsset: ["INFERENCE_IMAGE_DIRECTORY=\(repositoryRoot.appendingPathComponent("functions/ml-inference/inference").path)",
                     "INFERENCE_IMAGE_TAG=null"],
        lifecycle: Lifecycle(
            images: ImagePhases(gates: ["InferenceImageReady": "InferenceRepository"], tag: "v1"),
            update: ["INFERENCE_MEMORY_MB=3008"],
            updateDiff: ["[~] AWS::Lambda::Function InferenceFunction", "[~] Properties.MemorySize: 2048 → 3008"],
            verify: { d in
                let key = try d.physical("AWS::KMS::Key")
                let tags = try await d.inspect.keyTags(key)
                XCTAssertEqual(tags["project"], "ml-inference", "\(tags)")
                let table = try await d.inspect.table(try d.physical("AWS::DynamoDB::Table"))
                let sse = table?["SSEDescription"] as? [String: Any]
                XCTAssertEqual(sse?["SSEType"] as? String, "KMS", "\(String(describing: table))")
                try await verifyCorsPreflights(d)
                let api = try d.physical("AWS::ApiGateway::RestApi")
                let paths = try await d.inspect.apiResources(api)
                let path = try XCTUnwrap(paths["/predict"], "/predict in \(paths)")
                let method = try await d.inspect.integration(api: api, resource: path, method: "POST")
                guard d.imagesReady else {
                    // phase 1: neither the function nor the method that would invoke it
                    XCTAssertEqual(d.physicals("AWS::Lambda::Function"), [])
                    XCTAssertFalse(d.resources.contains { $0.type == "AWS::ApiGateway::Method" && $0.logicalId.hasPrefix("ApipredictPOST") },
                                   "\(d.resources.map(\.logicalId))")
                    XCTAssertNil(method?["type"], "POST /predict held back: \(String(describing: method))")
                    return
                }
                XCTAssertEqual(method?["type"] as? String, "AWS_PROXY", "\(String(describing: method))")
                let function = try await d.inspect.function(try d.physical("AWS::Lambda::Function", "InferenceFunction"))
                XCTAssertEqual(function?["MemorySize"] as? Int, d.updated ? 3008 : 2048)
            },
            verifyGone: { d in
                let function = try await d.inspect.function(try d.physical("AWS::Lambda::Function", "InferenceFunction"))
                XCTAssertNil(function)
                // retained (DeletionPolicy Retain), as on AWS: the key and the table
                let table = try await d.inspect.table(try d.physical("AWS::DynamoDB::Table"))
                XCTAssertNotNil(table, "table retained")
            }))

    // MARK: Shared checks

    /// Every OPTIONS method of the stack's REST API is a MOCK integration (the CORS preflight).
    @Sendable static func verifyCorsPreflights(_ d: Deployed) async throws {
        let api = try d.physical("AWS::ApiGateway::RestApi")
        let resources = try await d.inspect.apiResources(api)
        var preflights = 0
        for (path, id) in resources where path != "/" {
            guard let integration = try await d.inspect.integration(api: api, resource: id, method: "OPTIONS") else { continue }
            XCTAssertEqual(integration["type"] as? String, "MOCK", path)
            preflights += 1
        }
        XCTAssertGreaterThan(preflights, 0, "CORS preflights in \(resources)")
    }

    /// After destroy: the stack's VPC and everything in it are gone (ec2 fix), gateways, NAT and
    /// addresses included.
    @Sendable static func verifyNetworkGone(_ d: Deployed) async throws {
        let vpcId = try d.physical("AWS::EC2::VPC")
        let vpc = try await d.inspect.vpc(vpcId)
        XCTAssertNil(vpc, "VPC deleted")
        let igws = try await d.inspect.internetGateways(vpcId: vpcId)
        XCTAssertEqual(igws, [], "internet gateways deleted")
        let nats = try await d.inspect.natGateways(vpcId: vpcId)
        XCTAssertEqual(Set(nats.map(\.state)).subtracting(["deleted"]), [], "NAT gateways deleted")
    }

    /// `Custom::DatabaseInit`: its handler connects to the cluster with PostgreSQL's protocol,
    /// which moto's cluster does not speak, so it cannot run here. The test answers exactly as the
    /// handler does after creating the database (Status SUCCESS, PhysicalResourceId
    /// `database-<DatabaseName>`, Data `{"Created": "true"}`), once it has checked that what the
    /// handler reads is there: the secret of `SecretArn` with host, port, username and password.
    @Sendable static func answerDatabaseInit(_ request: CustomResourceRequest) async throws -> CustomResourceResponse {
        let secretArn = try XCTUnwrap(request.properties["SecretArn"] as? String)
        let secret = try await request.inspect.secretDocument(secretArn)
        for key in ["host", "port", "username", "password"] {
            XCTAssertNotNil(secret[key], "the handler reads \(key) from \(secretArn)")
        }
        let name = try XCTUnwrap(request.properties["DatabaseName"] as? String)
        return CustomResourceResponse(status: "SUCCESS", physicalResourceId: "database-\(name)", data: ["Created": "true"])
    }

    // MARK: sign2text checks

    /// The repository, the network, the load balancer and its listeners (the stack's certificate),
    /// the service, the DNS record and the log bucket, through EC2, ELBv2, ECS, ECR, ACM, Route 53
    /// and S3. (moto leaves the load balancer's attributes, such as its access logs and idle
    /// timeout, unset; the alias target's hosted zone id is not resolved.)
    @Sendable static func verifySign2Text(_ d: Deployed) async throws {
        let inspect = d.inspect
        let repositories = try await ECRClient(client: d.client).describeRepositories(names: ["sign2text"])
        XCTAssertEqual(repositories.map(\.repositoryName), ["sign2text"])

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
        // serves the stack's certificate and forwards to the tasks' target group
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
        let certificate = try d.physical("AWS::CertificateManager::Certificate")
        XCTAssertEqual(listeners.last?.certificates, [certificate])
        let described = try await inspect.json(Inspect.acm, "DescribeCertificate", ["CertificateArn": certificate])
        XCTAssertEqual((described["Certificate"] as? [String: Any])?["DomainName"] as? String, "api.sign2text.com")
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

        // the gate: the service runs no task until the image is pushed, then DESIRED_COUNT (the update's 2)
        let service = try await inspect.ecsService(cluster: try d.physical("AWS::ECS::Cluster"),
                                                   service: try d.physical("AWS::ECS::Service"))
        XCTAssertEqual(service?["desiredCount"] as? Int, d.imagesReady ? (d.updated ? 2 : 1) : 0)

        // api.sign2text.com in the operator's zone, an alias of the load balancer
        let records = try await inspect.recordSets(zoneId: try XCTUnwrap(d.context["HOSTED_ZONE_ID"]))
        let record = try XCTUnwrap(records.first { $0.name == "api.sign2text.com." && $0.type == "A" }, "\(records)")
        XCTAssertEqual(record.aliasDNSName?.lowercased(), lb?.dnsName.lowercased())

        let logs = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket", "AccessLogs"))
        XCTAssertNotNil(logs, "access log bucket")
    }

    /// After `infra destroy`: what is deleted (the network with its gateways included), and what
    /// the template retains (as on AWS).
    @Sendable static func verifySign2TextGone(_ d: Deployed) async throws {
        let inspect = d.inspect
        let lb = try await inspect.loadBalancer(try d.physical("AWS::ElasticLoadBalancingV2::LoadBalancer"))
        XCTAssertNil(lb, "load balancer deleted")
        try await verifyNetworkGone(d)
        let records = try await inspect.recordSets(zoneId: try XCTUnwrap(d.context["HOSTED_ZONE_ID"]))
        XCTAssertEqual(records.filter { $0.name == "api.sign2text.com." }, [], "DNS record deleted")
        // retained by DeletionPolicy Retain, as on AWS: the repository (images) and the access logs
        let repositories = try await ECRClient(client: d.client).describeRepositories(names: ["sign2text"])
        XCTAssertEqual(repositories.map(\.repositoryName), ["sign2text"], "repository retained")
        let logs = try await S3Client(client: d.client).headBucket(try d.physical("AWS::S3::Bucket", "AccessLogs"))
        XCTAssertNotNil(logs, "access log bucket retained")
    }
}

// MARK: The golden variants

extension MotoDeployTests {
    /// A config variant of Tests/Snapshots (the golden templates), deployed as an operator with that
    /// config would: the resources its overrides name (a VPC, a certificate (imported: ISSUED, as
    /// preflight requires), a zone, a repository with its image) are created in moto first, and named by their moto ids instead of the
    /// snapshots' literal ones. Deletion protection is switched off where the config has it, so
    /// the variant can be destroyed.
    struct Variant: Sendable {
        var config: String
        var name: String
        var overrides: @Sendable (Inspect) async throws -> [String] = { _ in [] }
        var customResources: [String: CustomResourceProvider] = [:]
        var check: (@Sendable (Deployed) async throws -> Void)?
    }

    static let databaseInit: [String: CustomResourceProvider] = ["Custom::DatabaseInit": .answer(answerDatabaseInit)]
    static let coralHandlers: [String: CustomResourceProvider] = [
        "Custom::CoralSchema": .runHandler, "Custom::S3BucketNotifications": .runHandler]

    /// Every golden variant except the shipped configs (their whole lifecycle: `testEndToEnd*`) and
    /// ml-inference's `image-directory` (a Docker build: `mlInferenceCase.imageAsset`). A variant
    /// whose stack creates its image repositories deploys phase 1 of the image gate (the consumers
    /// held back); the example values of sign2text and the labeling tool get the operator's.
    static let goldenVariants: [Variant] = [
        Variant(config: "example.json", name: "small", overrides: { _ in ["VPC_CIDR=172.16.0.0/20", "FUNCTION_MEMORY=128"] },
                check: { d in
                    let subnets = try await d.inspect.subnets(vpcId: try d.physical("AWS::EC2::VPC"))
                    XCTAssertEqual(Set(subnets.map(\.cidr)), ["172.16.0.0/24", "172.16.1.0/24"])
                }),
        Variant(config: "coral-pipeline.json", name: "route53", overrides: { _ in
            ["DB_DELETION_PROTECTION=false", "HOSTED_ZONE_NAME=coral.example.org", "RECORD_NAME=app"]
        }, customResources: coralHandlers),
        Variant(config: "coral-pipeline.json", name: "route53-https", overrides: { inspect in
            let zone = try await inspect.createHostedZone("coral.example.org")
            return ["DB_DELETION_PROTECTION=false", "HOSTED_ZONE_NAME=coral.example.org",
                    "HOSTED_ZONE_ID=\(zone)", "RECORD_NAME=app"]
        }, customResources: coralHandlers, check: { d in
            let records = try await d.inspect.recordSets(zoneId: try XCTUnwrap(d.context["HOSTED_ZONE_ID"]))
            XCTAssertTrue(records.contains { $0.name == "app.coral.example.org." }, "\(records)")
        }),
        Variant(config: "coral-pipeline.json", name: "named", overrides: { _ in
            ["DB_DELETION_PROTECTION=false", "BUCKET_PREFIX=coral-example", "ECR_FRONTEND_APP=coral-frontend",
             "ECR_RESTORATION_LAMBDA=coral-restoration", "ECR_REFRAMING_LAMBDA=coral-reframing",
             "ECR_SEGMENTATION_LAMBDA=coral-segmentation", "FRONTEND_IMAGE_TAG=v1"]
        }, customResources: coralHandlers, check: { d in
            // the names the config gives, as created
            XCTAssertEqual(try d.physical("AWS::S3::Bucket", "ImagesRaw"), "coral-example-images-raw")
            XCTAssertEqual(try d.physical("AWS::S3::Bucket", "ModelSegmentation"), "coral-example-model-segmentation")
            let repositories = try await ECRClient(client: d.client).describeRepositories(
                names: ["coral-frontend", "coral-restoration", "coral-reframing", "coral-segmentation"])
            XCTAssertEqual(repositories.count, 4, "\(repositories.map(\.repositoryName))")
        }),
        Variant(config: "data-label.json", name: "existing-vpc", overrides: { inspect in
            let (vpc, subnets) = try await inspect.createVpc("10.20.0.0/16", subnets: ["10.20.1.0/24", "10.20.2.0/24"])
            return ["VPC_ID=\(vpc)", "PRIVATE_SUBNET_IDS=\(subnets.joined(separator: ","))"]
        }, check: { d in
            XCTAssertEqual(d.physicals("AWS::EC2::VPC"), [], "the operator's VPC is imported, not created")
        }),
        Variant(config: "data-label.json", name: "custom-domain", overrides: { inspect in
            let certificate = try await inspect.region("us-east-1").importCertificate(domain: "labels.example.com")
            return ["SITE_DOMAIN=labels.example.com", "SITE_CERTIFICATE_ARN=\(certificate)"]
        }),
        Variant(config: "data-label.json", name: "route53", overrides: { inspect in
            let certificate = try await inspect.region("us-east-1").importCertificate(domain: "labels.example.com")
            let zone = try await inspect.createHostedZone("example.com")
            return ["SITE_DOMAIN=labels.example.com", "SITE_CERTIFICATE_ARN=\(certificate)", "HOSTED_ZONE_ID=\(zone)",
                    "HOSTED_ZONE_NAME=example.com"]
        }),
        Variant(config: "data-label.json", name: "existing-repository", overrides: { inspect in
            try await pushExisting(inspect, repository: "team/scraper", tag: "2024-06-01")
            return ["SCRAPER_REPOSITORY_NAME=team/scraper", "SCRAPER_IMAGE_TAG=2024-06-01", "SCRAPER_TASK_COUNT=1",
                    "API_CORS_ORIGINS=https://labels.example.com,http://localhost:5173", "DEDUP_TTL_ATTRIBUTE=null",
                    "ACCESS_LOG_RETENTION_DAYS=null", "API_ACCESS_LOGS=true", "API_CLOUDWATCH_ROLE=true"]
        }, check: { d in
            XCTAssertEqual(d.physicals("AWS::ECR::Repository"), [], "the operator's repository is used, not created")
        }),
        Variant(config: "labeling-tool.json", name: "certificate", overrides: { inspect in
            let certificate = try await inspect.importCertificate(domain: "labels.example.com")
            return ["DB_DELETION_PROTECTION=false", "CERTIFICATE_ARN=\(certificate)", operatorEmail]
        }, customResources: databaseInit, check: { d in
            let listeners = try await d.inspect.listeners(
                loadBalancerArn: try d.physical("AWS::ElasticLoadBalancingV2::LoadBalancer"))
            XCTAssertEqual(listeners.last?.certificates, [try XCTUnwrap(d.context["CERTIFICATE_ARN"])])
        }),
        Variant(config: "labeling-tool.json", name: "existing-vpc", overrides: { inspect in
            try await labelingToolVpc(inspect) + ["DB_DELETION_PROTECTION=false", operatorEmail]
        }, customResources: databaseInit),
        Variant(config: "labeling-tool.json", name: "existing-vpc-certificate", overrides: { inspect in
            let certificate = try await inspect.importCertificate(domain: "labels.example.com")
            return try await labelingToolVpc(inspect) + ["DB_DELETION_PROTECTION=false", "CERTIFICATE_ARN=\(certificate)",
                                                         operatorEmail]
        }, customResources: databaseInit),
        Variant(config: "ml-inference.json", name: "amplify", overrides: { _ in
            ["HOSTING=amplify", "AMPLIFY_REPOSITORY_URL=https://github.com/example/iris-frontend",
             "AMPLIFY_ACCESS_TOKEN_SECRET=ml-inference/github", "AMPLIFY_ACCESS_TOKEN_SECRET_FIELD=token"]
        }),
        Variant(config: "ml-inference.json", name: "custom-domain", overrides: { inspect in
            let certificate = try await inspect.importCertificate(domain: "iris.example.com")
            let zone = try await inspect.createHostedZone("example.com")
            return ["SITE_DOMAIN=iris.example.com", "SITE_CERTIFICATE_ARN=\(certificate)", "HOSTED_ZONE_ID=\(zone)",
                    "HOSTED_ZONE_NAME=example.com", "CALLBACK_URLS=[]", "LOGOUT_URLS=[]"]
        }),
        Variant(config: "ml-inference.json", name: "image-uri", overrides: { inspect in
            try await pushExisting(inspect, repository: "iris-model", tag: "2021-03")
            return ["INFERENCE_IMAGE_URI=123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-model:2021-03",
                    "INFERENCE_IMAGE_TAG=null", "TABLE_ENCRYPTION=aws-managed", "API_CORS_ORIGINS=https://iris.example.com",
                    "ACCESS_LOG_RETENTION_DAYS=null"]
        }),
        Variant(config: "ml-inference.json", name: "existing-repository", overrides: { inspect in
            try await pushExisting(inspect, repository: "ml/iris", tag: "2021-03")
            return ["INFERENCE_REPOSITORY_NAME=ml/iris", "INFERENCE_IMAGE_TAG=2021-03", "SELF_SIGN_UP=true", "API_METHOD=ANY",
                    "API_ACCESS_LOGS=true", "API_CLOUDWATCH_ROLE=true"]
        }),
        Variant(config: "sign2text.json", name: "existing-certificate", overrides: { inspect in
            let certificate = try await inspect.importCertificate(domain: "api.sign2text.com")
            let zone = try await inspect.createHostedZone("sign2text.com")
            return ["CERTIFICATE_ARN=\(certificate)", "HOSTED_ZONE_ID=\(zone)", "HOSTED_ZONE_NAME=sign2text.com"]
        }, check: { d in
            XCTAssertEqual(d.physicals("AWS::CertificateManager::Certificate"), [], "the operator's certificate is used")
        }),
        Variant(config: "sign2text.json", name: "no-route53", overrides: { inspect in
            let certificate = try await inspect.importCertificate(domain: "api.sign2text.com")
            return ["HOSTED_ZONE_ID=null", "HOSTED_ZONE_NAME=null", "CERTIFICATE_ARN=\(certificate)"]
        }),
    ]

    /// A repository the operator has, with an image pushed under `tag`.
    static func pushExisting(_ inspect: Inspect, repository: String, tag: String) async throws {
        let ecr = ECRClient(client: inspect.client)
        try await ecr.createRepository(name: repository)
        try await ecr.putImage(repositoryName: repository, imageManifest: ImagePhases.manifest, imageTag: tag)
    }

    /// The labeling tool's existing network: a VPC with public, private and isolated subnets in two zones.
    static func labelingToolVpc(_ inspect: Inspect) async throws -> [String] {
        let (vpc, s) = try await inspect.createVpc("10.30.0.0/16", subnets: [
            "10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24", "10.30.3.0/24", "10.30.4.0/24", "10.30.5.0/24"])
        func list(_ ids: ArraySlice<String>) -> String { "[" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return ["VPC_ID=\(vpc)", "PUBLIC_SUBNET_IDS=\(list(s[0..<2]))", "PRIVATE_SUBNET_IDS=\(list(s[2..<4]))",
                "ISOLATED_SUBNET_IDS=\(list(s[4..<6]))"]
    }
}

import InfraDSL

/// Sign2Text (seed 003): the FastAPI server that runs the sign language ONNX model, on Fargate
/// behind an HTTPS load balancer, with its ECR repository and a Route 53 name. It replaces the
/// seed's hand-made EC2 instance, Elastic IP, load balancer and alias record.
///
/// Architecture:
/// - **Image.** An ECR repository (name generated unless `REPOSITORY_NAME`, scanned on push,
///   KMS encrypted, keeps the newest `KEEP_IMAGES` images, retained on deletion; tags mutable
///   for `IMAGE_TAG` `latest`, immutable otherwise). The service runs `<repository>:<IMAGE_TAG>`
///   and its execution role may pull only from this repository.
///   First deployment, in two phases (the image gate `ApiImageReady`, see `ImageGate`): the first
///   `infra deploy` creates the repository with the service at zero tasks and prints the push
///   commands; after the push, `infra deploy` again starts the service. With a versioned
///   `IMAGE_TAG`, release by pushing a new tag and deploying with it: an immutable tag is never
///   overwritten, so what runs is always what was deployed.
/// - **Network.** A VPC (`VPC_CIDR`) over two availability zones with public subnets (load
///   balancer, NAT) and private subnets with NAT (`NAT_GATEWAYS`) for the tasks; flow logs of
///   rejected traffic.
/// - **Service.** A Fargate service (`TASK_CPU`/`TASK_MEMORY`, default 2 vCPU / 6 GiB as the
///   model needs about 6 GB, `DESIRED_COUNT`) in the private subnets, reachable only from the
///   load balancer on `CONTAINER_PORT` (8000), health-checked on `HEALTH_CHECK_PATH` (`/docs`)
///   after a `HEALTH_CHECK_GRACE_SECONDS` (300) grace period for the model to load, deployment
///   circuit breaker with rollback.
/// - **Load balancer.** Internet-facing; HTTP on 80 redirects to HTTPS on 443 (TLS 1.3/1.2
///   policy) with the certificate `CERTIFICATE_ARN`, or, when it is null, a new ACM certificate
///   for `<SUBDOMAIN>.<HOSTED_ZONE_NAME>` validated by DNS in the hosted zone (CloudFormation
///   creates the validation record and waits). Idle timeout `IDLE_TIMEOUT_SECONDS` (300) for
///   video uploads and inference. Access logs to a private, TLS-only bucket (`ALB_ACCESS_LOGS`,
///   kept `ACCESS_LOG_RETENTION_DAYS`).
/// - **DNS.** An alias A record `<SUBDOMAIN>.<HOSTED_ZONE_NAME>` (default `api.sign2text.com`)
///   to the load balancer in the existing zone `HOSTED_ZONE_ID`. Route 53 is optional, as in the
///   seed: with `HOSTED_ZONE_ID` and `HOSTED_ZONE_NAME` null there is no record (point your own
///   DNS at the `LoadBalancerDnsName` output) and `CERTIFICATE_ARN` is then required, as HTTPS
///   is the point of the seed's load balancer and a certificate can only be validated in a zone.
///
/// Context keys (config/sign2text.json; `Settings` documents each): `VPC_CIDR` (10.0.0.0/16),
/// `NAT_GATEWAYS` (1), `REPOSITORY_NAME` (null: generated), `IMAGE_TAG` (latest), `KEEP_IMAGES`
/// (10), `CONTAINER_PORT` (8000), `TASK_CPU` (2048), `TASK_MEMORY` (6144),
/// `DESIRED_COUNT` (1), `HEALTH_CHECK_PATH` (/docs), `HEALTH_CHECK_GRACE_SECONDS` (300),
/// `IDLE_TIMEOUT_SECONDS` (300), `CERTIFICATE_ARN` (null: created), `HOSTED_ZONE_ID` and
/// `HOSTED_ZONE_NAME` (the config ships them as examples, `{"$example": ...}`: `infra synth`
/// uses them, `infra deploy` refuses until they name your zone; null: no Route 53), `SUBDOMAIN` (api), `ALB_ACCESS_LOGS` (true),
/// `ACCESS_LOG_RETENTION_DAYS` (90). An unknown key, a wrong type or an invalid value is a
/// `ConfigError` naming the file and the key.
///
/// Outputs: `Url`, `RepositoryUri`, `LoadBalancerDnsName`.
///
/// Kept by `infra destroy` (retained): the ECR repository with its images, the access-log
/// bucket, the service's and the flow logs' log groups. Delete them by hand when they are no longer needed; a
/// later deploy creates new ones (generated names) and does not collide with them.
///
/// cfn-lint: no errors and no warnings on the goldens.
public enum Sign2TextStack {
    public static let definitionName = "sign2text"
    public static let summary = "Sign2Text FastAPI model server on Fargate behind an HTTPS ALB, ECR repository, Route 53 record"

    /// Builds the stack of a config file (`config/sign2text.json`).
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        let settings = try Settings(config: config)
        let stack = Stack(app, config: config)
        define(stack, settings)
        return stack
    }

    /// Builds the stack from typed settings (for other Swift packages). Invalid settings are
    /// reported when the app synthesizes, by context key.
    @discardableResult
    public static func build(
        _ app: App, stackName: String, settings: Settings, region: String? = nil, account: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false
    ) -> Stack {
        let stack = Stack(app, stackName, stackName: stackName, account: account, region: region, description: description,
                          tags: tags, terminationProtection: terminationProtection)
        for problem in settings.problems() { app.report(path: stack.path, "\(problem.key): \(problem.message)") }
        define(stack, settings)
        return stack
    }

    /// Adds the Sign2Text resources to `stack`.
    public static func define(_ stack: Stack, _ s: Settings) {
        let repository = Repository(stack, "Repository", repositoryName: s.repositoryName, maxImageCount: s.keepImages)
        let vpc = Vpc(stack, "Vpc", cidr: s.vpcCidr, subnetConfiguration: [.public(), .privateWithEgress()], natGateways: s.natGateways)
        let cluster = Cluster(stack, "Cluster", vpc: vpc)

        var zone: (any HostedZoneRef)?
        if let id = s.hostedZoneId, let name = s.hostedZoneName {
            zone = HostedZone.imported(stack, "HostedZone", hostedZoneId: StringValue(id), zoneName: name)
        }
        let certificate: ApplicationLoadBalancedFargateService.CertificateSource =
            s.certificateArn.map { .arn(StringValue($0)) } ?? (zone != nil ? .create : .none)

        var accessLogs: LoadBalancerAccessLogs?
        if s.albAccessLogs {
            let bucket = Bucket(stack, "AccessLogs", lifecycleRules: [.init(id: "expire", expiration: s.accessLogRetention)])
            accessLogs = LoadBalancerAccessLogs(bucket: bucket, prefix: "alb")
        }
        let api = ApplicationLoadBalancedFargateService(
            stack, "Api", cluster: cluster,
            image: .fromRepository(repository, tag: s.imageTag, contextKeys: ["IMAGE_TAG", "REPOSITORY_NAME"]),
            containerPort: s.containerPort, cpu: s.taskCpu, memory: s.taskMemory, desiredCount: s.desiredCount,
            healthCheck: TargetGroupHealthCheck(path: s.healthCheckPath, interval: .seconds(30), timeout: .seconds(10)),
            healthCheckGracePeriod: s.healthCheckGracePeriod, certificate: certificate,
            domainName: zone == nil ? nil : s.subdomain, hostedZone: zone, accessLogs: accessLogs,
            taskSubnetType: .privateWithEgress, idleTimeout: s.idleTimeout)

        _ = Output(stack, "Url", value: api.url, description: "The API (its documentation is at /docs)")
        _ = Output(stack, "RepositoryUri", value: repository.repositoryUri,
                   description: "Push the image here as <uri>:<IMAGE_TAG>")
        _ = Output(stack, "LoadBalancerDnsName", value: api.loadBalancer.dnsName, description: "The load balancer's DNS name")
    }
}

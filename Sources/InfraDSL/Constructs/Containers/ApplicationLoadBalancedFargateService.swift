import InfraCore
import InfraResources

/// A Fargate service behind an application load balancer, optionally with HTTPS and a DNS name:
/// the web application pattern.
///
/// What it creates (defaults):
/// - a task definition (256 CPU / 512 MiB unless given) with one container `web` mapping
///   `containerPort` (default 80), logging to a log group kept 365 days;
/// - an internet-facing load balancer in the public subnets, with its own security group open
///   on its listener ports from anywhere, invalid header fields dropped;
/// - a target group (`ip` targets, health check on `healthCheckPath`, default `/`);
/// - without a certificate: an HTTP listener on 80 forwarding to the service;
///   with a certificate: an HTTPS listener on 443 (TLS 1.3/1.2 policy) forwarding to the service
///   and an HTTP listener on 80 that redirects to HTTPS;
/// - with `domainName` and `hostedZone`: an alias A record to the load balancer; with a
///   hosted zone and no certificate, `certificate: .create` makes a DNS-validated one;
/// - a `FargateService` (1 task, private subnets with NAT else public, circuit breaker with
///   rollback, 60 s health check grace period) whose security group admits only the load
///   balancer, on the container port.
public final class ApplicationLoadBalancedFargateService: Construct {
    /// How the HTTPS listener gets its certificate.
    public enum CertificateSource {
        /// No HTTPS: HTTP on port 80 only.
        case none
        /// An existing or app-created certificate.
        case certificate(any CertificateRef)
        /// An ACM certificate by ARN.
        case arn(StringValue)
        /// A new certificate for `domainName`, validated in `hostedZone`.
        case create
    }

    public let cluster: any ClusterRef
    public var taskDefinition: TaskDefinition { parts!.taskDefinition }
    /// The application container (nil when a given task definition has none, which synthesis
    /// reports).
    public var container: ContainerDefinition? { parts!.container }
    public var loadBalancer: ApplicationLoadBalancer { parts!.loadBalancer }
    public var targetGroup: ApplicationTargetGroup { parts!.targetGroup }
    /// The listener that forwards to the service (HTTPS with a certificate, else HTTP).
    public var listener: ApplicationListener { parts!.listener }
    /// The HTTP listener redirecting to HTTPS (only with a certificate).
    public var redirectListener: ApplicationListener? { parts!.redirectListener }
    public var service: FargateService { parts!.service }
    public var certificate: (any CertificateRef)? { parts!.certificate }
    public var record: ARecord? { parts!.record }
    public let domainName: String?
    private let certificateSource: CertificateSource
    private let hostedZone: (any HostedZoneRef)?

    /// What `init` creates, set once at its end (the parts need the construct itself as scope).
    private struct Parts {
        var taskDefinition: TaskDefinition
        var container: ContainerDefinition?
        var loadBalancer: ApplicationLoadBalancer
        var targetGroup: ApplicationTargetGroup
        var listener: ApplicationListener
        var redirectListener: ApplicationListener?
        var service: FargateService
        var certificate: (any CertificateRef)?
        var record: ARecord?
    }
    private var parts: Parts?

    /// - Parameters:
    ///   - cluster: where the service runs (its VPC hosts the load balancer).
    ///   - image: the application image.
    ///   - containerPort: the port the application listens on (default 80).
    ///   - cpu, memory: task size (default 256 / `.mebibytes(512)`; Fargate's combinations apply).
    ///   - environment, secrets: for the container (default none).
    ///   - desiredCount: default 1.
    ///   - healthCheckPath: default `/`.
    ///   - healthCheck: the full target group health check (default nil: `healthCheckPath` with
    ///     the `TargetGroupHealthCheck` defaults).
    ///   - healthCheckGracePeriod: default `.seconds(60)`.
    ///   - certificate: default `.none`.
    ///   - domainName: a name in `hostedZone` (default nil: no record; reach the service at the
    ///     load balancer's DNS name).
    ///   - hostedZone: default nil.
    ///   - publicLoadBalancer: default true.
    ///   - accessLogs: default nil.
    ///   - taskSubnetType: default nil (private with NAT, else public).
    ///   - deployment: default `DeploymentOptions()`.
    ///   - idleTimeout: the load balancer's idle timeout (default `.seconds(60)`; raise it for slow
    ///     requests such as model inference).
    public init(
        _ scope: Construct, _ id: String, cluster: any ClusterRef, image: ContainerImage, containerPort: Int = 80,
        cpu: Int = 256, memory: MemorySize = .mebibytes(512), environment: [String: StringValue] = [:],
        secrets: [String: ContainerSecret] = [:], desiredCount: Int = 1, healthCheckPath: String = "/",
        healthCheck: TargetGroupHealthCheck? = nil, healthCheckGracePeriod: TimeSpan = .seconds(60),
        certificate: CertificateSource = .none, domainName: String? = nil, hostedZone: (any HostedZoneRef)? = nil,
        publicLoadBalancer: Bool = true, accessLogs: LoadBalancerAccessLogs? = nil, taskSubnetType: SubnetType? = nil,
        deployment: DeploymentOptions = DeploymentOptions(), idleTimeout: TimeSpan = .seconds(60)
    ) {
        self.cluster = cluster
        self.domainName = domainName
        self.certificateSource = certificate
        self.hostedZone = hostedZone
        super.init(scope, id)
        let task = TaskDefinition(self, "TaskDefinition", compatibility: .fargate, cpu: cpu, memory: memory)
        let container = task.addContainer("web", image: image, portMappings: [PortMapping(containerPort: containerPort)],
                                          environment: environment, secrets: secrets)
        parts = setUp(task: task, container: container, containerPort: containerPort, desiredCount: desiredCount, healthCheck: healthCheck ?? TargetGroupHealthCheck(path: healthCheckPath),
              healthCheckGracePeriod: healthCheckGracePeriod, publicLoadBalancer: publicLoadBalancer,
              accessLogs: accessLogs, taskSubnetType: taskSubnetType, deployment: deployment, idleTimeout: idleTimeout)
    }

    /// The same, with a task definition built by the caller (its default container and that
    /// container's first port are put behind the load balancer).
    public init(
        _ scope: Construct, _ id: String, cluster: any ClusterRef, taskDefinition: TaskDefinition, desiredCount: Int = 1,
        healthCheckPath: String = "/", healthCheck: TargetGroupHealthCheck? = nil, healthCheckGracePeriod: TimeSpan = .seconds(60),
        certificate: CertificateSource = .none, domainName: String? = nil, hostedZone: (any HostedZoneRef)? = nil,
        publicLoadBalancer: Bool = true, accessLogs: LoadBalancerAccessLogs? = nil, taskSubnetType: SubnetType? = nil,
        deployment: DeploymentOptions = DeploymentOptions(), idleTimeout: TimeSpan = .seconds(60)
    ) {
        self.cluster = cluster
        self.domainName = domainName
        self.certificateSource = certificate
        self.hostedZone = hostedZone
        super.init(scope, id)
        let container = taskDefinition.defaultContainer
        parts = setUp(task: taskDefinition, container: container, containerPort: container?.containerPort ?? 80, desiredCount: desiredCount,
              healthCheck: healthCheck ?? TargetGroupHealthCheck(path: healthCheckPath),
              healthCheckGracePeriod: healthCheckGracePeriod, publicLoadBalancer: publicLoadBalancer,
              accessLogs: accessLogs, taskSubnetType: taskSubnetType, deployment: deployment, idleTimeout: idleTimeout)
    }

    private func setUp(task: TaskDefinition, container: ContainerDefinition?, containerPort: Int, desiredCount: Int, healthCheck: TargetGroupHealthCheck, healthCheckGracePeriod: TimeSpan,
                       publicLoadBalancer: Bool, accessLogs: LoadBalancerAccessLogs?, taskSubnetType: SubnetType?,
                       deployment: DeploymentOptions, idleTimeout: TimeSpan) -> Parts {
        let vpc = cluster.vpc
        let lb = ApplicationLoadBalancer(self, "LoadBalancer", vpc: vpc, internetFacing: publicLoadBalancer,
                                         idleTimeout: idleTimeout, accessLogs: accessLogs)
        let tg = ApplicationTargetGroup(self, "TargetGroup", vpc: vpc, port: containerPort, healthCheck: healthCheck)

        var certificate: (any CertificateRef)?
        var certificateArn: StringValue?
        switch certificateSource {
        case .none: break
        case .certificate(let c):
            certificate = c
            certificateArn = c.certificateArn
        case .arn(let arn):
            certificateArn = arn
        case .create:
            if let domainName, let hostedZone {
                let c = Certificate(self, "Certificate", domainName: hostedZone.qualify(domainName), hostedZone: hostedZone)
                certificate = c
                certificateArn = c.certificateArn
            }
        }
        let listener: ApplicationListener
        var redirectListener: ApplicationListener?
        if let arn = certificateArn {
            listener = lb.addListener("HttpsListener", protocol: .https, certificateArns: [arn], defaultAction: .forward(tg))
            redirectListener = lb.addRedirect("HttpListener")
        } else {
            listener = lb.addListener("HttpListener", protocol: .http, defaultAction: .forward(tg))
        }

        let svc = FargateService(self, "Service", cluster: cluster, taskDefinition: task, desiredCount: desiredCount,
                                 subnetType: taskSubnetType, deployment: deployment,
                                 healthCheckGracePeriod: healthCheckGracePeriod)
        svc.attachToTargetGroup(tg, containerName: container?.name, containerPort: containerPort)

        var record: ARecord?
        if let domainName, let hostedZone {
            record = ARecord(self, "DnsRecord", zone: hostedZone, recordName: domainName, target: .alias(lb))
        }
        return Parts(taskDefinition: task, container: container, loadBalancer: lb, targetGroup: tg, listener: listener,
                     redirectListener: redirectListener, service: svc, certificate: certificate, record: record)
    }

    /// The URL clients use: `https://<domain>` / `http://<domain>` with a DNS record, else the
    /// load balancer's DNS name.
    public var url: StringValue {
        let scheme = listener.listenerProtocol == .https ? "https" : "http"
        if let r = record { return StringValue("\(scheme)://\(r.domainName)") }
        return "\(scheme)://\(loadBalancer.dnsName)"
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if domainName != nil && hostedZone == nil {
            errors.append("domainName needs a hostedZone to create its record in")
        }
        if case .create = certificateSource, domainName == nil || hostedZone == nil {
            errors.append("certificate: .create needs domainName and hostedZone to validate the certificate")
        }
        if let d = domainName, let zone = hostedZone, !zone.contains(zone.qualify(d)) {
            errors.append("'\(d)' is not in the hosted zone '\(zone.zoneName)'")
        }
        if let container {
            if container.containerPort == nil { errors.append("container '\(container.name)' maps no port") }
        } else {
            errors.append("the task definition has no container to put behind the load balancer")
        }
        return errors
    }
}

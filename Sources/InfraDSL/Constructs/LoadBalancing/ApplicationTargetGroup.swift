import InfraCore
import InfraResources

/// A target group of an application load balancer.
///
/// Defaults: HTTP on port 80, `ip` targets (what `awsvpc` tasks register as), the health check
/// of `TargetGroupHealthCheck()`, a 30-second deregistration delay (shorter than AWS's 300 s,
/// so deployments finish sooner; requests to these applications are short), no stickiness.
public final class ApplicationTargetGroup: Construct {
    public enum TargetType: String, Sendable { case ip, instance }
    public enum TargetProtocol: String, Sendable { case http = "HTTP", https = "HTTPS" }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ElasticLoadBalancingV2.TargetGroup { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ElasticLoadBalancingV2.TargetGroup?
    public let port: Int
    public let targetType: TargetType
    public let healthCheck: TargetGroupHealthCheck
    private let deregistrationDelay: TimeSpan
    private let stickiness: TimeSpan?
    /// Listeners and rules that route to the group: a service registering targets depends on
    /// them, as ECS rejects a target group that no load balancer uses yet.
    public internal(set) var routingResources: [Resource] = []
    /// Load balancers whose listeners route to the group.
    public private(set) var loadBalancers: [ApplicationLoadBalancer] = []
    /// Targets registered by services, with the port they receive traffic on.
    private var targets: [(target: Connectable, port: Port)] = []
    private var linked = Set<String>()

    /// - Parameters:
    ///   - port: the port targets receive traffic on (default 80).
    ///   - protocol: default `.http`.
    ///   - targetType: default `.ip`.
    ///   - healthCheck: default `TargetGroupHealthCheck()`.
    ///   - deregistrationDelay: default `.seconds(30)` (up to 1 hour).
    ///   - stickinessCookieDuration: load-balancer cookie stickiness, 1 second to 7 days
    ///     (default nil: none).
    public init(_ scope: Construct, _ id: String, vpc: VpcRef, port: Int = 80, protocol: TargetProtocol = .http,
                targetType: TargetType = .ip, healthCheck: TargetGroupHealthCheck = TargetGroupHealthCheck(),
                deregistrationDelay: TimeSpan = .seconds(30), stickinessCookieDuration: TimeSpan? = nil) {
        self.port = port
        self.targetType = targetType
        self.healthCheck = healthCheck
        self.deregistrationDelay = deregistrationDelay
        self.stickiness = stickinessCookieDuration
        super.init(scope, id)
        resourceStorage = ElasticLoadBalancingV2.TargetGroup(self, "Resource") {
            $0.vpcId = vpc.vpcId
            $0.port = NumberValue(port)
            $0.protocol = .init(`protocol`.rawValue)
            $0.targetType = .init(targetType.rawValue)
            $0.healthCheckEnabled = true
            $0.healthCheckPath = StringValue(healthCheck.path)
            $0.healthCheckProtocol = .init(`protocol`.rawValue)
            if let p = healthCheck.port { $0.healthCheckPort = StringValue(String(p)) }
            $0.healthCheckIntervalSeconds = NumberValue(healthCheck.interval.seconds)
            $0.healthCheckTimeoutSeconds = NumberValue(healthCheck.timeout.seconds)
            $0.healthyThresholdCount = NumberValue(healthCheck.healthyThresholdCount)
            $0.unhealthyThresholdCount = NumberValue(healthCheck.unhealthyThresholdCount)
            $0.matcher = .init { $0.httpCode = StringValue(healthCheck.healthyHttpCodes) }
            typealias Attribute = ElasticLoadBalancingV2.TargetGroup.TargetGroupAttribute
            func attribute(_ key: StringValue, _ value: StringValue) -> Attribute {
                Attribute { $0.key = key; $0.value = value }
            }
            var attributes = [attribute("deregistration_delay.timeout_seconds", StringValue(String(deregistrationDelay.seconds)))]
            if let s = stickinessCookieDuration?.seconds {
                attributes += [attribute("stickiness.enabled", "true"), attribute("stickiness.type", "lb_cookie"),
                               attribute("stickiness.lb_cookie.duration_seconds", StringValue(String(s)))]
            }
            $0.targetGroupAttributes = ListValue(attributes)
        }
    }

    /// Records a listener (or rule) of `loadBalancer` that routes to the group, and lets the
    /// load balancer reach the targets already registered.
    func addRouting(_ resource: Resource, from loadBalancer: ApplicationLoadBalancer) {
        routingResources.append(resource)
        if !loadBalancers.contains(where: { $0 === loadBalancer }) { loadBalancers.append(loadBalancer) }
        link()
    }

    /// Records targets (a service) receiving traffic on `port`, and lets every load balancer
    /// that routes to the group reach them on that port, and nothing else.
    public func registerTargets(_ target: Connectable, port: Port) {
        targets.append((target, port))
        link()
    }

    private func link() {
        for lb in loadBalancers {
            for t in targets {
                let key = "\(UInt(bitPattern: ObjectIdentifier(lb)))-\(UInt(bitPattern: ObjectIdentifier(t.target)))-\(t.port)"
                if linked.insert(key).inserted {
                    t.target.connections.allow(from: lb, port: t.port, description: "from the load balancer \(lb.path)")
                }
            }
        }
    }

    /// The target group ARN (`Ref`).
    public var arn: StringValue { resource.ref }
    /// The full name for CloudWatch metrics (`targetgroup/<name>/<id>`).
    public var fullName: StringValue { resource.attrTargetGroupFullName }
    /// The target group name.
    public var name: StringValue { resource.attrTargetGroupName }

    public override func validate() -> [String] {
        var errors: [String] = []
        let h = healthCheck
        if !Validate.ports.contains(port) { errors.append("port \(port) is out of range") }
        if !h.path.hasPrefix("/") { errors.append("the health check path must start with '/' (got '\(h.path)')") }
        if let problem = h.interval.problem("the health check interval", in: .seconds(5)...(.minutes(5))) { errors.append(problem) }
        if let problem = h.timeout.problem("the health check timeout", in: .seconds(2)...(.minutes(2))) { errors.append(problem) }
        if h.timeout >= h.interval { errors.append("the health check timeout must be shorter than its interval") }
        if !(2...10).contains(h.healthyThresholdCount) { errors.append("healthyThresholdCount must be 2-10") }
        if !(2...10).contains(h.unhealthyThresholdCount) { errors.append("unhealthyThresholdCount must be 2-10") }
        if let problem = deregistrationDelay.problem("deregistrationDelay", in: .zero...(.hours(1))) { errors.append(problem) }
        if let problem = stickiness?.problem("stickinessCookieDuration", in: .seconds(1)...(.days(7))) { errors.append(problem) }
        if routingResources.isEmpty {
            errors.append("no listener routes to this target group (use it in a listener's action)")
        }
        return errors
    }
}

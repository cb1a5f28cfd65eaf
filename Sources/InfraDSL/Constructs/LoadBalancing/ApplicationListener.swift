import InfraCore
import InfraResources

/// A listener of an application load balancer: a port, a protocol and what to do with
/// requests (the default action, plus rules by path or host). Create it with
/// `ApplicationLoadBalancer.addListener` or `addRedirect`.
///
/// Defaults: HTTPS on 443 when certificates are given, else HTTP on 80; the TLS policy
/// `ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.3 and 1.2 only, AWS's recommendation); open to
/// the internet on its port (`open: false` to allow clients through `connections` instead).
public final class ApplicationListener: Construct {
    public enum ListenerProtocol: String, Sendable { case http = "HTTP", https = "HTTPS" }

    /// The TLS 1.3/1.2 policy AWS recommends.
    public static let recommendedSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ElasticLoadBalancingV2.Listener { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ElasticLoadBalancingV2.Listener?
    public unowned let loadBalancer: ApplicationLoadBalancer
    public let port: Int
    public let listenerProtocol: ListenerProtocol
    public private(set) var certificateArns: [StringValue]
    public let defaultAction: ListenerAction
    public private(set) var rules: [(priority: Int, resource: ElasticLoadBalancingV2.ListenerRule, action: ListenerAction)] = []
    private let sslPolicy: String

    init(loadBalancer: ApplicationLoadBalancer, id: String, port: Int?, protocol: ListenerProtocol?, certificateArns: [StringValue],
         sslPolicy: String, defaultAction: ListenerAction, open: Bool) {
        self.loadBalancer = loadBalancer
        let proto = `protocol` ?? (certificateArns.isEmpty ? .http : .https)
        self.listenerProtocol = proto
        self.port = port ?? (proto == .https ? 443 : 80)
        self.certificateArns = []
        self.defaultAction = defaultAction
        self.sslPolicy = sslPolicy
        super.init(loadBalancer, id)
        let r = ElasticLoadBalancingV2.Listener(self, "Resource") {
            $0.loadBalancerArn = loadBalancer.arn
            $0.port = NumberValue(self.port)
            $0.protocol = .init(proto.rawValue)
            $0.defaultActions = [defaultAction.listenerAction()]
            if proto == .https {
                $0.sslPolicy = StringValue(sslPolicy)
            }
        }
        resourceStorage = r
        for c in certificateArns { addCertificate(c) }
        for g in defaultAction.targetGroups { g.addRouting(r, from: loadBalancer) }
        if open {
            loadBalancer.connections.allow(fromCidr: "0.0.0.0/0", port: .tcp(self.port),
                                           description: "from the internet to \(proto.rawValue) \(self.port)")
        }
    }

    /// The listener ARN (`Ref`).
    public var arn: StringValue { resource.ref }

    /// Adds a certificate (the first one is the default; the others are served by SNI).
    public func addCertificate(_ arn: StringValue) {
        certificateArns.append(arn)
        if certificateArns.count > 1 && additionalCertificates == nil {
            additionalCertificates = ElasticLoadBalancingV2.ListenerCertificate(self, "AdditionalCertificates") {
                $0.listenerArn = self.arn
            }
        }
    }

    private var additionalCertificates: ElasticLoadBalancingV2.ListenerCertificate?

    /// Routes requests matching paths (`/api/*`) and/or host names to `action`, before the
    /// default action. Lower priorities are evaluated first (1-50000, unique per listener).
    @discardableResult
    public func addRule(_ id: String, priority: Int, pathPatterns: [String] = [], hostHeaders: [String] = [],
                        action: ListenerAction) -> ElasticLoadBalancingV2.ListenerRule {
        let rule = ElasticLoadBalancingV2.ListenerRule(self, id) {
            $0.listenerArn = self.arn
            $0.priority = NumberValue(priority)
            $0.actions = action.ruleAction()
            var conditions: [ElasticLoadBalancingV2.ListenerRule.RuleCondition] = []
            if !pathPatterns.isEmpty {
                conditions.append(.init {
                    $0.field = "path-pattern"
                    $0.pathPatternConfig = .init { $0.values = ListValue(pathPatterns.map { StringValue($0) }) }
                })
            }
            if !hostHeaders.isEmpty {
                conditions.append(.init {
                    $0.field = "host-header"
                    $0.hostHeaderConfig = .init { $0.values = ListValue(hostHeaders.map { StringValue($0) }) }
                })
            }
            $0.conditions = ListValue(conditions)
        }
        for g in action.targetGroups { g.addRouting(rule, from: loadBalancer) }
        rules.append((priority, rule, action))
        if pathPatterns.isEmpty && hostHeaders.isEmpty { ruleProblems.append("rule '\(id)' needs path patterns or host headers") }
        if pathPatterns.count + hostHeaders.count > 5 { ruleProblems.append("rule '\(id)' has more than 5 condition values") }
        return rule
    }

    private var ruleProblems: [String] = []

    public override func prepare() {
        if !certificateArns.isEmpty {
            resource.certificates = [.init { $0.certificateArn = self.certificateArns[0] }]
            additionalCertificates?.certificates = ListValue(certificateArns.dropFirst().map { c in .init { $0.certificateArn = c } })
        }
    }

    public override func validate() -> [String] {
        var errors = ruleProblems + defaultAction.validate()
        if !Validate.ports.contains(port) { errors.append("port \(port) is out of range") }
        if listenerProtocol == .https && certificateArns.isEmpty {
            errors.append("an HTTPS listener needs a certificate")
        }
        if listenerProtocol == .http && !certificateArns.isEmpty {
            errors.append("certificates apply to HTTPS listeners only (this listener is HTTP on port \(port))")
        }
        if listenerProtocol == .https && !sslPolicy.hasPrefix("ELBSecurityPolicy-") {
            errors.append("'\(sslPolicy)' is not an ELB security policy")
        }
        if listenerProtocol == .https && ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-TLS-1-0-2015-04",
                                          "ELBSecurityPolicy-TLS-1-1-2017-01"].contains(sslPolicy) {
            errors.append("the TLS policy '\(sslPolicy)' allows TLS 1.0/1.1; use \(Self.recommendedSslPolicy)")
        }
        var priorities = Set<Int>()
        for rule in rules {
            if !(1...50000).contains(rule.priority) { errors.append("rule priority \(rule.priority) must be 1-50000") }
            if !priorities.insert(rule.priority).inserted { errors.append("rule priority \(rule.priority) is used twice") }
            errors += rule.action.validate()
        }
        for action in [defaultAction] + rules.map(\.action) where action.redirectsToHttps {
            let target = action.redirectPort ?? 443
            if !loadBalancer.listeners.contains(where: { $0.listenerProtocol == .https && $0.port == target }) {
                errors.append("redirects to HTTPS on port \(target), but the load balancer has no HTTPS listener on that port")
            }
            if listenerProtocol == .https && target == port {
                errors.append("redirects to itself (HTTPS on port \(port))")
            }
        }
        return errors
    }
}

import InfraCore
import InfraResources

/// An IPv4 address record in a hosted zone: an alias to an `AliasTarget` (a load balancer, a
/// CloudFront distribution) or literal addresses.
///
/// Defaults: the zone apex when `recordName` is nil; a name not ending with the zone name gets
/// it appended (`api` in `sign2text.com` is `api.sign2text.com`); TTL 300 s for literal
/// addresses (aliases have no TTL).
public final class ARecord: Construct {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Route53.RecordSet { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: Route53.RecordSet?
    /// The fully qualified name.
    public let domainName: String
    let zone: any HostedZoneRef
    let target: RecordTarget
    let ttl: TimeSpan
    let recordType: String

    public convenience init(_ scope: Construct, _ id: String, zone: any HostedZoneRef, recordName: String? = nil, target: RecordTarget,
                            ttl: TimeSpan = .minutes(5), comment: String? = nil) {
        self.init(scope, id, type: "A", zone: zone, recordName: recordName, target: target, ttl: ttl, comment: comment)
    }

    init(_ scope: Construct, _ id: String, type: String, zone: any HostedZoneRef, recordName: String?, target: RecordTarget,
         ttl: TimeSpan, comment: String?) {
        self.zone = zone
        self.target = target
        self.ttl = ttl
        self.recordType = type
        domainName = zone.qualify(recordName)
        super.init(scope, id)
        if case .alias(let t, _) = target.kind, let c = t as? Construct { app.addRelation(from: self, to: c, .alias, label: type) }
        resourceStorage = Route53.RecordSet(self, "Resource") {
            $0.hostedZoneId = zone.hostedZoneId
            $0.name = StringValue(self.domainName + ".")
            $0.type = StringValue(type)
            if let comment { $0.comment = StringValue(comment) }
            switch target.kind {
            case .alias(let t, let evaluate):
                $0.aliasTarget = .init {
                    $0.dnsName = t.aliasDnsName
                    $0.hostedZoneId = t.aliasHostedZoneId
                    $0.evaluateTargetHealth = BoolValue(evaluate)
                }
            case .addresses(let addresses):
                $0.resourceRecords = ListValue(addresses.map { StringValue($0) })
                $0.ttl = StringValue(String(ttl.seconds))
            }
        }
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !HostedZone.isValidDomain(domainName, wildcard: true) { errors.append("'\(domainName)' is not a valid record name") }
        if case .addresses(let addresses) = target.kind {
            if addresses.isEmpty { errors.append("an \(recordType) record needs at least one address") }
            for a in addresses {
                let valid = recordType == "A" ? IPv4Cidr(a + "/32") != nil : (a.contains(":") && a.allSatisfy { $0.isHexDigit || $0 == ":" })
                if !valid { errors.append("'\(a)' is not an \(recordType == "A" ? "IPv4" : "IPv6") address") }
            }
            if let problem = ttl.problem("ttl", in: .zero...(.seconds(2_147_483_647))) { errors.append(problem) }
        }
        return errors
    }
}

import InfraCore
import InfraResources

/// An IPv6 address record: an alias to a dual-stack `AliasTarget` (a CloudFront distribution,
/// a dual-stack load balancer) or literal addresses. Same defaults as `ARecord`.
public final class AaaaRecord: Construct {
    /// The record (`<path>/Resource`).
    public var record: ARecord { recordStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var recordStorage: ARecord?

    public init(_ scope: Construct, _ id: String, zone: any HostedZoneRef, recordName: String? = nil, target: RecordTarget,
                ttl: TimeSpan = .minutes(5), comment: String? = nil) {
        super.init(scope, id)
        recordStorage = ARecord(self, "Resource", type: "AAAA", zone: zone, recordName: recordName, target: target,
                         ttl: ttl, comment: comment)
    }

    /// The CloudFormation resource.
    public var resource: Route53.RecordSet { record.resource }
    /// The fully qualified name.
    public var domainName: String { record.domainName }
}

import InfraCore
import InfraResources

/// A new public Route 53 hosted zone. An existing one is imported by id and name with
/// `HostedZone.imported(...)`, which creates nothing.
///
/// Defaults: public (no VPC association), no query logging, the comment naming the construct.
/// After the first deployment, point the domain's registrar at `nameServers`.
public final class HostedZone: Construct, HostedZoneRef {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Route53.HostedZone { zoneResource! }
    /// The zone's domain name without the trailing dot (`example.com`).
    public let zoneName: String
    /// Set in `init`, right after the construct itself (its scope) exists.
    private var zoneResource: Route53.HostedZone?

    /// A new public hosted zone for `zoneName` (e.g. `sign2text.com`).
    public init(_ scope: Construct, _ id: String, zoneName: String, comment: String? = nil) {
        self.zoneName = Self.normalize(zoneName)
        super.init(scope, id)
        zoneResource = Route53.HostedZone(self, "Resource") {
            $0.name = StringValue(self.zoneName)
            $0.hostedZoneConfig = .init { $0.comment = StringValue(comment ?? "Hosted zone \(self.path)") }
        }
    }

    /// The zone id (`Ref`).
    public var hostedZoneId: StringValue { resource.ref }

    /// The zone's name servers; point the domain's registrar at them.
    public var nameServers: ListValue<StringValue> { resource.attrNameServers }

    static func normalize(_ name: String) -> String {
        var n = name.lowercased()
        while n.hasSuffix(".") { n.removeLast() }
        return n
    }

    /// A DNS name (`Validate.isDNSName`).
    static func isValidDomain(_ name: String, wildcard: Bool = false) -> Bool {
        Validate.isDNSName(name, wildcard: wildcard)
    }

    public override func validate() -> [String] { zoneNameProblems() }
}

import InfraCore
import InfraResources

/// A public Route 53 hosted zone: a new one, or an existing one by id and name
/// (`HostedZone.existing(...)`, which creates nothing).
///
/// Defaults: public (no VPC association), no query logging, the comment naming the construct.
/// After the first deployment, point the domain's registrar at `nameServers`.
public final class HostedZone: Construct {
    /// The CloudFormation resource (`<path>/Resource`), nil for an imported zone.
    public private(set) var resource: Route53.HostedZone?
    /// The zone's domain name without the trailing dot (`example.com`).
    public let zoneName: String
    private let existingId: StringValue?

    /// A new public hosted zone for `zoneName` (e.g. `sign2text.com`).
    public init(_ scope: Construct, _ id: String, zoneName: String, comment: String? = nil) {
        self.zoneName = Self.normalize(zoneName)
        existingId = nil
        super.init(scope, id)
        resource = Route53.HostedZone(self, "Resource") {
            $0.name = StringValue(self.zoneName)
            $0.hostedZoneConfig = .init { $0.comment = StringValue(comment ?? "Hosted zone \(self.path)") }
        }
    }

    private init(_ scope: Construct, _ id: String, hostedZoneId: StringValue, zoneName: String) {
        self.zoneName = Self.normalize(zoneName)
        existingId = hostedZoneId
        super.init(scope, id)
    }

    /// An existing hosted zone by id (`Z0123456789ABCDEFGHIJ`) and domain name.
    public static func existing(_ scope: Construct, _ id: String, hostedZoneId: StringValue, zoneName: String) -> HostedZone {
        HostedZone(scope, id, hostedZoneId: hostedZoneId, zoneName: zoneName)
    }

    /// The zone id (`Ref`, or the id given).
    public var hostedZoneId: StringValue { resource?.ref ?? existingId! }

    /// The zone's name servers (new zones only; nil for an imported one).
    public var nameServers: ListValue<StringValue>? { resource?.attrNameServers }

    /// The fully qualified name of `name` in this zone: nil or empty is the apex, a name that
    /// already ends with the zone name is kept, anything else gets the zone name appended.
    public func qualify(_ name: String?) -> String {
        guard let raw = name.map(Self.normalize), !raw.isEmpty, raw != "@" else { return zoneName }
        if raw == zoneName || raw.hasSuffix("." + zoneName) { return raw }
        return raw + "." + zoneName
    }

    /// True when `domain` is the zone's name or below it.
    public func contains(_ domain: String) -> Bool {
        let d = Self.normalize(domain)
        return d == zoneName || d.hasSuffix("." + zoneName)
    }

    static func normalize(_ name: String) -> String {
        var n = name.lowercased()
        while n.hasSuffix(".") { n.removeLast() }
        return n
    }

    /// A DNS name (`Validate.isDNSName`).
    static func isValidDomain(_ name: String, wildcard: Bool = false) -> Bool {
        Validate.isDNSName(name, wildcard: wildcard)
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !Self.isValidDomain(zoneName) { errors.append("'\(zoneName)' is not a valid domain name") }
        else if !zoneName.contains(".") { errors.append("'\(zoneName)' is a top-level domain; a hosted zone is for a domain such as example.com") }
        if let id = existingId?.literal, !Validate.isHostedZoneId(id) {
            errors.append("'\(id)' is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABC)")
        }
        return errors
    }
}

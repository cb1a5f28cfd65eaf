import InfraCore

/// An existing hosted zone by id and domain name (`HostedZone.imported(...)`): creates nothing.
/// Records and certificate validation work in it; its name servers are not known here.
public final class ImportedHostedZone: Construct, HostedZoneRef {
    public let hostedZoneId: StringValue
    public let zoneName: String

    init(_ scope: Construct, _ id: String, hostedZoneId: StringValue, zoneName: String) {
        self.hostedZoneId = hostedZoneId
        self.zoneName = HostedZone.normalize(zoneName)
        super.init(scope, id)
    }

    public override func validate() -> [String] {
        var errors = zoneNameProblems()
        if let id = hostedZoneId.literal, !Validate.isHostedZoneId(id) {
            errors.append("'\(id)' is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABC)")
        }
        return errors
    }
}

extension HostedZone {
    /// An existing hosted zone by id (`Z0123456789ABCDEFGHIJ`) and domain name.
    public static func imported(_ scope: Construct, _ id: String, hostedZoneId: StringValue, zoneName: String) -> ImportedHostedZone {
        ImportedHostedZone(scope, id, hostedZoneId: hostedZoneId, zoneName: zoneName)
    }
}

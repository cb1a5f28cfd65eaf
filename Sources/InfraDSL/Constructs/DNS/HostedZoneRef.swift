import InfraCore

/// A Route 53 hosted zone records and certificates can use: one this app creates
/// (`HostedZone`) or an existing one (`HostedZone.imported(...)`, an `ImportedHostedZone`).
public protocol HostedZoneRef: Construct {
    /// The zone id.
    var hostedZoneId: StringValue { get }
    /// The zone's domain name without the trailing dot (`example.com`).
    var zoneName: String { get }
}

extension HostedZoneRef {
    /// The fully qualified name of `name` in this zone: nil or empty is the apex, a name that
    /// already ends with the zone name is kept, anything else gets the zone name appended.
    public func qualify(_ name: String?) -> String {
        guard let raw = name.map(HostedZone.normalize), !raw.isEmpty, raw != "@" else { return zoneName }
        if raw == zoneName || raw.hasSuffix("." + zoneName) { return raw }
        return raw + "." + zoneName
    }

    /// True when `domain` is the zone's name or below it.
    public func contains(_ domain: String) -> Bool {
        let d = HostedZone.normalize(domain)
        return d == zoneName || d.hasSuffix("." + zoneName)
    }

    /// The problems of the zone's name, shared by new and imported zones.
    func zoneNameProblems() -> [String] {
        if !HostedZone.isValidDomain(zoneName) { return ["'\(zoneName)' is not a valid domain name"] }
        if !zoneName.contains(".") { return ["'\(zoneName)' is a top-level domain; a hosted zone is for a domain such as example.com"] }
        return []
    }
}

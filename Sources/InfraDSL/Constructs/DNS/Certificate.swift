import InfraCore
import InfraResources

/// An ACM certificate, validated by DNS: in a hosted zone of this app or imported (CloudFormation
/// then creates the validation records itself and waits for the certificate), or without a zone
/// (the validation record must be created by hand while the stack waits). An existing
/// certificate is imported by ARN with `Certificate.imported(...)`, which creates nothing.
///
/// Defaults: no alternative names; RSA 2048 keys; certificate transparency logging on.
/// Certificates for CloudFront must be created in us-east-1.
public final class Certificate: Construct, CertificateRef {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: CertificateManager.Certificate { certificateResource! }
    /// The main domain name.
    public let domainName: String
    public let subjectAlternativeNames: [String]
    public let hostedZone: (any HostedZoneRef)?
    /// Set in `init`, right after the construct itself (its scope) exists.
    private var certificateResource: CertificateManager.Certificate?

    /// A new DNS-validated certificate for `domainName` (and `subjectAlternativeNames`), with
    /// its validation records in `hostedZone` when given.
    public init(_ scope: Construct, _ id: String, domainName: String, subjectAlternativeNames: [String] = [],
                hostedZone: (any HostedZoneRef)? = nil) {
        self.domainName = HostedZone.normalize(domainName)
        self.subjectAlternativeNames = subjectAlternativeNames.map(HostedZone.normalize)
        self.hostedZone = hostedZone
        super.init(scope, id)
        let names = [self.domainName] + self.subjectAlternativeNames
        certificateResource = CertificateManager.Certificate(self, "Resource") {
            $0.domainName = StringValue(self.domainName)
            if !self.subjectAlternativeNames.isEmpty {
                $0.subjectAlternativeNames = ListValue(self.subjectAlternativeNames.map { StringValue($0) })
            }
            $0.validationMethod = "DNS"
            $0.keyAlgorithm = "RSA_2048"
            $0.certificateTransparencyLoggingPreference = "ENABLED"
            if let zone = hostedZone {
                $0.domainValidationOptions = ListValue(names.map { name in
                    .init {
                        $0.domainName = StringValue(name)
                        $0.hostedZoneId = zone.hostedZoneId
                    }
                })
            }
            $0.tags = [Tag("Name", StringValue(self.path))]
        }
    }

    /// The certificate ARN (`Ref`).
    public var certificateArn: StringValue { resource.ref }

    public override func validate() -> [String] {
        var errors: [String] = []
        for name in [domainName] + subjectAlternativeNames where !HostedZone.isValidDomain(name, wildcard: true) {
            errors.append("'\(name)' is not a valid domain name for a certificate")
        }
        if Set([domainName] + subjectAlternativeNames).count != subjectAlternativeNames.count + 1 {
            errors.append("the certificate lists a domain name twice")
        }
        if subjectAlternativeNames.count > 99 { errors.append("a certificate has at most 100 names") }
        if domainName.count > 64 { errors.append("the main domain name of a certificate is at most 64 characters") }
        if let zone = hostedZone {
            for name in [domainName] + subjectAlternativeNames {
                let bare = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
                if !zone.contains(bare) {
                    errors.append("'\(name)' is not in the hosted zone '\(zone.zoneName)', so it cannot be validated there")
                }
            }
        }
        return errors
    }
}

import InfraCore
import InfraResources

/// An ACM certificate, validated by DNS: in a hosted zone of this app or imported (CloudFormation
/// then creates the validation records itself and waits for the certificate), or without a zone
/// (the validation record must be created by hand while the stack waits). Or an existing
/// certificate by ARN (`Certificate.existing(...)`, which creates nothing).
///
/// Defaults: no alternative names; RSA 2048 keys; certificate transparency logging on.
/// Certificates for CloudFront must be created in us-east-1.
public final class Certificate: Construct {
    /// The CloudFormation resource (`<path>/Resource`), nil for an imported certificate.
    public private(set) var resource: CertificateManager.Certificate?
    /// The main domain name (nil for an imported certificate).
    public let domainName: String?
    public let subjectAlternativeNames: [String]
    public let hostedZone: HostedZone?
    private let existingArn: StringValue?

    /// A new DNS-validated certificate for `domainName` (and `subjectAlternativeNames`), with
    /// its validation records in `hostedZone` when given.
    public init(_ scope: Construct, _ id: String, domainName: String, subjectAlternativeNames: [String] = [],
                hostedZone: HostedZone? = nil) {
        self.domainName = HostedZone.normalize(domainName)
        self.subjectAlternativeNames = subjectAlternativeNames.map(HostedZone.normalize)
        self.hostedZone = hostedZone
        existingArn = nil
        super.init(scope, id)
        let names = [self.domainName!] + self.subjectAlternativeNames
        resource = CertificateManager.Certificate(self, "Resource") {
            $0.domainName = StringValue(self.domainName!)
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

    private init(_ scope: Construct, _ id: String, arn: StringValue) {
        domainName = nil
        subjectAlternativeNames = []
        hostedZone = nil
        existingArn = arn
        super.init(scope, id)
    }

    /// An existing certificate by ARN (for example the labeling tool's `CERTIFICATE_ARN`).
    public static func existing(_ scope: Construct, _ id: String, arn: StringValue) -> Certificate {
        Certificate(scope, id, arn: arn)
    }

    /// The certificate ARN (`Ref`, or the ARN given).
    public var certificateArn: StringValue { resource?.ref ?? existingArn! }

    public override func validate() -> [String] {
        var errors: [String] = []
        if let arn = existingArn?.literal, !(arn.hasPrefix("arn:") && arn.contains(":acm:") && arn.contains(":certificate/")) {
            errors.append("'\(arn)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)")
        }
        guard let domainName else { return errors }
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

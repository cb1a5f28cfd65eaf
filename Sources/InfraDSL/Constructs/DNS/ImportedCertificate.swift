import InfraCore

/// An existing certificate by ARN (`Certificate.imported(...)`): creates nothing. Its domain
/// names are not known here.
public final class ImportedCertificate: Construct, CertificateRef {
    public let certificateArn: StringValue

    init(_ scope: Construct, _ id: String, certificateArn: StringValue) {
        self.certificateArn = certificateArn
        super.init(scope, id)
    }

    public override func validate() -> [String] {
        if let arn = certificateArn.literal, !(arn.hasPrefix("arn:") && arn.contains(":acm:") && arn.contains(":certificate/")) {
            return ["'\(arn)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"]
        }
        return []
    }
}

extension Certificate {
    /// An existing certificate by ARN (for example the labeling tool's `CERTIFICATE_ARN`).
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue) -> ImportedCertificate {
        ImportedCertificate(scope, id, certificateArn: arn)
    }
}

import InfraCore

/// An ACM certificate listeners and domains can use: one this app creates (`Certificate`) or an
/// existing one (`Certificate.imported(...)`, an `ImportedCertificate`).
public protocol CertificateRef: Construct {
    /// The certificate ARN.
    var certificateArn: StringValue { get }
}

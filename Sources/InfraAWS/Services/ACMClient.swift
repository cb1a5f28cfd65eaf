import Foundation

/// ACM: the read call preflight needs (is a certificate issued, for which domains).
public struct ACMClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct Certificate: Sendable, Decodable, Equatable {
        public var certificateArn: String?
        public var domainName: String?
        public var subjectAlternativeNames: [String]?
        /// PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED.
        public var status: String?
        public var type: String?
        public var inUseBy: [String]?

        enum CodingKeys: String, CodingKey {
            case certificateArn = "CertificateArn", domainName = "DomainName",
                 subjectAlternativeNames = "SubjectAlternativeNames", status = "Status", type = "Type",
                 inUseBy = "InUseBy"
        }
    }

    /// The region an ACM certificate ARN names (`arn:aws:acm:<region>:<account>:certificate/<id>`).
    public static func region(ofArn arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "acm", !parts[3].isEmpty else { return nil }
        return String(parts[3])
    }

    /// DescribeCertificate: the certificate, or nil when this region has none with that ARN.
    public func describeCertificate(arn: String) async throws -> Certificate? {
        struct Input: Encodable {
            var certificateArn: String
            enum CodingKeys: String, CodingKey { case certificateArn = "CertificateArn" }
        }
        struct Output: Decodable {
            var certificate: Certificate?
            enum CodingKeys: String, CodingKey { case certificate = "Certificate" }
        }
        return try await unlessMissing("ResourceNotFoundException") {
            let out: Output = try await client.json(.acm, "DescribeCertificate", Input(certificateArn: arn), idempotency: .safe)
            return out.certificate
        }
    }

    /// RequestCertificate with DNS validation (tests set up a pending certificate with it).
    public func requestCertificate(domainName: String) async throws -> String {
        struct Input: Encodable {
            var domainName: String
            var validationMethod = "DNS"
            enum CodingKeys: String, CodingKey { case domainName = "DomainName", validationMethod = "ValidationMethod" }
        }
        struct Output: Decodable {
            var certificateArn: String
            enum CodingKeys: String, CodingKey { case certificateArn = "CertificateArn" }
        }
        let out: Output = try await client.json(.acm, "RequestCertificate", Input(domainName: domainName))
        return out.certificateArn
    }
}

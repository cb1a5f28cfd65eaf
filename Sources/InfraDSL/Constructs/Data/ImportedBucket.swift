import InfraCore
import InfraResources

/// An existing bucket, by name or ARN (`Bucket.imported(...)`): creates nothing. It has a
/// name, an ARN and grants; its policy and notifications are not managed here (a
/// notification would replace the bucket's whole notification configuration).
public final class ImportedBucket: Construct, BucketRef {
    public let bucketName: StringValue
    public let encryptionKeyArn: StringValue?

    init(_ scope: Construct, _ id: String, bucketName: StringValue, encryptionKeyArn: StringValue?) {
        self.bucketName = bucketName
        self.encryptionKeyArn = encryptionKeyArn
        super.init(scope, id)
    }

    /// `arn:<partition>:s3:::<name>`.
    public var arn: StringValue { "arn:\(Pseudo.partition):s3:::\(bucketName)" }

    public var domainName: StringValue { "\(bucketName).s3.\(Pseudo.urlSuffix)" }

    public var regionalDomainName: StringValue { "\(bucketName).s3.\(Pseudo.region).\(Pseudo.urlSuffix)" }
}

extension Bucket {
    /// An existing bucket by name. Pass the KMS key of a bucket encrypted with a customer
    /// managed key so grants include it.
    public static func imported(_ scope: Construct, _ id: String, name: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedBucket {
        ImportedBucket(scope, id, bucketName: name, encryptionKeyArn: encryptionKeyArn)
    }

    /// An existing bucket by ARN (`arn:aws:s3:::<name>`).
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedBucket {
        ImportedBucket(scope, id, bucketName: ServerlessSupport.arnResourceName(arn, tokenIndex: 5), encryptionKeyArn: encryptionKeyArn)
    }
}

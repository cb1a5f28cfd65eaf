import InfraCore
import InfraResources

/// An S3 bucket other constructs can use: one this app creates (`Bucket`) or an existing one
/// (`Bucket.imported(...)`, an `ImportedBucket`).
///
/// What works on a name or an ARN alone is here: the bucket's name, ARN and domain names, and
/// the grants (statements in the grantee's policy). What needs the bucket's own resource (its
/// policy, event notifications, lifecycle rules) exists only on `Bucket`, so asking an imported
/// bucket for it does not compile.
public protocol BucketRef: Construct {
    /// The bucket's name.
    var bucketName: StringValue { get }
    /// The bucket's ARN (`arn:<partition>:s3:::<name>`).
    var arn: StringValue { get }
    /// The bucket's global domain name (`<name>.s3.amazonaws.com`).
    var domainName: StringValue { get }
    /// The bucket's regional domain name (`<name>.s3.<region>.amazonaws.com`).
    var regionalDomainName: StringValue { get }
    /// The customer managed KMS key of the bucket, if any (grants include it).
    var encryptionKeyArn: StringValue? { get }
}

extension BucketRef {
    /// True when the bucket is encrypted with a customer managed KMS key.
    public var isKmsEncrypted: Bool { encryptionKeyArn != nil }

    /// The ARN of the objects matching `pattern` (`<arn>/<pattern>`, default all objects).
    public func arnForObjects(_ pattern: String = "*") -> StringValue { ServerlessSupport.flat("\(arn)/\(pattern)") }

    /// Lets `grantee` list the bucket and read objects matching `objectsKeyPattern`.
    public func grantRead(_ grantee: Grantable, objectsKeyPattern: String = "*") {
        app.addGrant(grantee, on: self, "read")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["s3:GetBucketLocation", "s3:ListBucket"], resources: [arn]))
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [arnForObjects(objectsKeyPattern)]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsDecryptActions)
    }

    /// Lets `grantee` create, overwrite and delete objects matching `objectsKeyPattern`.
    public func grantWrite(_ grantee: Grantable, objectsKeyPattern: String = "*") {
        app.addGrant(grantee, on: self, "write")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"], resources: [arnForObjects(objectsKeyPattern)]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsEncryptDecryptActions)
    }

    /// `grantRead` and `grantWrite`.
    public func grantReadWrite(_ grantee: Grantable, objectsKeyPattern: String = "*") {
        grantRead(grantee, objectsKeyPattern: objectsKeyPattern)
        grantWrite(grantee, objectsKeyPattern: objectsKeyPattern)
    }

    /// Lets `grantee` create and overwrite (not read or delete) objects matching the pattern.
    public func grantPut(_ grantee: Grantable, objectsKeyPattern: String = "*") {
        app.addGrant(grantee, on: self, "put")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["s3:AbortMultipartUpload", "s3:PutObject"], resources: [arnForObjects(objectsKeyPattern)]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsEncryptDecryptActions)
    }

    /// Lets `grantee` delete objects matching the pattern.
    public func grantDelete(_ grantee: Grantable, objectsKeyPattern: String = "*") {
        app.addGrant(grantee, on: self, "delete")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["s3:DeleteObject"], resources: [arnForObjects(objectsKeyPattern)]))
    }
}

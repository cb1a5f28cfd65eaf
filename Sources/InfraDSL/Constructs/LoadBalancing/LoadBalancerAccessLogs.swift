import InfraCore
import InfraResources

/// Where an application load balancer writes its access logs.
///
/// `LoadBalancerAccessLogs(bucket:prefix:)` logs to a bucket of this app and adds to its policy
/// the statement that lets Elastic Load Balancing write `<prefix>/AWSLogs/<account>/*`: for a
/// region opened before August 2022 the principal is that region's Elastic Load Balancing
/// account (`ElasticLoadBalancingAccounts`), for a newer one the service principal
/// `logdelivery.elasticloadbalancing.amazonaws.com`. When the stack has no region, the account
/// comes from a template mapping by `AWS::Region` (so such a stack deploys only to the regions
/// of that table). The load balancer then depends on the bucket policy, as Elastic Load
/// Balancing checks its permission when the attribute is set. The bucket must use SSE-S3
/// encryption (the only kind log delivery supports).
public struct LoadBalancerAccessLogs {
    /// The bucket name; its policy must let Elastic Load Balancing write to it.
    public var bucketName: StringValue
    /// The key prefix (default nil: none).
    public var prefix: String?
    /// The bucket, when it is a construct of this app (set by `init(bucket:prefix:)`).
    public private(set) var bucket: Bucket?

    /// Logs to a bucket by name, whose policy is managed elsewhere.
    public init(bucketName: StringValue, prefix: String? = nil) {
        self.bucketName = bucketName
        self.prefix = prefix
    }

    /// Logs to `bucket` and lets Elastic Load Balancing write to it (see the type's documentation).
    public init(bucket: Bucket, prefix: String? = nil) {
        self.bucketName = bucket.bucketName
        self.prefix = prefix
        self.bucket = bucket
        let folder = prefix.map { $0 + "/" } ?? ""
        let objects = ServerlessSupport.flat("\(bucket.arn)/\(folder)AWSLogs/\(Pseudo.accountId)/*")
        let principal: [String: [StringValue]]
        if let region = bucket.stack.region {
            if let account = ElasticLoadBalancingAccounts.byRegion[region] {
                principal = ["AWS": ["arn:\(Pseudo.partition):iam::\(account):root"]]
            } else {
                principal = ["Service": ["logdelivery.elasticloadbalancing.amazonaws.com"]]
            }
        } else {
            let id = "ElasticLoadBalancingAccounts"
            let mapping = bucket.stack.child(id) as? Mapping ?? Mapping(bucket.stack, id, ElasticLoadBalancingAccounts.byRegion.mapValues {
                ["AccountId": .string($0)]
            })
            principal = ["AWS": ["arn:\(Pseudo.partition):iam::\(mapping.find(Pseudo.region, "AccountId")):root"]]
        }
        bucket.addToResourcePolicy(PolicyStatement(actions: ["s3:PutObject"], resources: [objects], principals: principal))
    }

    func validate() -> [String] {
        var errors: [String] = []
        if let p = prefix, p.isEmpty || p.hasPrefix("/") || p.hasSuffix("/") || p.contains("AWSLogs") {
            errors.append("the access log prefix '\(p)' must be non-empty, must not start or end with '/' and must not contain 'AWSLogs'")
        }
        if let b = bucket, b.isKmsEncrypted {
            errors.append("access logs need a bucket encrypted with SSE-S3 (\(b.path) uses a KMS key, which log delivery does not support)")
        }
        return errors
    }
}

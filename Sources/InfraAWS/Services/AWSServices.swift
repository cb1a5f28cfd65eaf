import Foundation

/// The services infra talks to, in one list: name, SigV4 signing name, the key of
/// `AWS_ENDPOINT_URL_<KEY>` (the profile's `services` section uses it in lower case) and protocol.
extension AWSService {
    public static let cloudFormation = AWSService("CloudFormation", signing: "cloudformation",
                                                  .query(version: "2010-05-15"))
    /// S3 (rest-xml); its own rules (addressing, payload signing) live in `S3Client`.
    public static let s3 = AWSService("S3", signing: "s3", .restXML)
    public static let sts = AWSService("STS", signing: "sts", .query(version: "2011-06-15"))
    public static let ecr = AWSService("ECR", signing: "ecr", host: "api.ecr",
                                       .json(version: "1.1", targetPrefix: "AmazonEC2ContainerRegistry_V20150921"))
    public static let iam = AWSService("IAM", signing: "iam", global: true, .query(version: "2010-05-08"))
    public static let acm = AWSService("ACM", signing: "acm", .json(version: "1.1", targetPrefix: "CertificateManager"))
    public static let cloudWatchLogs = AWSService("CloudWatchLogs", signing: "logs", key: "CLOUDWATCH_LOGS",
                                                  .json(version: "1.1", targetPrefix: "Logs_20140328"))
    public static let dynamoDB = AWSService("DynamoDB", signing: "dynamodb",
                                            .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
    /// Cognito user pools.
    public static let cognitoIdentityProvider = AWSService(
        "CognitoIdentityProvider", signing: "cognito-idp", key: "COGNITO_IDENTITY_PROVIDER",
        .json(version: "1.1", targetPrefix: "AWSCognitoIdentityProviderService"))
    public static let ecs = AWSService("ECS", signing: "ecs",
                                       .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    /// Lambda (API 2015-03-31).
    public static let lambda = AWSService("Lambda", signing: "lambda", .restJSON)
    /// Route 53 (API 2013-04-01): global, signed for the partition's main region.
    public static let route53 = AWSService("Route53", signing: "route53", key: "ROUTE_53", global: true, .restXML)

    /// A service whose host label is its signing name (unless `host`) and whose endpoint key is
    /// its name in upper case (unless `key`).
    init(_ name: String, signing: String, host: String? = nil, key: String? = nil, global: Bool = false,
         _ wireProtocol: AWSProtocol) {
        let key = key ?? name.uppercased()
        self.init(name: name, signingName: signing, hostPrefix: host ?? signing, environmentKey: key,
                  configKey: key.lowercased(), isGlobal: global, protocol: wireProtocol)
    }
}

import InfraCore

/// A DNS alias target (a load balancer or a CloudFront distribution) for Route 53 alias records.
public protocol AliasTarget: AnyObject {
    var aliasDnsName: StringValue { get }
    var aliasHostedZoneId: StringValue { get }
}

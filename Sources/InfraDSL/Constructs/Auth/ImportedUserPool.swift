import InfraCore

/// An existing user pool of this account and region by id (`UserPool.imported(...)`): creates
/// nothing.
public final class ImportedUserPool: Construct, UserPoolRef {
    public let userPoolId: StringValue

    init(_ scope: Construct, _ id: String, userPoolId: StringValue) {
        self.userPoolId = userPoolId
        super.init(scope, id)
    }

    public var arn: StringValue { "arn:\(Pseudo.partition):cognito-idp:\(Pseudo.region):\(Pseudo.accountId):userpool/\(userPoolId)" }

    public var providerUrl: StringValue { "https://cognito-idp.\(Pseudo.region).\(Pseudo.urlSuffix)/\(userPoolId)" }
}

extension UserPool {
    /// An existing user pool of this account and region by id (`eu-west-1_AbCdEf123`).
    public static func imported(_ scope: Construct, _ id: String, userPoolId: StringValue) -> ImportedUserPool {
        ImportedUserPool(scope, id, userPoolId: userPoolId)
    }
}

import InfraCore
import InfraResources

/// An API Gateway authorizer that accepts tokens of Cognito user pools. Clients send the ID
/// token (or, for methods with authorization scopes, the access token) in the
/// `Authorization` header. Created with `RestApi.addCognitoAuthorizer`.
///
/// Defaults: identity source `method.request.header.Authorization`, results cached 300 s.
public final class CognitoAuthorizer: Construct {
    /// The API it belongs to.
    public unowned let api: RestApi
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ApiGateway.Authorizer { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ApiGateway.Authorizer?

    private let userPools: [any UserPoolRef]
    private let identitySource: String
    private let resultsCacheTtl: TimeSpan

    /// - Parameters:
    ///   - userPools: the pools whose tokens are accepted (1 to 1000).
    ///   - identitySource: default `method.request.header.Authorization`.
    ///   - resultsCacheTtl: up to 1 hour, whole seconds (default `.minutes(5)`).
    public init(
        _ scope: Construct, _ id: String, api: RestApi, userPools: [any UserPoolRef],
        identitySource: String = "method.request.header.Authorization", resultsCacheTtl: TimeSpan = .minutes(5)
    ) {
        self.api = api
        self.userPools = userPools
        self.identitySource = identitySource
        self.resultsCacheTtl = resultsCacheTtl
        super.init(scope, id)
        let a = ApiGateway.Authorizer(self, "Resource")
        resourceStorage = a
        a.restApiId = api.restApiId
        a.name = StringValue(id)
        a.type = "COGNITO_USER_POOLS"
        a.providerARNs = ListValue(userPools.map(\.arn))
        a.identitySource = StringValue(identitySource)
        a.authorizerResultTtlInSeconds = NumberValue(resultsCacheTtl.seconds)
        api.authorizers.append(self)
        for pool in userPools { app.addRelation(from: self, to: pool, .authorizer, label: "Cognito tokens") }
    }

    /// The authorizer id.
    public var authorizerId: StringValue { resource.ref }

    var shape: String {
        "authorizer \(path) pools=\(userPools.map(\.path).joined(separator: ",")) source=\(identitySource) ttl=\(resultsCacheTtl.seconds)"
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if userPools.isEmpty || userPools.count > 1000 { errors.append("a Cognito authorizer needs 1 to 1000 user pools (got \(userPools.count))") }
        if let problem = resultsCacheTtl.problem("resultsCacheTtl", in: .zero...(.hours(1))) { errors.append(problem) }
        if !identitySource.hasPrefix("method.request.header.") {
            errors.append("a Cognito authorizer reads the token from a header: identitySource must be method.request.header.<name>")
        }
        return errors
    }
}

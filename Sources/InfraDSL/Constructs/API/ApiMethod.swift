import InfraCore
import InfraResources

/// A method of an API resource. Created with `ApiResource.addMethod`.
public final class ApiMethod: Construct {
    /// The HTTP method (`GET`, ..., `ANY`).
    public let httpMethod: String
    /// The resource it belongs to.
    public unowned let apiResource: ApiResource
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ApiGateway.Method { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ApiGateway.Method?
    /// The authorizer, if any.
    public let authorizer: CognitoAuthorizer?

    private let integration: ApiIntegration
    private let authorizationScopes: [String]
    static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"]

    init(_ apiResource: ApiResource, httpMethod: String, integration: ApiIntegration,
         authorizer: CognitoAuthorizer?, authorizationScopes: [String]) {
        self.httpMethod = httpMethod.uppercased()
        self.apiResource = apiResource
        self.integration = integration
        self.authorizer = authorizer
        self.authorizationScopes = authorizationScopes
        super.init(apiResource, httpMethod.uppercased())
        let api = apiResource.api
        let m = ApiGateway.Method(self, "Resource")
        resourceStorage = m
        m.restApiId = api.restApiId
        m.resourceId = apiResource.resourceId
        m.httpMethod = StringValue(self.httpMethod)
        if let authorizer {
            m.authorizationType = "COGNITO_USER_POOLS"
            m.authorizerId = authorizer.authorizerId
            if !authorizationScopes.isEmpty { m.authorizationScopes = ListValue(authorizationScopes.map { StringValue($0) }) }
        } else {
            m.authorizationType = "NONE"
        }

        switch integration {
        case .lambdaProxy(let function):
            app.addRelation(from: self, to: function, .invokes, label: "\(self.httpMethod) \(apiResource.fullPath)")
            // A function that waits for its image takes its method with it (see `ImageGate`).
            m.condition = function.condition
            m.integration = .init {
                $0.type = .awsProxy
                $0.integrationHttpMethod = "POST"
                $0.uri = ServerlessSupport.flat("arn:\(Pseudo.partition):apigateway:\(Pseudo.region):lambda:path/2015-03-31/functions/\(function.functionArn)/invocations")
            }
            function.addPermission("ApiPermission" + ServerlessSupport.idFragment(self), principal: "apigateway.amazonaws.com",
                                   sourceArn: methodArn, scope: self)
        case .httpProxy(let url, let method):
            m.integration = .init {
                $0.type = .httpProxy
                $0.integrationHttpMethod = StringValue(method)
                $0.uri = url
            }
        case .mock(let statusCode, let body):
            m.integration = .init {
                $0.type = .mock
                $0.integrationHttpMethod = StringValue(self.httpMethod == "ANY" ? "POST" : self.httpMethod)
                $0.requestTemplates = ["application/json": StringValue("{\"statusCode\": \(statusCode)}")]
                $0.integrationResponses = [.init {
                    $0.statusCode = StringValue(String(statusCode))
                    if !body.isEmpty { $0.responseTemplates = ["application/json": StringValue(body)] }
                }]
            }
            m.methodResponses = [.init { $0.statusCode = StringValue(String(statusCode)) }]
        case .corsPreflight(let cors):
            Self.configurePreflight(m, cors)
        }
        api.methods.append(self)
    }

    /// The execute-api ARN of this method on the API's stage (path parameters as `*`).
    public var methodArn: StringValue {
        apiResource.api.arnForExecuteApi(method: httpMethod == "ANY" ? "*" : httpMethod,
                                         path: Self.pathForArn(apiResource.fullPath), stage: apiResource.api.stageName)
    }

    /// `/users/{id}` -> `/users/*` (the request ARN holds the parameter's value).
    static func pathForArn(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? "*" : String($0) }.joined(separator: "/")
    }

    /// A text that changes whenever the method's deployed behaviour changes.
    var shape: String {
        var s = "\(apiResource.fullPath) \(httpMethod)"
        switch integration {
        case .lambdaProxy(let f): s += " lambda=\(f.path)"
        case .httpProxy(let url, let m): s += " http=\(url.literal ?? "token") \(m)"
        case .mock(let code, let body): s += " mock=\(code) \(Hash.sha256Hex(body).prefix(12))"
        case .corsPreflight(let cors): s += " cors \(cors.shape)"
        }
        if let authorizer { s += " auth=\(authorizer.path) scopes=\(authorizationScopes.joined(separator: ","))" }
        return s
    }

    private static func configurePreflight(_ m: ApiGateway.Method, _ cors: RestApi.CorsOptions) {
        var headers: [String: String] = [
            "Access-Control-Allow-Headers": cors.allowHeaders.joined(separator: ","),
            "Access-Control-Allow-Methods": cors.allowMethods.joined(separator: ","),
            "Access-Control-Allow-Origin": cors.allowOrigins.first ?? "*",
        ]
        if cors.allowCredentials { headers["Access-Control-Allow-Credentials"] = "true" }
        if let age = cors.maxAge { headers["Access-Control-Max-Age"] = String(age.seconds) }
        if cors.allowOrigins != ["*"] { headers["Vary"] = "Origin" }

        var integrationResponse: [String: StringValue] = [:]
        var methodResponse: [String: Value] = [:]
        for (name, value) in headers {
            integrationResponse["method.response.header.\(name)"] = StringValue("'\(value)'")
            methodResponse["method.response.header.\(name)"] = true
        }
        m.authorizationType = "NONE"
        m.integration = .init {
            $0.type = .mock
            // Optional for MOCK and ignored by API Gateway; moto needs it (see RestApi).
            $0.integrationHttpMethod = "OPTIONS"
            $0.requestTemplates = ["application/json": "{ statusCode: 200 }"]
            $0.integrationResponses = [.init {
                $0.statusCode = "204"
                $0.responseParameters = MapValue(integrationResponse)
                if cors.allowOrigins.count > 1 {
                    // Echo the request's Origin when it is one of the allowed ones.
                    let test = cors.allowOrigins.map { "$origin == \"\($0)\"" }.joined(separator: " || ")
                    $0.responseTemplates = ["application/json": StringValue(
                        "#set($origin = $input.params().header.get(\"Origin\"))\n"
                            + "#if($origin == \"\")#set($origin = $input.params().header.get(\"origin\"))#end\n"
                            + "#if(\(test))\n"
                            + "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
                            + "#end\n")]
                }
            }]
        }
        m.methodResponses = [.init {
            $0.statusCode = "204"
            $0.responseParameters = MapValue(methodResponse)
        }]
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !Self.methods.contains(httpMethod) {
            errors.append("'\(httpMethod)' is not an HTTP method API Gateway supports (\(Self.methods.sorted().joined(separator: ", ")))")
        }
        if let authorizer, authorizer.api !== apiResource.api {
            errors.append("authorizer \(authorizer.path) belongs to another API")
        }
        if !authorizationScopes.isEmpty && authorizer == nil {
            errors.append("authorizationScopes need an authorizer")
        }
        switch integration {
        case .corsPreflight(let cors):
            if cors.allowOrigins.isEmpty { errors.append("CORS needs at least one allowed origin") }
            if cors.allowCredentials && cors.allowOrigins.contains("*") {
                errors.append("CORS with credentials cannot allow every origin ('*'): browsers refuse it")
            }
            if cors.allowOrigins.count > 1 && cors.allowOrigins.contains("*") {
                errors.append("'*' must be the only allowed origin when used")
            }
        case .httpProxy(let url, let method):
            if let u = url.literal, !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
                errors.append("the HTTP integration URL must start with http:// or https:// (got '\(u)')")
            }
            if !Self.methods.contains(method.uppercased()) { errors.append("'\(method)' is not an HTTP method") }
        case .mock(let code, _):
            errors += ServerlessSupport.check(code, in: 100...599, "the mock status code")
        case .lambdaProxy:
            break
        }
        return errors
    }
}

import InfraCore
import InfraResources

/// An API Gateway REST API with a deployment and a stage.
///
/// ```swift
/// let api = RestApi(stack, "Api", defaultCors: .init(allowOrigins: ["https://app.example.com"]))
/// let auth = api.addCognitoAuthorizer("Auth", userPools: [users])
/// let predict = api.root.addResource("predict")
/// predict.addMethod("POST", integration: .lambdaProxy(inference), authorizer: auth)
/// Output(stack, "ApiUrl", value: api.url)
/// ```
///
/// Resources and methods are constructs below the API (`<path>/Default/<pathPart>/<METHOD>`).
/// The `Deployment`'s logical id ends with a hash of the API's shape (paths, methods,
/// integrations, authorizers, CORS settings), so any change to the shape creates a new
/// deployment that the `Stage` switches to, as CDK does; the deployment waits for every method.
///
/// Defaults: a regional endpoint, stage `prod`, stage-wide throttling of 100 requests per
/// second with bursts of 200, no X-Ray tracing, no access logs (with `accessLogging: true`,
/// JSON lines to `<path>/AccessLogs`, 30 days; this needs the account-wide API Gateway
/// CloudWatch role, which `cloudWatchRole: true` creates as `AWS::ApiGateway::Account`, a
/// per-region singleton: let only one stack own it), no CORS (with `defaultCors`, every
/// resource gets an `OPTIONS` preflight method and the default 4XX/5XX gateway responses carry
/// the CORS headers, so browsers can read authorizer rejections).
///
/// CORS preflight methods use a `MOCK` integration. They set `IntegrationHttpMethod:
/// OPTIONS`, which API Gateway accepts and ignores for `MOCK` (the property is optional for
/// that type) and without which moto 5.2 answers HTTP 500: valid for AWS, so kept.
public final class RestApi: Construct {
    /// Cross-origin resource sharing for browsers.
    public struct CorsOptions: Sendable, Equatable {
        /// Origins allowed to call the API (`https://app.example.com`), or `["*"]`.
        public var allowOrigins: [String]
        public var allowMethods: [String]
        public var allowHeaders: [String]
        public var allowCredentials: Bool
        /// How long browsers may cache a preflight answer (`Access-Control-Max-Age`, whole seconds).
        public var maxAge: TimeSpan?

        /// Defaults: all methods, the headers API Gateway clients send (`Content-Type`,
        /// `X-Amz-Date`, `Authorization`, `X-Api-Key`, `X-Amz-Security-Token`), no
        /// credentials, no max age (browsers' default).
        public init(
            allowOrigins: [String],
            allowMethods: [String] = ["OPTIONS", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"],
            allowHeaders: [String] = ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token"],
            allowCredentials: Bool = false,
            maxAge: TimeSpan? = nil
        ) {
            self.allowOrigins = allowOrigins
            self.allowMethods = allowMethods
            self.allowHeaders = allowHeaders
            self.allowCredentials = allowCredentials
            self.maxAge = maxAge
        }

        var shape: String {
            "origins=\(allowOrigins.joined(separator: ",")) methods=\(allowMethods.joined(separator: ",")) headers=\(allowHeaders.joined(separator: ",")) credentials=\(allowCredentials) maxAge=\(maxAge.map { String($0.seconds) } ?? "-")"
        }
    }

    /// Stage-wide request throttling.
    public struct Throttling: Sendable, Equatable {
        /// Steady-state requests per second.
        public var rateLimit: Double
        /// Burst size.
        public var burstLimit: Int
        /// Defaults: 100 requests per second, bursts of 200.
        public init(rateLimit: Double = 100, burstLimit: Int = 200) {
            self.rateLimit = rateLimit
            self.burstLimit = burstLimit
        }
    }

    /// Where the API's endpoint lives.
    public enum EndpointType: String, Sendable {
        /// In the stack's region (clients in the region, or behind your own CloudFront).
        case regional = "REGIONAL"
        /// Behind an API Gateway-managed CloudFront distribution.
        case edge = "EDGE"
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ApiGateway.RestApi { resourceStorage! }
    /// The root resource (`/`).
    public var root: ApiResource { rootStorage! }
    /// The current deployment (`<path>/Deployment`; its logical id carries the shape hash).
    public var deployment: ApiGateway.Deployment { deploymentStorage! }
    /// The stage (`<path>/DeploymentStage`).
    public var stage: ApiGateway.Stage { stageStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ApiGateway.RestApi?
    private var rootStorage: ApiResource?
    private var deploymentStorage: ApiGateway.Deployment?
    private var stageStorage: ApiGateway.Stage?
    /// The access log group, with `accessLogging: true`.
    public private(set) var accessLogGroup: Logs.LogGroup?
    /// The authorizer of methods added without one (default none: such methods are open).
    public var defaultAuthorizer: CognitoAuthorizer?
    /// The stage name.
    public let stageName: String
    /// The CORS settings every resource inherits.
    public let defaultCors: CorsOptions?

    var methods: [ApiMethod] = []
    var authorizers: [CognitoAuthorizer] = []
    private let throttling: Throttling
    private let logRetention: TimeSpan

    /// - Parameters:
    ///   - restApiName: default: `<stackName>-<id>`.
    ///   - description: default none.
    ///   - stageName: default `prod`.
    ///   - endpointType: default `.regional`.
    ///   - defaultCors: CORS for every resource (default none).
    ///   - throttling: default `Throttling()` (100 rps, burst 200).
    ///   - tracing: X-Ray tracing of the stage (default false).
    ///   - accessLogging: JSON access logs (default false).
    ///   - logRetention: retention of the access logs (default `.days(30)`; whole days CloudWatch Logs accepts).
    ///   - cloudWatchRole: create the account-wide CloudWatch role for API Gateway (default false).
    ///   - binaryMediaTypes: media types served as binary (default none).
    public init(
        _ scope: Construct, _ id: String,
        restApiName: String? = nil,
        description: String? = nil,
        stageName: String = "prod",
        endpointType: EndpointType = .regional,
        defaultCors: CorsOptions? = nil,
        throttling: Throttling = Throttling(),
        tracing: Bool = false,
        accessLogging: Bool = false,
        logRetention: TimeSpan = .days(30),
        cloudWatchRole: Bool = false,
        binaryMediaTypes: [String] = []
    ) {
        self.stageName = stageName
        self.defaultCors = defaultCors
        self.throttling = throttling
        self.logRetention = logRetention
        super.init(scope, id)

        let api = ApiGateway.RestApi(self, "Resource")
        resourceStorage = api
        api.name = StringValue(restApiName ?? "\(stack.stackName)-\(id)")
        if let description { api.description = StringValue(description) }
        api.endpointConfiguration = .init { $0.types = [StringValue(endpointType.rawValue)] }
        if !binaryMediaTypes.isEmpty { api.binaryMediaTypes = ListValue(binaryMediaTypes.map { StringValue($0) }) }

        rootStorage = ApiResource(root: self, cors: defaultCors)

        let deployment = ApiGateway.Deployment(self, "Deployment")
        deployment.restApiId = api.ref
        deployment.description = "Deployment of \(path)"
        self.deploymentStorage = deployment

        let stage = ApiGateway.Stage(self, "DeploymentStage")
        stage.restApiId = api.ref
        stage.deploymentId = deployment.ref
        stage.stageName = StringValue(stageName)
        stage.tracingEnabled = BoolValue(tracing)
        stage.methodSettings = [.init {
            $0.resourcePath = "/*"
            $0.httpMethod = "*"
            $0.throttlingRateLimit = ServerlessSupport.number(throttling.rateLimit)
            $0.throttlingBurstLimit = NumberValue(throttling.burstLimit)
        }]
        self.stageStorage = stage

        if accessLogging {
            let group = Logs.LogGroup(self, "AccessLogs")
            group.retentionInDays = NumberValue(logRetention.count(of: .days))
            group.deletionPolicy = .delete
            group.updateReplacePolicy = .delete
            accessLogGroup = group
            stage.accessLogSetting = .init {
                $0.destinationArn = "arn:\(Pseudo.partition):logs:\(Pseudo.region):\(Pseudo.accountId):log-group:\(group.ref)"
                $0.format = StringValue(Self.accessLogFormat)
            }
        }
        if cloudWatchRole {
            let role = Role(self, "CloudWatchRole", assumedBy: "apigateway.amazonaws.com")
            role.addManagedPolicy("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            let account = ApiGateway.Account(self, "Account")
            account.cloudWatchRoleArn = role.arn
            account.addDependency(api)
            stage.addDependency(account)
        }
        if let cors = defaultCors {
            for (type, id) in [("DEFAULT_4XX", "GatewayResponse4XX"), ("DEFAULT_5XX", "GatewayResponse5XX")] {
                let r = ApiGateway.GatewayResponse(self, id)
                r.restApiId = api.ref
                r.responseType = StringValue(type)
                var params: [String: StringValue] = [
                    "gatewayresponse.header.Access-Control-Allow-Origin": StringValue("'\(cors.allowOrigins.first ?? "*")'"),
                    "gatewayresponse.header.Access-Control-Allow-Headers": StringValue("'\(cors.allowHeaders.joined(separator: ","))'"),
                ]
                if cors.allowCredentials { params["gatewayresponse.header.Access-Control-Allow-Credentials"] = "'true'" }
                r.responseParameters = MapValue(params)
            }
        }
    }

    /// One JSON line per request.
    static let accessLogFormat = #"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","user":"$context.authorizer.claims.sub","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}"#

    /// The API id.
    public var restApiId: StringValue { resource.ref }

    /// The stage's base URL, `https://<id>.execute-api.<region>.amazonaws.com/<stage>/`.
    public var url: StringValue {
        "https://\(resource.ref).execute-api.\(Pseudo.region).\(Pseudo.urlSuffix)/\(stage.ref)/"
    }

    /// The URL of a path (`"/users"`) on the stage.
    public func urlForPath(_ path: String) -> StringValue {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return "https://\(resource.ref).execute-api.\(Pseudo.region).\(Pseudo.urlSuffix)/\(stage.ref)/\(trimmed)"
    }

    /// `arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method><path>`, for
    /// IAM policies and Lambda permissions (`*` wildcards allowed).
    public func arnForExecuteApi(method: String = "*", path: String = "/*", stage: String = "*") -> StringValue {
        "arn:\(Pseudo.partition):execute-api:\(Pseudo.region):\(Pseudo.accountId):\(resource.ref)/\(stage)/\(method)\(path)"
    }

    /// Adds a Cognito user pool authorizer (see `CognitoAuthorizer`).
    @discardableResult
    public func addCognitoAuthorizer(_ id: String, userPools: [any UserPoolRef], identitySource: String = "method.request.header.Authorization") -> CognitoAuthorizer {
        CognitoAuthorizer(self, id, api: self, userPools: userPools, identitySource: identitySource)
    }

    /// The text the deployment's hash is computed from.
    var shapeDescription: String {
        var lines = methods.map(\.shape).sorted()
        lines += authorizers.map(\.shape).sorted()
        if let cors = defaultCors { lines.append("gateway-responses \(cors.shape)") }
        return lines.joined(separator: "\n")
    }

    /// The deployment used while image-gated methods wait (see `prepare`).
    public private(set) var pendingDeployment: ApiGateway.Deployment?
    private var gateProblems: [String] = []

    /// The logical id of a deployment: its path plus a hash of what it deploys, so the stage
    /// switches to a new deployment whenever the API changes (as CDK does).
    private func deploymentId(_ d: ApiGateway.Deployment, shape: String) -> String {
        let components = Array(d.pathComponents.dropFirst(stack.pathComponents.count))
        return LogicalID.make(stackRelativePath: components) + Hash.sha256Hex(shape).prefix(8).uppercased()
    }

    /// Methods of functions that wait for their image (see `ImageGate`) exist only once it does.
    /// A deployment is a snapshot taken when it is created, and the template does not change when
    /// the image arrives (only the gate parameter does), so there are two: the full one under the
    /// gate's condition and a pending one without the gated methods under its negation; the stage
    /// points at whichever exists, and the switch creates the full deployment.
    public override func prepare() {
        deployment.overrideLogicalId(deploymentId(deployment, shape: shapeDescription))
        for m in methods { deployment.addDependency(m.resource) }
        var conditions: [Condition] = []
        for m in methods {
            if let c = m.resource.condition, !conditions.contains(where: { $0 === c }) { conditions.append(c) }
        }
        gateProblems = []
        guard let ready = conditions.first else { return }
        if conditions.count > 1 {
            gateProblems.append("methods wait for different images (\(conditions.map(\.logicalId).joined(separator: ", "))); one API supports one image gate")
            return
        }
        let ungated = methods.filter { $0.resource.condition == nil }
        if ungated.isEmpty {
            gateProblems.append("every method waits for an image (\(ready.logicalId)), so until it exists the API has no method to deploy; add a method that does not (such as CORS preflights)")
            return
        }
        deployment.condition = ready
        let pending: ApiGateway.Deployment
        if let existing = pendingDeployment {
            pending = existing
        } else {
            pending = ApiGateway.Deployment(self, "PendingDeployment")
            pending.restApiId = resource.ref
            pending.description = "Deployment of \(path) while \(ready.logicalId) is false"
            pending.condition = Condition(self, "ImagePending", Fn.not(ready.asExpression))
            pendingDeployment = pending
        }
        pending.overrideLogicalId(deploymentId(pending, shape: ungated.map(\.shape).sorted().joined(separator: "\n")
            + "\n" + authorizers.map(\.shape).sorted().joined(separator: "\n")))
        for m in ungated { pending.addDependency(m.resource) }
        stage.deploymentId = Fn.if(ready, deployment.ref, pending.ref)
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if methods.isEmpty { errors.append("the API has no methods; API Gateway refuses to deploy it") }
        errors += gateProblems
        if stageName.isEmpty || stageName.count > 128
            || !stageName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            errors.append("stageName '\(stageName)' is invalid: 1-128 letters, digits, '-' and '_'")
        }
        if throttling.rateLimit < 0 || throttling.burstLimit < 0 { errors.append("throttling limits must not be negative") }
        if accessLogGroup != nil, let problem = logRetention.logRetentionProblem("logRetention") {
            errors.append(problem)
        }
        if let d = defaultAuthorizer, d.api !== self { errors.append("defaultAuthorizer \(d.path) belongs to another API") }
        return errors
    }
}

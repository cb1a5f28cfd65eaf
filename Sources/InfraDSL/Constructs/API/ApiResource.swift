import InfraCore
import InfraResources

/// A path of a `RestApi` (`/`, `/users`, `/users/{id}`): add child paths and methods to it.
/// A resource inherits the CORS settings of its parent unless given its own; with CORS it has
/// an `OPTIONS` preflight method.
public final class ApiResource: Construct {
    /// The API.
    public unowned let api: RestApi
    /// The parent path (nil for the root).
    public let parentResource: ApiResource?
    /// The last path segment (empty for the root).
    public let pathPart: String
    /// The CloudFormation resource (`<path>/Resource`); nil for the root, which API Gateway
    /// creates with the API.
    public private(set) var resource: ApiGateway.Resource?
    /// The CORS settings of this path.
    public let cors: RestApi.CorsOptions?

    /// The root of `api` (id `Default`, so it adds nothing to logical ids).
    init(root api: RestApi, cors: RestApi.CorsOptions?) {
        self.api = api
        parentResource = nil
        pathPart = ""
        self.cors = cors
        super.init(api, "Default")
        if let cors { addCorsPreflight(cors) }
    }

    private init(parent: ApiResource, pathPart: String, cors: RestApi.CorsOptions?) {
        api = parent.api
        parentResource = parent
        self.pathPart = pathPart
        self.cors = cors
        super.init(parent, pathPart.isEmpty ? "EmptyPath" : pathPart)
        let r = ApiGateway.Resource(self, "Resource")
        r.restApiId = api.restApiId
        r.parentId = parent.resourceId
        r.pathPart = StringValue(pathPart)
        resource = r
        if let cors { addCorsPreflight(cors) }
    }

    /// The API Gateway id of the resource.
    public var resourceId: StringValue { resource?.ref ?? api.resource.attrRootResourceId }

    /// The full path, `/` for the root.
    public var fullPath: String {
        guard let parentResource else { return "/" }
        let parentPath = parentResource.fullPath
        return (parentPath == "/" ? "" : parentPath) + "/" + pathPart
    }

    /// Adds a child path segment: a literal (`users`), a parameter (`{id}`) or a greedy
    /// parameter (`{proxy+}`). `cors` defaults to this resource's settings.
    @discardableResult
    public func addResource(_ pathPart: String, cors: RestApi.CorsOptions? = nil) -> ApiResource {
        ApiResource(parent: self, pathPart: pathPart, cors: cors ?? self.cors)
    }

    /// The child path added with `pathPart`, if any.
    public func subresource(_ pathPart: String) -> ApiResource? {
        child(pathPart) as? ApiResource
    }

    /// Adds a method (`GET`, `POST`, ..., `ANY`). `authorizer` defaults to the API's
    /// `defaultAuthorizer`; without one the method is open to anyone (authorization `NONE`).
    /// `authorizationScopes` (OAuth scopes) make a Cognito authorizer check the access token
    /// instead of the ID token.
    @discardableResult
    public func addMethod(
        _ httpMethod: String, integration: ApiIntegration, authorizer: CognitoAuthorizer? = nil,
        authorizationScopes: [String] = []
    ) -> ApiMethod {
        ApiMethod(self, httpMethod: httpMethod, integration: integration,
                  authorizer: authorizer ?? api.defaultAuthorizer, authorizationScopes: authorizationScopes)
    }

    /// Adds an `OPTIONS` method answering CORS preflight requests (a `MOCK` integration).
    @discardableResult
    public func addCorsPreflight(_ options: RestApi.CorsOptions) -> ApiMethod {
        ApiMethod(self, httpMethod: "OPTIONS", integration: .corsPreflight(options), authorizer: nil, authorizationScopes: [])
    }

    public override func validate() -> [String] {
        guard parentResource != nil else { return [] }
        var errors: [String] = []
        let isParameter = pathPart.hasPrefix("{") && pathPart.hasSuffix("}")
        let inner = isParameter ? String(pathPart.dropFirst().dropLast()) : pathPart
        let name = inner.hasSuffix("+") && isParameter ? String(inner.dropLast()) : inner
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:@".contains($0)) }
        if name.isEmpty || !name.allSatisfy(allowed) {
            errors.append("path part '\(pathPart)' is invalid: letters, digits and -_.:@, or a parameter {name} / {name+}")
        }
        if let parent = parentResource, parent.children.contains(where: {
            ($0 as? ApiResource).map { $0 !== self && $0.pathPart.hasPrefix("{") } ?? false
        }), isParameter {
            errors.append("\(parent.fullPath) has more than one path parameter child; API Gateway allows one")
        }
        if pathPart.hasSuffix("+}") && children.contains(where: { $0 is ApiResource }) {
            errors.append("a greedy path parameter (\(pathPart)) cannot have child paths")
        }
        return errors
    }
}

import InfraCore
import InfraResources

/// An app client of a user pool.
///
/// Defaults: no client secret (a browser single-page app cannot keep one), SRP sign-in plus
/// refresh tokens, no OAuth (pass `oauth:` for the hosted UI: authorization code flow with
/// `openid`, `email` and `profile` scopes), access and ID tokens valid 60 minutes, refresh
/// tokens 30 days, token revocation on, user-existence errors hidden, Cognito as the only
/// identity provider. URLs known only at deploy time (the domain of a distribution or an
/// Amplify app of the same stack) are added with `addCallbackUrl` / `addLogoutUrl`.
public final class UserPoolClient: Construct {
    /// Explicit (non-OAuth) sign-in flows; refresh-token sign-in is always allowed.
    public enum AuthFlow: String, Sendable {
        /// Secure Remote Password: the password never leaves the client.
        case userSrp = "ALLOW_USER_SRP_AUTH"
        /// Plain password sent to Cognito (over TLS), e.g. for tests and migrations.
        case userPassword = "ALLOW_USER_PASSWORD_AUTH"
        /// Password sign-in from a server with IAM credentials.
        case adminUserPassword = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
        /// Custom challenges (Lambda triggers).
        case custom = "ALLOW_CUSTOM_AUTH"
    }

    /// OAuth 2.0 settings for the hosted UI.
    public struct OAuth {
        public enum Flow: String, Sendable {
            /// Authorization code (with PKCE from a browser): the recommended flow.
            case authorizationCode = "code"
            /// Implicit: tokens in the redirect URL; discouraged.
            case implicit = "implicit"
            /// Client credentials: machine to machine, needs a client secret.
            case clientCredentials = "client_credentials"
        }

        public var flows: [Flow]
        public var scopes: [String]
        /// Where Cognito may redirect after sign-in (HTTPS, or http://localhost).
        public var callbackUrls: [String]
        /// Where Cognito may redirect after sign-out.
        public var logoutUrls: [String]

        /// Defaults: the authorization code flow, scopes `openid`, `email`, `profile`, no logout URLs.
        public init(flows: [Flow] = [.authorizationCode], scopes: [String] = ["openid", "email", "profile"],
                    callbackUrls: [String], logoutUrls: [String] = []) {
            self.flows = flows
            self.scopes = scopes
            self.callbackUrls = callbackUrls
            self.logoutUrls = logoutUrls
        }
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Cognito.UserPoolClient { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: Cognito.UserPoolClient?

    private let generateSecret: Bool
    private let oauth: OAuth?
    private let accessTokenValidity: TimeSpan
    private let idTokenValidity: TimeSpan
    private let refreshTokenValidity: TimeSpan
    private let authFlows: [AuthFlow]
    private var callbackUrls: [StringValue] = []
    private var logoutUrls: [StringValue] = []
    private var problems: [String] = []

    /// - Parameters:
    ///   - userPool: the pool.
    ///   - clientName: default: the construct id.
    ///   - generateSecret: default false.
    ///   - authFlows: default `[.userSrp]`.
    ///   - oauth: default none.
    ///   - accessTokenValidity, idTokenValidity: whole minutes, 5 minutes to 1 day (default
    ///     `.minutes(60)`; the template counts them in minutes).
    ///   - refreshTokenValidity: whole days, 1 to 3650 (default `.days(30)`; counted in days).
    public init(
        _ scope: Construct, _ id: String,
        userPool: any UserPoolRef,
        clientName: String? = nil,
        generateSecret: Bool = false,
        authFlows: [AuthFlow] = [.userSrp],
        oauth: OAuth? = nil,
        accessTokenValidity: TimeSpan = .minutes(60),
        idTokenValidity: TimeSpan = .minutes(60),
        refreshTokenValidity: TimeSpan = .days(30)
    ) {
        self.generateSecret = generateSecret
        self.oauth = oauth
        self.accessTokenValidity = accessTokenValidity
        self.idTokenValidity = idTokenValidity
        self.refreshTokenValidity = refreshTokenValidity
        self.authFlows = authFlows
        super.init(scope, id)
        let c = Cognito.UserPoolClient(self, "Resource")
        resourceStorage = c
        c.userPoolId = userPool.userPoolId
        c.clientName = StringValue(clientName ?? id)
        c.generateSecret = BoolValue(generateSecret)
        c.explicitAuthFlows = ListValue((authFlows.map(\.rawValue) + ["ALLOW_REFRESH_TOKEN_AUTH"]).map { StringValue($0) })
        c.preventUserExistenceErrors = "ENABLED"
        c.enableTokenRevocation = true
        c.supportedIdentityProviders = ["COGNITO"]
        c.accessTokenValidity = NumberValue(accessTokenValidity.count(of: .minutes))
        c.idTokenValidity = NumberValue(idTokenValidity.count(of: .minutes))
        c.refreshTokenValidity = NumberValue(refreshTokenValidity.count(of: .days))
        c.tokenValidityUnits = .init {
            $0.accessToken = "minutes"
            $0.idToken = "minutes"
            $0.refreshToken = "days"
        }
        if let oauth {
            c.allowedOAuthFlowsUserPoolClient = true
            c.allowedOAuthFlows = ListValue(oauth.flows.map { StringValue($0.rawValue) })
            c.allowedOAuthScopes = ListValue(oauth.scopes.map { StringValue($0) })
            callbackUrls = oauth.callbackUrls.map { StringValue($0) }
            logoutUrls = oauth.logoutUrls.map { StringValue($0) }
            c.callbackURLs = ListValue(callbackUrls)
            if !logoutUrls.isEmpty { c.logoutURLs = ListValue(logoutUrls) }
        }
    }

    /// Adds a URL Cognito may redirect to after sign-in, which may be a token (the URL of a
    /// CloudFront distribution or an Amplify branch created in the same stack). Needs `oauth:`.
    public func addCallbackUrl(_ url: StringValue) {
        guard oauth != nil else {
            problems.append("addCallbackUrl needs a client created with oauth:")
            return
        }
        if !callbackUrls.contains(url) { callbackUrls.append(url) }
        resource.callbackURLs = ListValue(callbackUrls)
    }

    /// Adds a URL Cognito may redirect to after sign-out (a literal or a token). Needs `oauth:`.
    public func addLogoutUrl(_ url: StringValue) {
        guard oauth != nil else {
            problems.append("addLogoutUrl needs a client created with oauth:")
            return
        }
        if !logoutUrls.contains(url) { logoutUrls.append(url) }
        resource.logoutURLs = ListValue(logoutUrls)
    }

    /// The client id.
    public var clientId: StringValue { resource.ref }

    /// The client secret (only for a client created with `generateSecret: true`); prefer
    /// reading it at run time over passing it around in templates.
    public var clientSecret: StringValue { resource.attrClientSecret }

    public override func validate() -> [String] {
        var errors = problems + [
            accessTokenValidity.problem("accessTokenValidity", unit: .minutes, in: .minutes(5)...(.days(1))),
            idTokenValidity.problem("idTokenValidity", unit: .minutes, in: .minutes(5)...(.days(1))),
            refreshTokenValidity.problem("refreshTokenValidity", unit: .days, in: .days(1)...(.days(3650))),
        ].compactMap { $0 }
        if authFlows.isEmpty && oauth == nil { errors.append("the client allows no sign-in flow: give authFlows or oauth") }
        if let oauth {
            if oauth.flows.isEmpty { errors.append("oauth needs at least one flow") }
            if oauth.scopes.isEmpty { errors.append("oauth needs at least one scope") }
            if callbackUrls.isEmpty && !oauth.flows.allSatisfy({ $0 == .clientCredentials }) {
                errors.append("the \(oauth.flows.map(\.rawValue).joined(separator: "/")) flow needs at least one callback URL")
            }
            for url in (callbackUrls + logoutUrls).compactMap(\.literal) {
                let localhost = url.hasPrefix("http://localhost") || url.hasPrefix("http://127.0.0.1")
                if !(url.hasPrefix("https://") || localhost) {
                    errors.append("callback and logout URLs must use HTTPS (http only for localhost): '\(url)'")
                }
                if url.contains("#") { errors.append("callback and logout URLs must not contain a fragment: '\(url)'") }
            }
            if oauth.flows.contains(.clientCredentials) {
                if !generateSecret { errors.append("the client_credentials flow needs generateSecret: true") }
                if oauth.flows.count > 1 { errors.append("the client_credentials flow cannot be combined with code or implicit") }
            }
        }
        return errors
    }
}

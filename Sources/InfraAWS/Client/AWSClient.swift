import Foundation

/// One call to a service, before endpoint resolution and signing. Service clients fill it in
/// with their own rules (S3: the bucket's addressing and payload signing, `S3Client`); the
/// generic client applies none of its own.
public struct AWSRequest: Sendable {
    public var service: AWSService
    public var operation: String
    public var method: String
    /// Percent-encoded path below the endpoint, starting with `/`.
    public var path: String
    /// Query parameters in order; an empty value is sent as a bare key (`?delete`).
    public var query: [(String, String)]
    public var headers: HTTPHeaders
    public var body: Data
    /// A label put before the endpoint's host, dot included (S3's virtual-host style: `bucket.`).
    public var hostPrefix: String?
    /// How the body is covered by the signature.
    public var payloadSigning: PayloadSigning
    /// Error statuses returned as responses instead of thrown (e.g. 404 of a HEAD), never retried.
    public var acceptedErrorStatuses: Set<Int> = []
    /// Whether sending the call twice can do harm (default: `.safe` for GET/HEAD, `.mutation`
    /// otherwise). Service clients mark their read-only POST calls `.safe`.
    public var idempotency: Idempotency

    public init(service: AWSService, operation: String, method: String = "POST", path: String = "/",
                query: [(String, String)] = [], headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(),
                hostPrefix: String? = nil, payloadSigning: PayloadSigning = .hashed,
                idempotency: Idempotency? = nil) {
        self.idempotency = idempotency ?? Idempotency.of(method: method)
        self.service = service
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.hostPrefix = hostPrefix
        self.payloadSigning = payloadSigning
    }
}

/// How a request's body is covered by its SigV4 signature.
public enum PayloadSigning: Sendable, Equatable {
    /// The body's SHA-256 in the canonical request (every service).
    case hashed
    /// The same hash, also sent (and signed) as `x-amz-content-sha256`: S3 requires it, and
    /// botocore sends it on REST calls, which moto's signature check expects.
    case hashedInHeader
    /// `UNSIGNED-PAYLOAD` in that header and the canonical request: S3 over HTTPS only.
    case unsigned
}

/// Settings of an `AWSClient` beyond credentials, region and endpoints.
public struct AWSClientOptions: Sendable {
    public var retry: RetryPolicy
    /// Deadline of one attempt (connect, send, whole answer), not an idle timer. A request body
    /// adds time at `minimumUploadRate`, so a large upload over a slow link still fits.
    public var timeout: TimeInterval
    /// Deadline of a whole call: every attempt and every backoff (plus the body's upload time).
    public var callDeadline: TimeInterval
    /// Bytes per second an upload is allowed to be as slow as before its attempt times out.
    public var minimumUploadRate: Double
    /// Verbose mode: receives one line per request/response, with secrets redacted.
    public var logger: (@Sendable (String) -> Void)?
    /// The clock used for signing (before skew correction).
    public var now: @Sendable () -> Date

    public init(retry: RetryPolicy = .default, timeout: TimeInterval = 30, callDeadline: TimeInterval = 300,
                minimumUploadRate: Double = 64 * 1024,
                logger: (@Sendable (String) -> Void)? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.retry = retry
        self.timeout = timeout
        self.callDeadline = callDeadline
        self.minimumUploadRate = minimumUploadRate
        self.logger = logger
        self.now = now
    }

    /// The deadline of one attempt that sends `bodyBytes`.
    public func attemptTimeout(bodyBytes: Int) -> TimeInterval {
        timeout + (minimumUploadRate > 0 ? Double(bodyBytes) / minimumUploadRate : 0)
    }
}

/// Signs, sends, retries and parses errors for every service client.
public final class AWSClient: Sendable {
    public let region: String
    public let credentials: any CredentialProvider
    public let endpoints: EndpointResolver
    public let transport: any HTTPTransport
    public let options: AWSClientOptions
    let keyCache = SigningKeyCache()
    let skew = ClockSkew()
    /// The retry quota shared by every call of this client.
    public let retryQuota = RetryQuota()

    public init(region: String, credentials: any CredentialProvider, endpoints: EndpointResolver,
                transport: any HTTPTransport = defaultHTTPTransport(), options: AWSClientOptions = AWSClientOptions()) {
        self.region = region
        self.credentials = credentials
        self.endpoints = endpoints
        self.transport = transport
        self.options = options
    }

    /// Resolves everything the way AWS tools do: the profile (argument, `AWS_PROFILE`, `default`),
    /// the region (argument, `AWS_REGION`, `AWS_DEFAULT_REGION`, profile, `fallbackRegion`),
    /// endpoints (with `AWS_ENDPOINT_URL*` overrides) and the credential chain.
    public static func resolve(region: String? = nil, profile: String? = nil, fallbackRegion: String? = nil,
                               credentials explicit: Credentials? = nil,
                               environment: AWSEnvironment = .current(),
                               transport: any HTTPTransport = defaultHTTPTransport(),
                               options: AWSClientOptions = AWSClientOptions()) throws -> AWSClient {
        let config = try AWSSharedConfig.load(environment)
        let profileName = profile ?? environment.profileName ?? "default"
        let profileValue = config.profile(profileName)
        if profileValue == nil, profile != nil || environment.profileName != nil {
            throw CredentialsError.profileNotFound(profile: profileName, configPath: config.configPath,
                                                   credentialsPath: config.credentialsPath)
        }
        let resolvedRegion = try RegionResolver.resolve(explicit: region, environment: environment,
                                                        profile: profileValue, fallback: fallbackRegion)
        let endpoints = EndpointResolver(environment: environment, profile: profileValue)
        var options = options
        options.retry = options.retry.configured(environment: environment, profile: profileValue)
        let chain = CredentialChain(explicit: explicit, environment: environment, config: config,
                                    profile: profileName, profileFromArgument: profile != nil,
                                    region: resolvedRegion, endpoints: endpoints, transport: transport,
                                    now: options.now)
        return AWSClient(region: resolvedRegion, credentials: chain, endpoints: endpoints,
                         transport: transport, options: options)
    }

    /// The same client with other credentials (e.g. after AssumeRole).
    public func with(credentials: any CredentialProvider) -> AWSClient {
        AWSClient(region: region, credentials: credentials, endpoints: endpoints, transport: transport,
                  options: options)
    }

    /// The same client for another region.
    public func with(region: String) -> AWSClient {
        AWSClient(region: region, credentials: credentials, endpoints: endpoints, transport: transport,
                  options: options)
    }

    /// The current corrected time (local clock plus the skew learned from the server).
    public var now: Date { options.now().addingTimeInterval(skew.offset) }

    // MARK: Sending

    /// Sends a call through its stages: route (endpoint, URL, signer), then per attempt resolve
    /// credentials and sign, transmit within the deadlines, and decide on the answer: done, or
    /// again after a clock-skew correction, a credential refresh or a backoff, or an error.
    ///
    /// Retries follow the SDKs' standard mode (throttling, 500/502/503/504, transport failures;
    /// backoff with full jitter; the retry quota); a service error answer is thrown as `AWSError`.
    /// A `.mutation` whose answer was lost (the transport cannot prove the request never left)
    /// is not sent again: `AWSClientError.ambiguous` tells the caller to read the real state.
    /// Each attempt has a deadline (`AWSClientOptions.timeout`, plus time for a large body) and
    /// the whole call another (`AWSClientOptions.callDeadline`), backoff included.
    public func send(_ call: AWSRequest) async throws -> HTTPResponse {
        let route = try route(call)
        var attempts = CallAttempts(call: call, options: options)
        while true {
            try Task.checkCancellation()
            let request = try await signedRequest(call, route, attempts)
            let outcome = try await transmit(request, call, attempts)
            switch try await decide(outcome, call, &attempts) {
            case .done(let response): return response
            case .again: continue
            }
        }
    }

    /// A presigned URL for a call (S3 GET/PUT links); the payload is `UNSIGNED-PAYLOAD`.
    public func presignedURL(_ call: AWSRequest, expires: Int) async throws -> URL {
        let route = try route(call)
        return route.signer.presign(method: call.method, url: route.url, credentials: try await credentials.credentials(),
                                    date: now, expires: expires).url
    }

    /// The endpoint's URL with the request's host prefix, path and query.
    static func url(for call: AWSRequest, endpoint: Endpoint) throws -> URL {
        guard var components = URLComponents(url: endpoint.url, resolvingAgainstBaseURL: false) else {
            throw AWSClientError.invalidRequest("invalid endpoint URL \(endpoint.url)")
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        if let prefix = call.hostPrefix { components.host = prefix + (components.host ?? "") }
        components.percentEncodedPath = basePath + (call.path.hasPrefix("/") ? call.path : "/" + call.path)
        if call.query.isEmpty {
            components.percentEncodedQuery = nil
        } else {
            components.percentEncodedQuery = call.query.map { key, value in
                value.isEmpty ? PercentEncoding.uriEncode(key)
                    : PercentEncoding.uriEncode(key) + "=" + PercentEncoding.uriEncode(value)
            }.joined(separator: "&")
        }
        guard let url = components.url else {
            throw AWSClientError.invalidRequest("cannot build a URL for \(call.service) \(call.operation)")
        }
        return url
    }

    func log(_ line: @autoclosure () -> String) {
        options.logger?(line())
    }
}

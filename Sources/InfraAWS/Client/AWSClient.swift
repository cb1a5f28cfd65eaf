import Foundation

/// One call to a service, before endpoint resolution and signing.
public struct AWSRequest: Sendable {
    public var service: AWSService
    public var operation: String
    public var method: String
    /// Percent-encoded path below the endpoint (S3: below the bucket), starting with `/`.
    public var path: String
    /// Query parameters in order; an empty value is sent as a bare key (`?delete`).
    public var query: [(String, String)]
    public var headers: HTTPHeaders
    public var body: Data
    /// S3: the bucket, placed in the host (virtual-host style) or the path (path style).
    public var bucket: String?
    /// S3 over HTTPS only: sign `UNSIGNED-PAYLOAD` instead of the body's hash.
    public var unsignedPayload: Bool
    /// Error statuses returned as responses instead of thrown (e.g. 404 of a HEAD), never retried.
    public var acceptedErrorStatuses: Set<Int> = []
    /// Whether sending the call twice can do harm (default: `.safe` for GET/HEAD, `.mutation`
    /// otherwise). Service clients mark their read-only POST calls `.safe`.
    public var idempotency: Idempotency

    public init(service: AWSService, operation: String, method: String = "POST", path: String = "/",
                query: [(String, String)] = [], headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(),
                bucket: String? = nil, unsignedPayload: Bool = false, idempotency: Idempotency? = nil) {
        self.idempotency = idempotency ?? Idempotency.of(method: method)
        self.service = service
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bucket = bucket
        self.unsignedPayload = unsignedPayload
    }
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

    /// Sends a call: resolves the endpoint, signs, retries as the SDKs' standard mode does
    /// (throttling, 500/502/503/504, transport failures; backoff with full jitter; the retry
    /// quota), corrects clock skew within bounds, and throws `AWSError` for a service error answer.
    ///
    /// A `.mutation` whose answer was lost (the transport cannot prove the request never left)
    /// is not sent again: `AWSClientError.ambiguous` tells the caller to read the real state.
    /// Each attempt has a deadline (`AWSClientOptions.timeout`, plus time for a large body) and
    /// the whole call another (`AWSClientOptions.callDeadline`), backoff included.
    public func send(_ call: AWSRequest) async throws -> HTTPResponse {
        let endpoint = try endpoints.endpoint(for: call.service, region: region)
        let url = try Self.url(for: call, endpoint: endpoint)
        let signer = SigV4Signer(service: call.service.signingName, region: endpoint.signingRegion,
                                 keyCache: keyCache)
        let policy = options.retry
        let maxAttempts = policy.attempts(for: call.idempotency)
        let attemptTimeout = options.attemptTimeout(bodyBytes: call.body.count)
        let started = DispatchTime.now()
        let deadline = options.callDeadline + (attemptTimeout - options.timeout)
        func elapsed() -> TimeInterval { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
        var attempt = 1
        var skewCorrections = 0
        var refreshedCredentials = false
        var lastRetryCost: Int?
        let kind = call.idempotency == .safe ? "read" : "mutation"

        /// Waits before the next attempt when the quota and the call's deadline allow; false otherwise.
        func backoff(timeout: Bool, reason: String) async throws -> Bool {
            guard attempt < maxAttempts else { return false }
            var cost: Int?
            if policy.usesQuota {
                guard let taken = retryQuota.acquire(timeout: timeout) else {
                    log("retry quota exhausted (\(retryQuota.available) tokens left): not retrying \(reason)")
                    return false
                }
                cost = taken
            }
            let delay = policy.delay(beforeRetry: attempt)
            guard elapsed() + delay < deadline else {
                if let cost { retryQuota.release(retryCost: cost) }
                log("call deadline of \(Int(deadline)) s reached: not retrying \(reason)")
                return false
            }
            log("retrying \(call.service) \(call.operation) in \(String(format: "%.2f", delay)) s: \(reason)")
            try await policy.sleep(delay)
            lastRetryCost = cost
            attempt += 1
            return true
        }

        while true {
            try Task.checkCancellation()
            let creds = try await credentials.credentials()
            var request = HTTPRequest(method: call.method, url: url, headers: call.headers, body: call.body,
                                      idempotency: call.idempotency)
            let isS3 = call.service == .s3
            let payloadHash: String? = isS3 && call.unsignedPayload && url.scheme == "https"
                ? SigV4Signer.unsignedPayload : nil
            signer.sign(&request, credentials: creds, date: now, payloadHash: payloadHash,
                        addContentHashHeader: isS3)
            log("→ \(call.service) \(call.operation) \(request.method) \(url.redactedForLog) "
                + "(\(kind), attempt \(attempt)/\(maxAttempts)) " + Redaction.headers(request.headers)
                + " body=\(request.body.count)B")
            let remaining = deadline - elapsed()
            guard remaining > 0 else {
                throw AWSClientError.transport(service: call.service.name, operation: call.operation,
                                               attempts: attempt - 1,
                                               underlying: "no answer within the call's deadline of \(Int(deadline)) s")
            }
            let attemptStarted = DispatchTime.now()
            let response: HTTPResponse
            do {
                response = try await transport.send(request, timeout: min(attemptTimeout, remaining))
            } catch let error as TransportError {
                let sent = error.delivery == .notSent ? "not sent" : "maybe sent"
                log("✗ \(call.service) \(call.operation): \(error.message) [\(sent)]")
                if Task.isCancelled { throw CancellationError() }
                guard error.isRetryable else {
                    throw AWSClientError.transport(service: call.service.name, operation: call.operation,
                                                   attempts: attempt, underlying: error.message)
                }
                if call.idempotency == .mutation, error.delivery == .maybeSent {
                    // the server may have acted: sending it again blindly could apply it twice
                    throw AWSClientError.ambiguous(service: call.service.name, operation: call.operation,
                                                   underlying: error.message)
                }
                if try await backoff(timeout: error.isTimeout, reason: error.message) { continue }
                throw AWSClientError.transport(service: call.service.name, operation: call.operation,
                                               attempts: attempt, underlying: error.message)
            }
            let ms = Int(Double(DispatchTime.now().uptimeNanoseconds - attemptStarted.uptimeNanoseconds) / 1e6)
            let requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"] ?? "-"
            log("← \(call.service) \(call.operation) HTTP \(response.statusCode) \(ms) ms request-id=\(requestID)")
            if (200..<300).contains(response.statusCode) || call.acceptedErrorStatuses.contains(response.statusCode) {
                if policy.usesQuota { retryQuota.release(retryCost: lastRetryCost) }
                return response
            }

            let error = AWSError.parse(response, service: call.service, operation: call.operation)
            if RetryPolicy.isClockSkewError(error), skewCorrections < 2, attempt < maxAttempts {
                switch ClockSkew.correction(serverDate: response.headers["Date"].flatMap(AWSDate.parseHTTPDate),
                                            localNow: options.now(), currentOffset: skew.offset) {
                case .adjust(let offset):
                    skew.offset = offset
                    log("clock skew: server time differs by \(Int(offset)) s; re-signing")
                    skewCorrections += 1
                    attempt += 1
                    continue
                case .tooLarge(let offset):
                    throw AWSClientError.clockSkew(service: call.service.name, operation: call.operation,
                                                   offsetSeconds: offset, underlying: error.description)
                case .none:
                    break
                }
            }
            if RetryPolicy.expiredCredentialCodes.contains(error.code), !refreshedCredentials,
               attempt < maxAttempts {
                log("credentials expired (\(error.code)); resolving them again")
                await credentials.invalidate()
                refreshedCredentials = true
                attempt += 1
                continue
            }
            if RetryPolicy.isRetryable(error), try await backoff(timeout: false, reason: "\(error.code) (HTTP \(response.statusCode))") {
                continue
            }
            throw error
        }
    }

    /// A presigned URL for a call (S3 GET/PUT links); the payload is `UNSIGNED-PAYLOAD`.
    public func presignedURL(_ call: AWSRequest, expires: Int) async throws -> URL {
        let endpoint = try endpoints.endpoint(for: call.service, region: region)
        let url = try Self.url(for: call, endpoint: endpoint)
        let signer = SigV4Signer(service: call.service.signingName, region: endpoint.signingRegion,
                                 keyCache: keyCache)
        return signer.presign(method: call.method, url: url, credentials: try await credentials.credentials(),
                              date: now, expires: expires).url
    }

    static func url(for call: AWSRequest, endpoint: Endpoint) throws -> URL {
        guard var components = URLComponents(url: endpoint.url, resolvingAgainstBaseURL: false) else {
            throw AWSClientError.invalidRequest("invalid endpoint URL \(endpoint.url)")
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var path = call.path.hasPrefix("/") ? call.path : "/" + call.path
        if let bucket = call.bucket {
            guard !bucket.isEmpty else { throw AWSClientError.invalidRequest("S3 bucket name is empty") }
            if !endpoint.isCustom, endpoint.s3VirtualHostStyle, S3Client.isVirtualHostCompatible(bucket) {
                components.host = bucket + "." + (components.host ?? "")
            } else {
                path = "/" + PercentEncoding.uriEncode(bucket) + (path == "/" ? "" : path)
            }
        }
        components.percentEncodedPath = basePath + path
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

/// The offset between the server's clock and ours, learned from skew errors.
///
/// Bounded as the SDKs bound it, and tighter: the offset changes only after a clock-skew error
/// (`RetryPolicy.isClockSkewError`), only from a parseable `Date` header, only when the server's
/// time differs from our corrected time by at least 4 minutes (the AWS SDK for Java's
/// threshold; SigV4 tolerates 5 minutes, S3 15), and never by more than a day: a clock a day
/// off is a broken clock (or a forged `Date`), reported as `AWSClientError.clockSkew`.
final class ClockSkew: @unchecked Sendable {
    static let threshold: TimeInterval = 4 * 60
    static let maximum: TimeInterval = 24 * 3600

    enum Correction: Equatable {
        case none
        case adjust(TimeInterval)
        case tooLarge(TimeInterval)
    }

    private let lock = NSLock()
    private var value: TimeInterval = 0
    var offset: TimeInterval {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }

    /// What a skew error with this server `Date` should change.
    static func correction(serverDate: Date?, localNow: Date, currentOffset: TimeInterval) -> Correction {
        guard let serverDate else { return .none }
        let offset = serverDate.timeIntervalSince(localNow)
        guard abs(offset - currentOffset) >= threshold else { return .none }
        guard abs(offset) <= maximum else { return .tooLarge(offset) }
        return .adjust(offset)
    }
}

/// Redaction of secrets in log lines.
enum Redaction {
    static let secretHeaders: Set<String> = ["x-amz-security-token", "x-aws-ec2-metadata-token"]

    static func headers(_ headers: HTTPHeaders) -> String {
        let parts = headers.map { field -> String in
            let lower = field.name.lowercased()
            if lower == "authorization" {
                // keep the algorithm, scope and signed header names; drop key id and signature
                let value = field.value
                    .replacingOccurrences(of: #"Credential=[^/,]+"#, with: "Credential=<redacted>",
                                          options: .regularExpression)
                    .replacingOccurrences(of: #"Signature=[0-9a-fA-F]+"#, with: "Signature=<redacted>",
                                          options: .regularExpression)
                return "\(field.name)=\"\(value)\""
            }
            if secretHeaders.contains(lower) { return "\(field.name)=<redacted>" }
            return "\(field.name)=\"\(field.value)\""
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}

extension URL {
    /// The URL with presigned secrets (`X-Amz-Signature`, `X-Amz-Security-Token`, `X-Amz-Credential`) redacted.
    var redactedForLog: String {
        let text = absoluteString
        guard let q = text.firstIndex(of: "?") else { return text }
        let redacted: Set<String> = ["x-amz-signature", "x-amz-security-token", "x-amz-credential"]
        let query = text[text.index(after: q)...].split(separator: "&").map { pair -> String in
            let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return redacted.contains(key.lowercased()) ? "\(key)=<redacted>" : String(pair)
        }
        return text[...q] + query.joined(separator: "&")
    }
}

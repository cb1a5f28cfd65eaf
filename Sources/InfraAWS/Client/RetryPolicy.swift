import Foundation

/// When and how long to wait before retrying: the AWS SDKs' "standard" retry mode (throttling
/// codes, 500/502/503/504, transport errors; exponential backoff with full jitter capped at 20 s;
/// a retry quota per client), with more attempts for read-only calls than for mutations.
/// Sleep and randomness are injectable so that retry decisions are testable without waiting.
public struct RetryPolicy: Sendable {
    public enum Mode: String, Sendable {
        /// The SDKs' standard mode: 3 attempts, retry quota.
        case standard
        /// The SDKs' legacy mode: 5 attempts, no retry quota.
        case legacy
        /// Accepted for compatibility (`AWS_RETRY_MODE=adaptive`); behaves as `standard` (no
        /// client-side rate limiter).
        case adaptive
    }

    /// Total attempts per call, including the first (at least 1), for mutations.
    public var maxAttempts: Int
    /// Total attempts for `.safe` (read-only) calls: polling keeps going through longer bursts of
    /// throttling or dropped connections, since repeating a read does no harm.
    public var readMaxAttempts: Int
    /// Backoff ceiling before the n-th retry: `min(maxDelay, baseDelay * 2^(n-1))`.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var mode: Mode
    /// Whether retries draw on the client's retry quota (`RetryQuota`).
    public var usesQuota: Bool
    /// Returns a value in the range (full jitter); default `Double.random(in:)`.
    public var random: @Sendable (ClosedRange<Double>) -> Double
    /// Waits; default `Task.sleep`.
    public var sleep: @Sendable (TimeInterval) async throws -> Void

    /// `readMaxAttempts` defaults to `maxAttempts`; `RetryPolicy.default` gives reads more.
    public init(maxAttempts: Int = 3, readMaxAttempts: Int? = nil, baseDelay: TimeInterval = 1,
                maxDelay: TimeInterval = 20, mode: Mode = .standard, usesQuota: Bool = true,
                random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                }) {
        self.maxAttempts = max(1, maxAttempts)
        self.readMaxAttempts = max(1, readMaxAttempts ?? maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.mode = mode
        self.usesQuota = usesQuota
        self.random = random
        self.sleep = sleep
    }

    /// Standard mode: 3 attempts for mutations (the SDKs' default), 8 for reads.
    public static let `default` = RetryPolicy(maxAttempts: 3, readMaxAttempts: defaultReadMaxAttempts)
    public static let defaultReadMaxAttempts = 8

    /// Attempts for a call of this kind.
    public func attempts(for idempotency: Idempotency) -> Int {
        idempotency == .safe ? readMaxAttempts : maxAttempts
    }

    /// Exponential backoff with full jitter before retry number `retry` (1 = first retry).
    public func delay(beforeRetry retry: Int) -> TimeInterval {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(max(0, retry - 1), 62))))
        return min(ceiling, max(0, random(0...ceiling)))
    }

    /// Error codes that mean "slow down" (the SDKs' standard-mode list).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    /// Error codes for transient failures that AWS documents as not applied.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "IDPCommunicationError",
    ]

    /// HTTP statuses retried whatever the code (not 501 and not other 5xx).
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// Error codes meaning the (temporary) credentials expired: resolve them again, once.
    public static let expiredCredentialCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
    ]

    /// Whether a service error answer is worth another attempt (for reads and mutations alike:
    /// AWS documents these answers as not applied).
    public static func isRetryable(_ error: AWSError) -> Bool {
        throttlingCodes.contains(error.code) || transientCodes.contains(error.code)
            || error.statusCode == 429 || transientStatuses.contains(error.statusCode)
    }

    /// Errors that mean the request's signing time is too far from the server's clock.
    public static func isClockSkewError(_ error: AWSError) -> Bool {
        switch error.code {
        case "RequestTimeTooSkewed", "RequestExpired", "SignatureExpired", "RequestInTheFuture":
            return true
        case "InvalidSignatureException", "AuthFailure", "SignatureDoesNotMatch":
            let m = error.message.lowercased()
            return m.contains("signature expired") || m.contains("signature not yet current")
        default:
            return false
        }
    }

    /// Reads `AWS_RETRY_MODE` / `retry_mode` and `AWS_MAX_ATTEMPTS` / `max_attempts` (environment
    /// first, then the profile). A configured attempt count applies to reads and mutations alike.
    public func configured(environment: AWSEnvironment, profile: AWSProfile?) -> RetryPolicy {
        var policy = self
        if let value = environment["AWS_RETRY_MODE"] ?? profile?["retry_mode"],
           let mode = Mode(rawValue: value.lowercased()) {
            policy.mode = mode
            if mode == .legacy {
                policy.usesQuota = false
                policy.maxAttempts = max(policy.maxAttempts, 5)
                policy.readMaxAttempts = max(policy.readMaxAttempts, 5)
            }
        }
        if let value = environment["AWS_MAX_ATTEMPTS"] ?? profile?["max_attempts"], let n = Int(value), n > 0 {
            policy.maxAttempts = n
            policy.readMaxAttempts = n
        }
        return policy
    }
}

/// The retry quota of one client (the SDKs' standard mode token bucket): 500 tokens; a retry takes
/// 5 (10 after a timeout); a successful call gives back what its last retry took, or 1 when it
/// succeeded at once; with too few tokens left, failures surface without a retry. A burst of
/// failures that affects every call (an outage, a black hole) thus stops retrying after about 100
/// retries instead of multiplying the load.
public final class RetryQuota: @unchecked Sendable {
    public static let capacity = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10
    public static let noRetryIncrement = 1

    private let lock = NSLock()
    private var tokens: Int
    private let maximum: Int

    public init(capacity: Int = RetryQuota.capacity) {
        tokens = capacity
        maximum = capacity
    }

    public var available: Int { lock.withLock { tokens } }

    /// Takes the cost of a retry; nil when the quota is exhausted.
    public func acquire(timeout: Bool) -> Int? {
        let cost = timeout ? Self.timeoutRetryCost : Self.retryCost
        return lock.withLock { () -> Int? in
            guard tokens >= cost else { return nil }
            tokens -= cost
            return cost
        }
    }

    /// A call succeeded; `retryCost` is what its last retry took (nil: no retry).
    public func release(retryCost: Int?) {
        lock.withLock { tokens = min(maximum, tokens + (retryCost ?? Self.noRetryIncrement)) }
    }
}

import Foundation

/// When and how long to wait before retrying. Sleep and randomness are injectable so that retry
/// decisions are testable without waiting.
public struct RetryPolicy: Sendable {
    /// Total attempts per call, including the first (at least 1).
    public var maxAttempts: Int
    /// Backoff ceiling before the n-th retry: `min(maxDelay, baseDelay * 2^(n-1))`.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Returns a value in the range (full jitter); default `Double.random(in:)`.
    public var random: @Sendable (ClosedRange<Double>) -> Double
    /// Waits; default `Task.sleep`.
    public var sleep: @Sendable (TimeInterval) async throws -> Void

    public init(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 20,
                random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
    }

    public static let `default` = RetryPolicy()

    /// Exponential backoff with full jitter before retry number `retry` (1 = first retry).
    public func delay(beforeRetry retry: Int) -> TimeInterval {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, retry - 1))))
        return min(ceiling, max(0, random(0...ceiling)))
    }

    /// Error codes that mean "slow down" (botocore's list, minus `LimitExceededException`,
    /// which CloudFormation uses for quotas that no retry will fix).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes for transient server-side failures.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
        "ServiceUnavailable", "IDPCommunicationError",
    ]

    /// Error codes meaning the (temporary) credentials expired: resolve them again, once.
    public static let expiredCredentialCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
    ]

    /// Whether a service error is worth another attempt.
    public static func isRetryable(_ error: AWSError) -> Bool {
        throttlingCodes.contains(error.code) || transientCodes.contains(error.code)
            || error.statusCode == 429 || (500...599).contains(error.statusCode)
    }

    /// Errors that mean the request's signing time is too far from the server's clock.
    public static func isClockSkewError(_ error: AWSError) -> Bool {
        switch error.code {
        case "RequestTimeTooSkewed", "RequestExpired", "SignatureExpired":
            return true
        case "InvalidSignatureException", "AuthFailure", "SignatureDoesNotMatch":
            let m = error.message.lowercased()
            return m.contains("signature expired") || m.contains("signature not yet current")
        default:
            return false
        }
    }

    /// Reads `AWS_MAX_ATTEMPTS` / the profile's `max_attempts`.
    public func configured(environment: AWSEnvironment, profile: AWSProfile?) -> RetryPolicy {
        var policy = self
        if let value = environment["AWS_MAX_ATTEMPTS"] ?? profile?["max_attempts"], let n = Int(value), n > 0 {
            policy.maxAttempts = n
        }
        return policy
    }
}

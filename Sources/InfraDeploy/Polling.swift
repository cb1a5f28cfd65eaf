import Foundation
import InfraAWS

/// How often the deployer asks CloudFormation for news: the first poll right away, then after
/// `initial` seconds, backing off by `factor` up to `maximum` while nothing changes, and back to
/// `initial` as soon as something does. The end of an operation is seen within about the current
/// delay: at once on a server that finishes inside ExecuteChangeSet (moto), ~0.2 s (at most
/// ~0.4 s) after an operation of about a second, at most `maximum` (1 s) after a long quiet one,
/// which then costs ~1.2 calls a second (the stack monitor makes one call per poll, plus
/// DescribeStacks every fifth). `scripts/bench-deploy` measures these latencies and call counts.
public struct PollingPolicy: Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    public var factor: Double
    /// The delay held while an operation is settling (every resource it touched has finished, so
    /// the stack's final status is due any moment), for at most `settleWindow / settle` polls
    /// (about `settleWindow` seconds): the end of a long operation is then seen within about this
    /// delay instead of `maximum`.
    public var settle: TimeInterval
    public var settleWindow: TimeInterval
    /// Give up waiting for one operation after this long (CloudFormation's own limits are lower).
    public var timeout: TimeInterval
    /// Waits; injectable so tests do not.
    public var sleep: @Sendable (TimeInterval) async throws -> Void
    /// The clock for timeouts.
    public var now: @Sendable () -> Date
    /// A watch keeps polling through transient failures (throttling, 5xx, dropped connections,
    /// unreadable answers) for this long in a row before it stops (and says that CloudFormation
    /// carries on), as CDK's stack monitor logs such errors and keeps polling.
    public var errorPatience: TimeInterval
    /// The backoff between polls that failed: `errorBackoff` doubling up to `errorBackoffMax`,
    /// each delay drawn from its upper half (jitter, so monitors that failed together spread out).
    public var errorBackoff: TimeInterval
    public var errorBackoffMax: TimeInterval
    /// One budget of Describe* calls per region shared by every stack watched at once
    /// (`--concurrency`); nil: no shared budget.
    public var limiter: CallRateLimiter?
    /// A value in 0...1 for the backoff's jitter.
    public var random: @Sendable () -> Double

    public init(initial: TimeInterval = 0.1, maximum: TimeInterval = 1.0, factor: Double = 1.2,
                settle: TimeInterval = 0.15, settleWindow: TimeInterval = 5,
                timeout: TimeInterval = 4 * 3600,
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                },
                now: @escaping @Sendable () -> Date = { Date() },
                errorPatience: TimeInterval = 15 * 60, errorBackoff: TimeInterval = 1, errorBackoffMax: TimeInterval = 20,
                limiter: CallRateLimiter? = nil,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.settle = settle
        self.settleWindow = settleWindow
        self.timeout = timeout
        self.sleep = sleep
        self.now = now
        self.errorPatience = errorPatience
        self.errorBackoff = errorBackoff
        self.errorBackoffMax = errorBackoffMax
        self.limiter = limiter
        self.random = random
    }

    /// The CLI's policy: adaptive polling, one shared CloudFormation call budget per region.
    public static let standard = PollingPolicy(limiter: CallRateLimiter())

    /// The delay after the n-th poll in a row that failed (1 = the first).
    public func errorDelay(failures: Int) -> TimeInterval {
        let ceiling = min(errorBackoffMax, errorBackoff * pow(2, Double(max(0, failures - 1))))
        return ceiling * (0.5 + 0.5 * min(1, max(0, random())))
    }

    /// The delay after a poll: back to `initial` on news, else the previous one backed off.
    public func next(after previous: TimeInterval, news: Bool) -> TimeInterval {
        news ? initial : min(maximum, max(initial, previous * factor))
    }

    /// The delay after a poll given what it saw: news resets, settling holds at most `settle`,
    /// quiet backs off.
    public func next(after previous: TimeInterval, hint: PollHint) -> TimeInterval {
        switch hint {
        case .news: return initial
        case .settling: return min(settle, next(after: previous, news: false))
        case .quiet: return next(after: previous, news: false)
        }
    }
}

/// What a poll saw, for the next delay.
public enum PollHint: Sendable, Equatable {
    /// Nothing new.
    case quiet
    /// Something changed.
    case news
    /// Nothing new, but the end is due (all resources finished, the stack not yet).
    case settling
}

/// An adaptive poll loop: calls `poll` until it returns a value, sleeping between calls as the
/// policy says. `poll` returns `(result, news)`.
func pollUntil<T>(_ policy: PollingPolicy, what: String,
                  _ poll: () async throws -> (T?, Bool)) async throws -> T {
    try await pollUntil(policy, what: what, hinted: {
        let (result, news) = try await poll()
        return (result, news ? PollHint.news : .quiet)
    })
}

/// The poll loop with a hint per poll (see `PollHint`).
///
/// With `onTransient`, a poll that fails with a transient error (`isTransientAWSFailure`) is
/// reported to it and tried again after the policy's error backoff, for up to
/// `policy.errorPatience` in a row; then `WatchGaveUp` is thrown. Without it, errors end the loop.
func pollUntil<T>(_ policy: PollingPolicy, what: String,
                  onTransient: ((_ error: Error, _ failures: Int, _ delay: TimeInterval) -> Void)? = nil,
                  hinted poll: () async throws -> (T?, PollHint)) async throws -> T {
    let deadline = policy.now().addingTimeInterval(policy.timeout)
    var delay = 0.0
    var failingSince: Date?
    var failures = 0
    while true {
        try Task.checkCancellation()
        let result: T?
        let hint: PollHint
        do {
            (result, hint) = try await poll()
        } catch where onTransient != nil && isTransientAWSFailure(error) && !Task.isCancelled {
            let now = policy.now()
            let since = failingSince ?? now
            failingSince = since
            failures += 1
            if now.timeIntervalSince(since) >= policy.errorPatience {
                throw WatchGaveUp(underlying: error, failures: failures, seconds: now.timeIntervalSince(since))
            }
            let wait = policy.errorDelay(failures: failures)
            onTransient?(error, failures, wait)
            try await policy.sleep(wait)
            continue
        }
        failingSince = nil
        failures = 0
        if let result { return result }
        guard policy.now() < deadline else {
            throw DeployError(.other, "gave up waiting for \(what) after \(Int(policy.timeout)) s")
        }
        delay = delay == 0 ? policy.initial : policy.next(after: delay, hint: hint)
        try await policy.sleep(delay)
    }
}

/// A watch stopped after its calls failed for `errorPatience` in a row.
struct WatchGaveUp: Error {
    var underlying: Error
    var failures: Int
    var seconds: TimeInterval
}

/// Failures worth another poll later: throttling, 5xx, network failures (the client's own
/// retries exhausted), answers that could not be read.
func isTransientAWSFailure(_ error: Error) -> Bool {
    switch error {
    case let e as AWSError:
        return RetryPolicy.isRetryable(e) || e.isThrottling
    case let e as AWSClientError:
        switch e {
        case .transport, .malformedResponse: return true
        default: return false
        }
    case is TransportError:
        return true
    default:
        return false
    }
}

/// A budget of calls per key (a region) shared by every monitor of a deploy: a token bucket
/// refilled at `rate` calls a second, holding at most `burst`. When CloudFormation throttles,
/// the key's rate halves (down to `minimumRate`); each call that succeeds wins a little of it
/// back (up to `rate`), the way the AWS SDKs' adaptive retry mode slows a client down.
///
/// CloudFormation publishes no request rates for its Describe* calls; the default (8 a second,
/// burst 16) is sized so that one stack's monitor is not held back (about 10 calls a second for
/// a few seconds after news, ~7 while settling, ~1.2 when quiet; see `PollingPolicy`), while N
/// stacks watched at once (`--concurrency N`) stay within 8 a second together instead of ~10 N,
/// and slow down further as soon as CloudFormation throttles.
public final class CallRateLimiter: @unchecked Sendable {
    public let rate: Double
    public let burst: Double
    public let minimumRate: Double
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, rate: Double, at: Date)] = [:]

    public init(rate: Double = 8, burst: Double = 16, minimumRate: Double = 0.5) {
        self.rate = max(0.01, rate)
        self.burst = max(1, burst)
        self.minimumRate = min(max(0.01, minimumRate), self.rate)
    }

    /// Takes one call from the budget of `key`; returns how long to wait before making it.
    public func reserve(_ key: String, now: Date) -> TimeInterval {
        lock.withLock {
            var b = buckets[key] ?? (tokens: burst, rate: rate, at: now)
            if now < b.at { b = (tokens: burst, rate: b.rate, at: now) }  // another clock (a test's, a benchmark's)
            b.tokens = min(burst, b.tokens + now.timeIntervalSince(b.at) * b.rate)
            b.at = now
            b.tokens -= 1
            buckets[key] = b
            return b.tokens >= 0 ? 0 : -b.tokens / b.rate
        }
    }

    /// The current rate of `key`.
    public func currentRate(_ key: String) -> Double {
        lock.withLock { buckets[key]?.rate ?? rate }
    }

    /// CloudFormation throttled a call of `key`.
    public func throttled(_ key: String) {
        lock.withLock {
            guard var b = buckets[key] else { return }
            b.rate = max(minimumRate, b.rate / 2)
            buckets[key] = b
        }
    }

    /// A call of `key` succeeded.
    public func succeeded(_ key: String) {
        lock.withLock {
            guard var b = buckets[key], b.rate < rate else { return }
            b.rate = min(rate, b.rate + rate / 20)
            buckets[key] = b
        }
    }
}

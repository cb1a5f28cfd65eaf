import Foundation

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

    public init(initial: TimeInterval = 0.1, maximum: TimeInterval = 1.0, factor: Double = 1.2,
                settle: TimeInterval = 0.15, settleWindow: TimeInterval = 5,
                timeout: TimeInterval = 4 * 3600,
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.settle = settle
        self.settleWindow = settleWindow
        self.timeout = timeout
        self.sleep = sleep
        self.now = now
    }

    public static let standard = PollingPolicy()

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
func pollUntil<T>(_ policy: PollingPolicy, what: String,
                  hinted poll: () async throws -> (T?, PollHint)) async throws -> T {
    let deadline = policy.now().addingTimeInterval(policy.timeout)
    var delay = 0.0
    while true {
        try Task.checkCancellation()
        let (result, hint) = try await poll()
        if let result { return result }
        guard policy.now() < deadline else {
            throw DeployError(.other, "gave up waiting for \(what) after \(Int(policy.timeout)) s")
        }
        delay = delay == 0 ? policy.initial : policy.next(after: delay, hint: hint)
        try await policy.sleep(delay)
    }
}

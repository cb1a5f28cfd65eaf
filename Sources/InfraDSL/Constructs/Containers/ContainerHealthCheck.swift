import InfraCore

/// A container health check run by the ECS agent.
public struct ContainerHealthCheck: Sendable, Equatable {
    /// `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]` or `["CMD", "executable", "arg"]`.
    public var command: [String]
    /// Time between checks (default 30 seconds; 5 seconds to 5 minutes).
    public var interval: TimeSpan
    /// Time before a check fails (default 5 seconds; 2 to 60 seconds).
    public var timeout: TimeSpan
    /// Failures before the container is unhealthy (default 3; 1-10).
    public var retries: Int
    /// Grace period during which failures do not count (default nil: none; up to 5 minutes).
    public var startPeriod: TimeSpan?

    public init(command: [String], interval: TimeSpan = .seconds(30), timeout: TimeSpan = .seconds(5), retries: Int = 3,
                startPeriod: TimeSpan? = nil) {
        self.command = command
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
    }

    /// A shell command (`CMD-SHELL`), e.g. `.shell("curl -f http://localhost:8000/health || exit 1")`.
    public static func shell(_ command: String, interval: TimeSpan = .seconds(30), timeout: TimeSpan = .seconds(5), retries: Int = 3,
                             startPeriod: TimeSpan? = nil) -> Self {
        Self(command: ["CMD-SHELL", command], interval: interval, timeout: timeout,
             retries: retries, startPeriod: startPeriod)
    }
}

import InfraCore

/// A container health check run by the ECS agent.
public struct ContainerHealthCheck: Sendable, Equatable {
    /// `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]` or `["CMD", "executable", "arg"]`.
    public var command: [String]
    /// Seconds between checks (default 30; 5-300).
    public var intervalSeconds: Int
    /// Seconds before a check fails (default 5; 2-60).
    public var timeoutSeconds: Int
    /// Failures before the container is unhealthy (default 3; 1-10).
    public var retries: Int
    /// Grace period in seconds during which failures do not count (default nil: none; 0-300).
    public var startPeriodSeconds: Int?

    public init(command: [String], intervalSeconds: Int = 30, timeoutSeconds: Int = 5, retries: Int = 3,
                startPeriodSeconds: Int? = nil) {
        self.command = command
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.retries = retries
        self.startPeriodSeconds = startPeriodSeconds
    }

    /// A shell command (`CMD-SHELL`), e.g. `.shell("curl -f http://localhost:8000/health || exit 1")`.
    public static func shell(_ command: String, intervalSeconds: Int = 30, timeoutSeconds: Int = 5, retries: Int = 3,
                             startPeriodSeconds: Int? = nil) -> Self {
        Self(command: ["CMD-SHELL", command], intervalSeconds: intervalSeconds, timeoutSeconds: timeoutSeconds,
             retries: retries, startPeriodSeconds: startPeriodSeconds)
    }
}

import InfraCore

/// The health check of a target group.
public struct TargetGroupHealthCheck: Sendable, Equatable {
    /// Default `/`.
    public var path: String
    /// Default 30 seconds (5 seconds to 5 minutes).
    public var interval: TimeSpan
    /// Default 5 seconds (2 seconds to 2 minutes, less than the interval).
    public var timeout: TimeSpan
    /// Successes before a target is healthy (default 2; 2-10).
    public var healthyThresholdCount: Int
    /// Failures before a target is unhealthy (default 3; 2-10).
    public var unhealthyThresholdCount: Int
    /// HTTP codes that mean healthy (default `200-399`, so an application that redirects `/` to
    /// its login page is healthy).
    public var healthyHttpCodes: String
    /// The port to check (default nil: the traffic port).
    public var port: Int?

    public init(path: String = "/", interval: TimeSpan = .seconds(30), timeout: TimeSpan = .seconds(5), healthyThresholdCount: Int = 2,
                unhealthyThresholdCount: Int = 3, healthyHttpCodes: String = "200-399", port: Int? = nil) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.healthyThresholdCount = healthyThresholdCount
        self.unhealthyThresholdCount = unhealthyThresholdCount
        self.healthyHttpCodes = healthyHttpCodes
        self.port = port
    }
}

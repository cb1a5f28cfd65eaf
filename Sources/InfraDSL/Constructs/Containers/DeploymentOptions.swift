import InfraCore

/// How a service replaces its tasks on deployment.
public struct DeploymentOptions: Sendable, Equatable {
    /// Stop a failing deployment and roll back to the last working one (default true).
    public var circuitBreakerRollback: Bool
    /// Tasks kept running during a deployment, in percent of the desired count (default 100).
    public var minHealthyPercent: Int
    /// Tasks allowed during a deployment, in percent of the desired count (default 200).
    public var maxHealthyPercent: Int

    public init(circuitBreakerRollback: Bool = true, minHealthyPercent: Int = 100, maxHealthyPercent: Int = 200) {
        self.circuitBreakerRollback = circuitBreakerRollback
        self.minHealthyPercent = minHealthyPercent
        self.maxHealthyPercent = maxHealthyPercent
    }
}

import InfraCore

/// VPC flow logs to CloudWatch Logs.
public struct FlowLogOptions {
    public enum Traffic: String, Sendable { case all = "ALL", accept = "ACCEPT", reject = "REJECT" }

    /// Which traffic to log (default `.reject`: rejected connections, the useful part for
    /// security investigations at a fraction of the volume of `.all`).
    public var traffic: Traffic
    /// How long the log group keeps records (default `.days(365)`; whole days, a value
    /// CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...).
    public var retention: TimeSpan
    /// A KMS key to encrypt the log group with (default nil: CloudWatch Logs' own encryption).
    /// The key policy must allow `logs.<region>.amazonaws.com` to use it.
    public var encryptionKeyArn: StringValue?

    public init(traffic: Traffic = .reject, retention: TimeSpan = .days(365), encryptionKeyArn: StringValue? = nil) {
        self.traffic = traffic
        self.retention = retention
        self.encryptionKeyArn = encryptionKeyArn
    }
}

import InfraCore

/// A group of subnets of one kind: one subnet per availability zone of the VPC.
public struct SubnetConfiguration: Sendable, Equatable {
    /// The group name (letters and digits); subnets are named `<name>Subnet<n>`.
    public var name: String
    public var type: SubnetType
    /// The prefix length of each subnet (default 24: 256 addresses, 251 usable). Ignored when
    /// `cidrBlocks` is given.
    public var cidrMask: Int
    /// Explicit blocks, one per availability zone in zone order, instead of automatic
    /// allocation (default nil: allocated in order from the start of the VPC block).
    public var cidrBlocks: [String]?

    public init(name: String, type: SubnetType, cidrMask: Int = 24, cidrBlocks: [String]? = nil) {
        self.name = name
        self.type = type
        self.cidrMask = cidrMask
        self.cidrBlocks = cidrBlocks
    }

    /// Public subnets named `Public` (default /24).
    public static func `public`(_ name: String = "Public", cidrMask: Int = 24) -> Self {
        Self(name: name, type: .public, cidrMask: cidrMask)
    }

    /// Private subnets with outbound internet through NAT, named `Private` (default /24).
    public static func privateWithEgress(_ name: String = "Private", cidrMask: Int = 24) -> Self {
        Self(name: name, type: .privateWithEgress, cidrMask: cidrMask)
    }

    /// Isolated subnets without any route out of the VPC, named `Isolated` (default /24).
    public static func isolated(_ name: String = "Isolated", cidrMask: Int = 24) -> Self {
        Self(name: name, type: .isolated, cidrMask: cidrMask)
    }
}

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

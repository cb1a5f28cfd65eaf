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

import InfraCore

/// The kinds of subnets a VPC has.
public enum SubnetType: String, Sendable, CaseIterable {
    /// Routed to an internet gateway; for load balancers and NAT gateways.
    case `public`
    /// Outbound internet through NAT; for services and functions.
    case privateWithEgress = "private"
    /// No route out of the VPC; for databases.
    case isolated
}

import InfraCore

/// A VPC a construct can be placed in: one this app creates (`Vpc`), or an existing one by id
/// (`Vpc.imported(...)`, an `ImportedVpc`).
public protocol VpcRef: AnyObject {
    var vpcId: StringValue { get }
    /// The VPC's IPv4 CIDR block (a token for a new VPC; nil when unknown for an imported one).
    var vpcCidrBlock: StringValue? { get }
    /// The subnet ids of a kind, in AZ order (empty when the VPC has none of that kind).
    func subnetIds(_ type: SubnetType) -> [StringValue]
    /// Resources that must exist before anything in private subnets can reach the internet
    /// (NAT routes, gateway attachment); resources that need egress at creation depend on them.
    var internetConnectivityEstablished: [Resource] { get }
}

extension VpcRef {
    /// None for a VPC this app does not create.
    public var internetConnectivityEstablished: [Resource] { [] }

    /// The subnets of the first kind in `preference` that the VPC has.
    public func subnetIds(preferring preference: [SubnetType]) -> [StringValue] {
        for t in preference {
            let ids = subnetIds(t)
            if !ids.isEmpty { return ids }
        }
        return []
    }
}

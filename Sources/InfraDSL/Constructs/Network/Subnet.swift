import InfraCore
import InfraResources

/// One subnet of a `Vpc`, with its own route table: created by `Vpc`, not directly.
///
/// Children: `Resource` (the subnet), `RouteTable`, `RouteTableAssociation`, `DefaultRoute`
/// (to the internet gateway for a public subnet, to a NAT gateway for a private one, none for
/// an isolated one) and, for a public subnet that hosts a NAT gateway, `EIP` and `NATGateway`.
public final class Subnet: Construct {
    /// The kind of subnet.
    public let type: SubnetType
    /// The subnet group (`Public`, `Private`, ...) it belongs to.
    public let groupName: String
    /// The index of its availability zone in the VPC's zone list.
    public let zoneIndex: Int
    /// The IPv4 block.
    public let cidrBlock: String
    /// The availability zone (a token: `Fn::Select [i, Fn::GetAZs ""]`, or the name given).
    public let availabilityZone: StringValue

    /// The subnet (`<path>/Resource`).
    public var resource: EC2.Subnet { parts!.subnet }
    /// Its route table (`<path>/RouteTable`).
    public var routeTable: EC2.RouteTable { parts!.routeTable }
    /// The `0.0.0.0/0` route, nil for an isolated subnet.
    public internal(set) var defaultRoute: EC2.Route?
    /// The NAT gateway placed in this (public) subnet, if any.
    public internal(set) var natGateway: EC2.NatGateway?
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var parts: (subnet: EC2.Subnet, routeTable: EC2.RouteTable)?

    init(_ vpc: Vpc, _ id: String, type: SubnetType, groupName: String, zoneIndex: Int, cidrBlock: String,
         availabilityZone: StringValue) {
        self.type = type
        self.groupName = groupName
        self.zoneIndex = zoneIndex
        self.cidrBlock = cidrBlock
        self.availabilityZone = availabilityZone
        super.init(vpc, id)
        let subnet = EC2.Subnet(self, "Resource") {
            $0.vpcId = vpc.vpcId
            $0.cidrBlock = StringValue(cidrBlock)
            $0.availabilityZone = availabilityZone
            // Nothing is meant to get a public address implicitly, even in a public subnet: load
            // balancers and NAT gateways get theirs from AWS, and tasks ask for one explicitly.
            $0.mapPublicIpOnLaunch = false
            $0.tags = [Tag("Name", StringValue("\(vpc.path)/\(id)")), Tag("infra:subnet-type", StringValue(type.rawValue)),
                       Tag("infra:subnet-name", StringValue(groupName))]
        }
        let routeTable = EC2.RouteTable(self, "RouteTable") {
            $0.vpcId = vpc.vpcId
            $0.tags = [Tag("Name", StringValue("\(vpc.path)/\(id)"))]
        }
        parts = (subnet, routeTable)
        _ = EC2.SubnetRouteTableAssociation(self, "RouteTableAssociation") {
            $0.subnetId = self.subnetId
            $0.routeTableId = self.routeTableId
        }
    }

    /// The subnet id (`Ref`).
    public var subnetId: StringValue { resource.ref }
    /// The route table id (`Ref`).
    public var routeTableId: StringValue { routeTable.ref }
}

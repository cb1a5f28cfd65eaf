import InfraCore

/// An existing VPC and subnets named by id (typically from a stack's configuration, such as the
/// labeling tool's `VPC_ID`, `PUBLIC_SUBNET_IDS`, ...). Creates no resource; constructs placed
/// in it use the ids as they are. Create it with `Vpc.imported(...)`.
public final class ImportedVpc: Construct, VpcRef {
    public let vpcId: StringValue
    /// The VPC's CIDR block when given (nil: unknown, so rules that need it must name a block).
    public let vpcCidrBlock: StringValue?
    public let publicSubnetIds: [StringValue]
    public let privateSubnetIds: [StringValue]
    public let isolatedSubnetIds: [StringValue]

    init(_ scope: Construct, _ id: String, vpcId: StringValue, cidrBlock: StringValue?,
         publicSubnetIds: [StringValue], privateSubnetIds: [StringValue], isolatedSubnetIds: [StringValue]) {
        self.vpcId = vpcId
        self.vpcCidrBlock = cidrBlock
        self.publicSubnetIds = publicSubnetIds
        self.privateSubnetIds = privateSubnetIds
        self.isolatedSubnetIds = isolatedSubnetIds
        super.init(scope, id)
    }

    public func subnetIds(_ type: SubnetType) -> [StringValue] {
        switch type {
        case .public: return publicSubnetIds
        case .privateWithEgress: return privateSubnetIds
        case .isolated: return isolatedSubnetIds
        }
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if let id = vpcId.literal, !Validate.isVpcId(id) {
            errors.append("'\(id)' is not a VPC id (vpc-...)")
        }
        if let c = vpcCidrBlock?.literal, IPv4Cidr(c) == nil {
            errors.append("invalid CIDR block '\(c)'")
        }
        var seen = Set<String>()
        for (kind, ids) in [("public", publicSubnetIds), ("private", privateSubnetIds), ("isolated", isolatedSubnetIds)] {
            for s in ids.compactMap(\.literal) {
                if !Validate.isSubnetId(s) { errors.append("'\(s)' (\(kind)) is not a subnet id (subnet-...)") }
                if !seen.insert(s).inserted { errors.append("subnet '\(s)' is listed twice") }
            }
        }
        if publicSubnetIds.isEmpty && privateSubnetIds.isEmpty && isolatedSubnetIds.isEmpty {
            errors.append("an existing VPC needs at least one subnet id")
        }
        return errors
    }
}

extension Vpc {
    /// An existing VPC and its subnets, by id (from configuration): creates nothing.
    public static func imported(
        _ scope: Construct, _ id: String, vpcId: StringValue, cidrBlock: StringValue? = nil,
        publicSubnetIds: [StringValue] = [], privateSubnetIds: [StringValue] = [], isolatedSubnetIds: [StringValue] = []
    ) -> ImportedVpc {
        ImportedVpc(scope, id, vpcId: vpcId, cidrBlock: cidrBlock, publicSubnetIds: publicSubnetIds,
                    privateSubnetIds: privateSubnetIds, isolatedSubnetIds: isolatedSubnetIds)
    }
}

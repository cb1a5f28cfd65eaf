import InfraCore
import InfraResources

/// A new security group (no inbound rules, outbound as configured). An existing one is
/// imported by id with `SecurityGroup.imported(...)`.
public final class SecurityGroup: Construct, SecurityGroupRef {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: EC2.SecurityGroup { groupResource! }
    /// Set in `init`, right after the construct itself (its scope) exists.
    private var groupResource: EC2.SecurityGroup?

    /// The group id (`Fn::GetAtt GroupId`).
    public var groupId: StringValue { resource.attrGroupId }

    /// A new security group in `vpc`. `allowAllOutbound` (default true) adds the usual egress rule;
    /// with false, the group has no egress rule but a placeholder that matches nothing, as CloudFormation
    /// otherwise adds "all outbound" by itself.
    public init(_ scope: Construct, _ id: String, vpc: VpcRef, description: String, allowAllOutbound: Bool = true) {
        super.init(scope, id)
        let sg = EC2.SecurityGroup(self, "Resource")
        groupResource = sg
        sg.groupDescription = StringValue(description)
        sg.vpcId = vpc.vpcId
        if allowAllOutbound {
            sg.securityGroupEgress = [.init {
                $0.ipProtocol = "-1"
                $0.cidrIp = "0.0.0.0/0"
                $0.description = "Allow all outbound traffic"
            }]
        } else {
            sg.securityGroupEgress = [.init {
                $0.ipProtocol = "icmp"
                $0.fromPort = 252
                $0.toPort = 86
                $0.cidrIp = "255.255.255.255/32"
                $0.description = "Disallow all traffic"
            }]
        }
    }
}

import InfraCore
import InfraResources

/// The kinds of subnets a VPC has.
public enum SubnetType: String, Sendable, CaseIterable {
    /// Routed to an internet gateway; for load balancers and NAT gateways.
    case `public`
    /// Outbound internet through NAT; for services and functions.
    case privateWithEgress = "private"
    /// No route out of the VPC; for databases.
    case isolated
}

/// A VPC a construct can be placed in: one this app creates, or an existing one by id.
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

/// A port range and protocol for security group rules.
public struct Port: Sendable, Equatable, CustomStringConvertible {
    public let ipProtocol: String
    public let from: Int
    public let to: Int

    public static func tcp(_ port: Int) -> Port { Port(ipProtocol: "tcp", from: port, to: port) }
    public static func tcpRange(_ from: Int, _ to: Int) -> Port { Port(ipProtocol: "tcp", from: from, to: to) }
    public static func udp(_ port: Int) -> Port { Port(ipProtocol: "udp", from: port, to: port) }
    public static let allTcp = Port(ipProtocol: "tcp", from: 0, to: 65535)

    public var description: String { from == to ? "\(ipProtocol)/\(from)" : "\(ipProtocol)/\(from)-\(to)" }
}

/// A security group: created here (no inbound rules, outbound as configured) or an existing one.
public final class SecurityGroup: Construct {
    /// The CloudFormation resource (`<path>/Resource`), nil for an imported group.
    public private(set) var resource: EC2.SecurityGroup?
    private let existingGroupId: StringValue?

    /// The group id (a token for a new group).
    public var groupId: StringValue { resource?.attrGroupId ?? existingGroupId! }

    /// A new security group in `vpc`. `allowAllOutbound` (default true) adds the usual egress rule;
    /// with false, the group has no egress rule but a placeholder that matches nothing, as CloudFormation
    /// otherwise adds "all outbound" by itself.
    public init(_ scope: Construct, _ id: String, vpc: VpcRef, description: String, allowAllOutbound: Bool = true) {
        existingGroupId = nil
        super.init(scope, id)
        let sg = EC2.SecurityGroup(self, "Resource")
        resource = sg
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

    /// An existing security group by id.
    public init(_ scope: Construct, _ id: String, existingGroupId: StringValue) {
        resource = nil
        self.existingGroupId = existingGroupId
        super.init(scope, id)
    }
}

/// Something with security groups whose traffic can be allowed.
public protocol Connectable: AnyObject {
    var connections: Connections { get }
}

/// The security groups of a construct and the rules between them:
/// `database.connections.allow(from: service, port: .tcp(5432))`.
public final class Connections: Connectable {
    public let securityGroups: [SecurityGroup]
    /// The port clients use (for `allowDefaultPort(from:)`).
    public let defaultPort: Port?

    public init(securityGroups: [SecurityGroup], defaultPort: Port? = nil) {
        self.securityGroups = securityGroups
        self.defaultPort = defaultPort
    }

    public var connections: Connections { self }

    /// Allows traffic from another construct's security groups on `port`: an ingress rule per
    /// pair of groups, created in the stack of the receiving group.
    public func allow(from other: Connectable, port: Port, description: String? = nil) {
        for target in securityGroups {
            for source in other.connections.securityGroups {
                let id = "IngressFrom" + LogicalID.sanitize(source.path.replacingOccurrences(of: "/", with: "")) + "\(port.from)"
                let rule = EC2.SecurityGroupIngress(target, id)
                target.app.addRelation(from: source, to: target, .connection, label: port.description)
                rule.groupId = target.groupId
                rule.sourceSecurityGroupId = source.groupId
                rule.ipProtocol = StringValue(port.ipProtocol)
                rule.fromPort = NumberValue(port.from)
                rule.toPort = NumberValue(port.to)
                rule.description = StringValue(description ?? "from \(source.path):\(port)")
            }
        }
    }

    /// Allows traffic from an IPv4 CIDR block on `port`.
    public func allow(fromCidr cidr: StringValue, port: Port, description: String? = nil) {
        for target in securityGroups {
            let id = "IngressCidr" + LogicalID.sanitize((cidr.literal ?? "Token") + port.ipProtocol) + "\(port.from)To\(port.to)"
            let rule = EC2.SecurityGroupIngress(target, id)
            target.app.addRelation(ConstructRelation(from: .external(cidr.literal ?? "CIDR"), to: .construct(target), kind: .connection,
                                                     label: port.description))
            rule.groupId = target.groupId
            rule.cidrIp = cidr
            rule.ipProtocol = StringValue(port.ipProtocol)
            rule.fromPort = NumberValue(port.from)
            rule.toPort = NumberValue(port.to)
            rule.description = StringValue(description ?? "from \(cidr.literal ?? "cidr"):\(port)")
        }
    }

    /// Allows traffic from another construct on this construct's default port.
    public func allowDefaultPort(from other: Connectable, description: String? = nil) {
        guard let port = defaultPort else {
            preconditionFailure("these connections have no default port; use allow(from:port:)")
        }
        allow(from: other, port: port, description: description)
    }
}

/// A DNS alias target (a load balancer or a CloudFront distribution) for Route 53 alias records.
public protocol AliasTarget: AnyObject {
    var aliasDnsName: StringValue { get }
    var aliasHostedZoneId: StringValue { get }
}

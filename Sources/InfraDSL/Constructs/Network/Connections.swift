import InfraCore
import InfraResources

/// The security groups of a construct and the rules between them:
/// `database.connections.allow(from: service, port: .tcp(5432))`.
public final class Connections: Connectable {
    public let securityGroups: [any SecurityGroupRef]
    /// The port clients use (for `allowDefaultPort(from:)`).
    public let defaultPort: Port?

    public init(securityGroups: [any SecurityGroupRef], defaultPort: Port? = nil) {
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

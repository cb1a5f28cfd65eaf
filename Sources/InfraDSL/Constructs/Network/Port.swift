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

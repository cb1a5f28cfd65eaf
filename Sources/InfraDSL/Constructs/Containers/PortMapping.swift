/// A port a container listens on.
public struct PortMapping: Sendable, Equatable {
    public enum NetworkProtocol: String, Sendable { case tcp, udp }

    public var containerPort: Int
    /// The host port (nil: the container port with `awsvpc`, a dynamic port with `bridge`).
    public var hostPort: Int?
    public var networkProtocol: NetworkProtocol
    /// A name for Service Connect (default nil).
    public var name: String?

    public init(containerPort: Int, hostPort: Int? = nil, networkProtocol: NetworkProtocol = .tcp, name: String? = nil) {
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.networkProtocol = networkProtocol
        self.name = name
    }
}

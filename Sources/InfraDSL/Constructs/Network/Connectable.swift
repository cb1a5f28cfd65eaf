/// Something with security groups whose traffic can be allowed.
public protocol Connectable: AnyObject {
    var connections: Connections { get }
}

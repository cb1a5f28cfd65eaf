/// A relation between two constructs that the model knows when they are wired together: a
/// bucket notifying a function, a queue feeding one, a grant, a security group rule, where a
/// construct is placed. The template holds the same facts spread over policies, rules and
/// properties; constructs record them here as they create those, so tools (`infra graph`) read
/// them without guessing from templates. Recording one changes nothing that is synthesized.
public struct ConstructRelation {
    /// One end of a relation: a construct of the app, or something outside it (a CIDR block).
    public enum Endpoint {
        case construct(Construct)
        case external(String)

        /// The construct, when the end is one.
        public var construct: Construct? {
            if case .construct(let c) = self { return c }
            return nil
        }
    }

    /// What the relation means. Open: a construct library may add its own kinds.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `from` sends events to `to` (an S3 notification to a function); label: the event.
        public static let notifies = Kind("notifies")
        /// `from` is an event source polled by `to` (a queue feeding a function).
        public static let eventSource = Kind("eventSource")
        /// `from` (a topic) delivers to the subscriber `to`.
        public static let subscription = Kind("subscription")
        /// `from` invokes or forwards requests to `to` (an API method to a function); label: the route.
        public static let invokes = Kind("invokes")
        /// `from` was granted a permission on `to`; label: the permission (`read`, `write`, `publish`...).
        public static let grant = Kind("grant")
        /// `to` accepts network traffic from `from` (a security group rule); label: the port (`tcp/5432`).
        public static let connection = Kind("connection")
        /// `from` sends what it fails to process to the dead-letter queue `to`.
        public static let deadLetter = Kind("deadLetter")
        /// `from` serves the content of `to` (a CDN in front of a bucket).
        public static let origin = Kind("origin")
        /// `from` (a DNS record) points at `to`.
        public static let alias = Kind("alias")
        /// `from` (an API authorizer) accepts the tokens of the user pool `to`.
        public static let authorizer = Kind("authorizer")
        /// `from` writes its logs to `to` (server access logs to a bucket); label: what it writes.
        public static let logs = Kind("logs")
        /// `from` runs a container image of the repository `to`; label: the tag.
        public static let image = Kind("image")
        /// `from` is placed in the VPC `to`; label: the subnet tier (`public`, `private`, `isolated`).
        public static let placement = Kind("placement")
    }

    public let from: Endpoint
    public let to: Endpoint
    public let kind: Kind
    public let label: String

    public init(from: Endpoint, to: Endpoint, kind: Kind, label: String = "") {
        self.from = from
        self.to = to
        self.kind = kind
        self.label = label
    }
}

extension App {
    /// Records a relation (in the order relations are made, so readers get a stable order).
    public func addRelation(_ relation: ConstructRelation) {
        relations.append(relation)
    }

    /// Records a relation between two constructs.
    public func addRelation(from: Construct, to: Construct, _ kind: ConstructRelation.Kind, label: String = "") {
        relations.append(ConstructRelation(from: .construct(from), to: .construct(to), kind: kind, label: label))
    }

    /// Records that `grantee` (when it is a construct: a function, a task, a role) was granted
    /// `permission` on `target`.
    public func addGrant(_ grantee: AnyObject, on target: Construct, _ permission: String) {
        guard let c = grantee as? Construct else { return }
        addRelation(from: c, to: target, .grant, label: permission)
    }
}

import InfraDSL

/// What a diagram shows: the constructs a stack is written with, or every CloudFormation resource.
public enum GraphLevel: String, Sendable, CaseIterable {
    /// L2 constructs as nodes (a function, a queue with its policy, a load balancer with its
    /// listeners), grouped by VPC and subnet tier, with the relations the constructs recorded.
    case constructs
    /// Every resource of the template, with its `Ref`, `Fn::GetAtt` and `DependsOn` edges,
    /// grouped by the construct that made it.
    case resources
}

/// The kind of a node: what it is drawn as.
public enum NodeKind: String, Sendable, CaseIterable {
    case internet, external
    case loadBalancer, cdn, hostedZone, record
    case service, cluster, taskDefinition, function, repository
    case api, queue, topic
    case bucket, table, database
    case secret, certificate, userPool, securityGroup, role
    case customResource, resource

    /// What the kind is called in a label.
    public var title: String {
        switch self {
        case .internet: return "clients"
        case .external: return "outside this stack"
        case .loadBalancer: return "Application Load Balancer"
        case .cdn: return "CloudFront distribution"
        case .hostedZone: return "Route 53 hosted zone"
        case .record: return "Route 53 record"
        case .service: return "ECS service"
        case .cluster: return "ECS cluster"
        case .taskDefinition: return "ECS task definition"
        case .function: return "Lambda function"
        case .repository: return "ECR repository"
        case .api: return "API Gateway REST API"
        case .queue: return "SQS queue"
        case .topic: return "SNS topic"
        case .bucket: return "S3 bucket"
        case .table: return "DynamoDB table"
        case .database: return "Aurora cluster"
        case .secret: return "Secrets Manager secret"
        case .certificate: return "ACM certificate"
        case .userPool: return "Cognito user pool"
        case .securityGroup: return "security group"
        case .role: return "IAM role"
        case .customResource: return "custom resource"
        case .resource: return "resource"
        }
    }

    /// The plural, for groups ("7 S3 buckets").
    public var plural: String {
        switch self {
        case .bucket: return "S3 buckets"
        case .queue: return "SQS queues"
        case .topic: return "SNS topics"
        case .function: return "Lambda functions"
        case .table: return "DynamoDB tables"
        case .secret: return "secrets"
        case .repository: return "ECR repositories"
        default: return title + "s"
        }
    }
}

/// The kind of an edge.
public enum EdgeKind: String, Sendable, CaseIterable {
    /// Events, messages or requests flowing (S3 notification, event source, subscription, API
    /// integration, custom resource provider, CDN origin, DNS alias).
    case notifies, eventSource, subscription, invokes, origin, alias
    /// A security group rule: the target accepts traffic from the source on a port.
    case connection
    /// An IAM grant: the source may act on the target (label: the permission).
    case grant
    /// A statement added to the source's role directly, naming the target (label: the actions).
    case policy
    /// The source runs a container image of the target repository (label: the tag).
    case image
    /// Failed messages or events go to the target queue.
    case deadLetter
    /// An API authorizer accepts the tokens of a user pool.
    case authorizer
    /// A service runs in an ECS cluster.
    case memberOf
    /// The source writes logs to the target; the source uses the target (a certificate).
    case logs, uses
    /// Resources level: `Ref`, `Fn::GetAtt` (label: attributes), `DependsOn`, `Fn::ImportValue`.
    case ref, getAtt, dependsOn, importValue

}

/// The kind of a group (a cluster in DOT, a subgraph in Mermaid).
public enum GroupKind: String, Sendable {
    /// A VPC; `tier` groups nest in it.
    case vpc
    /// The subnets of one tier (public, private, isolated) of a VPC.
    case tier
    /// Nodes of one kind that every grantee reaches the same way (edges to them are drawn once).
    case sameAccess
    /// Resources that exist outside the stack and are only referenced (imported).
    case imported
    /// Resources level: the resources one construct made.
    case construct
}

/// A node of a diagram.
public struct GraphNode: Sendable, Equatable {
    /// An identifier safe in DOT and Mermaid, stable for the same model.
    public var id: String
    /// The construct path below the stack (constructs level) or the logical ID (resources level).
    public var path: String
    /// What the label shows first.
    public var name: String
    public var kind: NodeKind
    /// The CloudFormation type (resources level; the generic `resource` kind) or nil.
    public var type: String?
    /// Extra label lines (engine, runtime, ports).
    public var details: [String]
    /// The group the node is drawn in.
    public var group: String?
    /// True for a resource that exists outside the stack (imported by name, id or ARN).
    public var imported: Bool
    /// The condition that holds the node back until its container image exists (`<Name>ImageReady`),
    /// or any other condition the resource has (resources level).
    public var gate: String?
    /// How many CloudFormation resources the node stands for.
    public var resourceCount: Int
}

/// An edge of a diagram.
public struct GraphEdge: Sendable, Equatable {
    public var from: String
    public var to: String
    public var kind: EdgeKind
    public var label: String
}

/// A group of nodes.
public struct GraphGroup: Sendable, Equatable {
    public var id: String
    public var label: String
    public var kind: GroupKind
    public var parent: String?
    /// Drawn dashed: an existing VPC, imported resources.
    public var imported: Bool
}

/// The diagram of one stack.
public struct StackGraph: Sendable, Equatable {
    public var stackName: String
    public var level: GraphLevel
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]
    public var groups: [GraphGroup]

    public func node(_ id: String) -> GraphNode? { nodes.first { $0.id == id } }

    /// The node with this construct path (constructs level) or logical ID (resources level).
    public func node(path: String) -> GraphNode? { nodes.first { $0.path == path } }

    /// The edges from the node at path `from` to the node at path `to`.
    public func edges(from: String, to: String) -> [GraphEdge] {
        guard let a = node(path: from), let b = node(path: to) else { return [] }
        return edges.filter { $0.from == a.id && $0.to == b.id }
    }

    /// The groups from the outermost down to `id`.
    func groupChain(_ id: String?) -> [GraphGroup] {
        var chain: [GraphGroup] = []
        var current = id
        while let c = current, let g = groups.first(where: { $0.id == c }) {
            chain.insert(g, at: 0)
            current = g.parent
        }
        return chain
    }
}

/// A problem drawing a diagram (Graphviz missing or failing, an unwritable output).
public struct GraphError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Identifiers safe in DOT and Mermaid: letters, digits and `_`, made unique in order.
struct IdentifierAllocator {
    private var used = Set<String>()

    mutating func make(_ prefix: String, _ text: String) -> String {
        var base = prefix
        for ch in text.unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") {
                base.unicodeScalars.append(ch)
            } else if !base.hasSuffix("_") {
                base += "_"
            }
        }
        while base.hasSuffix("_") && base.count > prefix.count { base.removeLast() }
        var id = base
        var i = 2
        while used.contains(id) {
            id = "\(base)_\(i)"
            i += 1
        }
        used.insert(id)
        return id
    }
}

/// How nodes and edges look: shapes by kind, colours by AWS service category.
enum Style {
    struct Palette {
        let fill: String
        let stroke: String
        /// The Mermaid class name.
        let className: String
    }

    static let compute = Palette(fill: "#FDEBD0", stroke: "#D86613", className: "compute")
    static let storage = Palette(fill: "#E3F1DB", stroke: "#3F8624", className: "storage")
    static let database = Palette(fill: "#E0E7FA", stroke: "#3B48CC", className: "database")
    static let integration = Palette(fill: "#FBE3EF", stroke: "#C7136F", className: "integration")
    static let networking = Palette(fill: "#EEE6FB", stroke: "#7A3FE0", className: "networking")
    static let security = Palette(fill: "#FBE2E4", stroke: "#C7243A", className: "security")
    static let management = Palette(fill: "#EFEFEF", stroke: "#666666", className: "management")
    static let outside = Palette(fill: "#FFFFFF", stroke: "#333333", className: "outside")

    static let palettes = [compute, storage, database, integration, networking, security, management, outside]

    static func palette(_ node: GraphNode) -> Palette {
        switch node.kind {
        case .service, .cluster, .taskDefinition, .function, .repository: return compute
        case .bucket: return storage
        case .table, .database: return database
        case .api, .queue, .topic: return integration
        case .loadBalancer, .cdn, .hostedZone, .record: return networking
        case .secret, .certificate, .userPool, .securityGroup, .role: return security
        case .customResource: return management
        case .internet, .external: return outside
        case .resource: return palette(type: node.type ?? "")
        }
    }

    /// A resource's colours from its CloudFormation namespace.
    static func palette(type: String) -> Palette {
        let parts = type.split(separator: ":")
        let service = parts.count >= 3 ? String(parts[1]) : ""  // AWS::<service>::<type>
        if type.hasPrefix("Custom::") { return management }
        switch service {
        case "Lambda", "ECS", "ECR", "AutoScaling", "Amplify": return compute
        case "S3": return storage
        case "DynamoDB", "RDS": return database
        case "SQS", "SNS", "ApiGateway": return integration
        case "EC2", "ElasticLoadBalancingV2", "CloudFront", "Route53": return networking
        case "IAM", "SecretsManager", "KMS", "CertificateManager", "Cognito": return security
        default: return management
        }
    }

    /// The Graphviz shape (and extra style words) of a node.
    static func dotShape(_ node: GraphNode) -> (shape: String, rounded: Bool) {
        switch node.kind {
        case .function: return ("box", true)
        case .service: return ("box3d", false)
        case .cluster: return ("folder", false)
        case .taskDefinition: return ("note", false)
        case .repository: return ("tab", false)
        case .bucket: return ("invtrapezium", false)
        case .table, .database: return ("cylinder", false)
        case .queue: return ("cds", false)
        case .topic: return ("hexagon", false)
        case .api: return ("component", false)
        case .loadBalancer: return ("parallelogram", false)
        case .cdn: return ("octagon", false)
        case .hostedZone, .record: return ("ellipse", false)
        case .secret, .certificate: return ("note", false)
        case .userPool: return ("doubleoctagon", false)
        case .securityGroup, .role: return ("box", false)
        case .customResource: return ("septagon", false)
        case .internet: return ("oval", false)
        case .external: return ("box", true)
        case .resource: return ("box", false)
        }
    }

    /// The Mermaid shape delimiters around a quoted label.
    static func mermaidShape(_ node: GraphNode) -> (open: String, close: String) {
        switch node.kind {
        case .function: return ("([", "])")
        case .service: return ("[[", "]]")
        case .bucket: return ("[\\", "/]")
        case .table, .database: return ("[(", ")]")
        case .queue: return (">", "]")
        case .topic: return ("{{", "}}")
        case .api: return ("[/", "/]")
        case .loadBalancer: return ("[/", "\\]")
        case .cdn, .userPool, .hostedZone, .record, .secret: return ("(", ")")
        case .internet: return ("((", "))")
        default: return ("[", "]")
        }
    }

    struct EdgeLook {
        let color: String
        /// solid, dashed or dotted
        let line: String
        let width: Double
        /// The Mermaid arrow.
        let mermaidArrow: String
    }

    static func edge(_ kind: EdgeKind) -> EdgeLook {
        switch kind {
        case .notifies, .eventSource, .subscription, .invokes, .origin, .alias:
            return EdgeLook(color: "#222222", line: "solid", width: 1.4, mermaidArrow: "-->")
        case .connection:
            return EdgeLook(color: "#1F6FB2", line: "solid", width: 1.6, mermaidArrow: "==>")
        case .grant, .policy:
            return EdgeLook(color: "#8A8A8A", line: "dashed", width: 1.0, mermaidArrow: "-.->")
        case .image:
            return EdgeLook(color: "#D86613", line: "dotted", width: 1.2, mermaidArrow: "-.->")
        case .deadLetter:
            return EdgeLook(color: "#C7243A", line: "dotted", width: 1.2, mermaidArrow: "-.->")
        case .authorizer:
            return EdgeLook(color: "#7A3FE0", line: "dotted", width: 1.2, mermaidArrow: "-.->")
        case .memberOf, .logs, .uses:
            return EdgeLook(color: "#A0A0A0", line: "dotted", width: 1.0, mermaidArrow: "-.->")
        case .ref:
            return EdgeLook(color: "#555555", line: "solid", width: 0.8, mermaidArrow: "-->")
        case .getAtt:
            return EdgeLook(color: "#1F6FB2", line: "solid", width: 0.8, mermaidArrow: "-->")
        case .dependsOn:
            return EdgeLook(color: "#999999", line: "dashed", width: 0.8, mermaidArrow: "-.->")
        case .importValue:
            return EdgeLook(color: "#C7136F", line: "dashed", width: 0.8, mermaidArrow: "-.->")
        }
    }

    /// What an edge's label says: the recorded label, with the kind where the label alone would
    /// not tell (`dead letters`, `image :latest`).
    static func edgeText(_ e: DrawnEdge) -> String {
        var text: String
        switch e.kind {
        case .image: text = e.label.isEmpty ? "image" : "image :\(e.label)"
        case .deadLetter: text = e.label.isEmpty ? "dead letters" : "dead letters (\(e.label))"
        case .subscription: text = e.label.isEmpty ? "subscription" : "subscription (\(e.label))"
        case .eventSource: text = e.label.isEmpty ? "event source" : "event source (\(e.label))"
        case .origin: text = e.label.isEmpty ? "origin" : e.label
        case .alias: text = e.label.isEmpty ? "alias" : "alias \(e.label)"
        case .authorizer: text = "authorizer"
        case .ref, .dependsOn, .importValue, .memberOf, .logs, .uses: text = e.label
        default: text = e.label
        }
        if let count = e.count { text += text.isEmpty ? "×\(count)" : " ×\(count)" }
        return text
    }
}

/// An edge as drawn: to a node, or to a same-access group standing for all its members.
struct DrawnEdge {
    let from: String
    let to: String
    /// The group the edge points at (all of whose members the edge reaches).
    let toGroup: String?
    /// The group the edge comes from (all of whose members have the edge).
    var fromGroup: String? = nil
    let kind: EdgeKind
    let label: String
    let count: Int?
}

extension StackGraph {
    /// The edges to draw: an edge that reaches every member of a same-access group the same way
    /// is drawn once, to the group.
    func drawnEdges() -> [DrawnEdge] {
        var bundled: [(key: String, group: String, count: Int)] = []
        for g in groups where g.kind == .sameAccess {
            let members = Set(nodes.filter { $0.group == g.id }.map(\.id))
            var reach: [String: Set<String>] = [:]
            for e in edges where members.contains(e.to) { reach["\(e.from)|\(e.kind.rawValue)|\(e.label)", default: []].insert(e.to) }
            for (key, targets) in reach where targets == members { bundled.append((key, g.id, members.count)) }
        }
        // And the other way: every member has the same edge to one target.
        var bundledFrom: [(key: String, group: String, count: Int)] = []
        for g in groups where g.kind == .sameAccess {
            let members = Set(nodes.filter { $0.group == g.id }.map(\.id))
            var reach: [String: Set<String>] = [:]
            for e in edges where members.contains(e.from) && !members.contains(e.to) {
                reach["\(e.to)|\(e.kind.rawValue)|\(e.label)", default: []].insert(e.from)
            }
            for (key, sources) in reach where sources == members { bundledFrom.append((key, g.id, members.count)) }
        }
        var out: [DrawnEdge] = []
        var emitted = Set<String>()
        for e in edges {
            let key = "\(e.from)|\(e.kind.rawValue)|\(e.label)"
            let reverseKey = "\(e.to)|\(e.kind.rawValue)|\(e.label)"
            if let b = bundledFrom.first(where: { $0.key == reverseKey && node(e.from)?.group == $0.group }) {
                if emitted.insert("from|" + reverseKey + "|" + b.group).inserted {
                    var d = DrawnEdge(from: e.from, to: e.to, toGroup: nil, kind: e.kind, label: e.label, count: b.count)
                    d.fromGroup = b.group
                    out.append(d)
                }
            } else if let b = bundled.first(where: { $0.key == key && node(e.to)?.group == $0.group }) {
                if emitted.insert(key + "|" + b.group).inserted {
                    out.append(DrawnEdge(from: e.from, to: e.to, toGroup: b.group, kind: e.kind, label: e.label, count: b.count))
                }
            } else {
                out.append(DrawnEdge(from: e.from, to: e.to, toGroup: nil, kind: e.kind, label: e.label, count: nil))
            }
        }
        return out
    }
}

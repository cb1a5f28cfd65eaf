import InfraDSL

/// Builds the constructs-level diagram of a stack from its construct tree and the relations
/// its constructs recorded (`App.relations`): nothing is guessed from the template.
///
/// - Nodes: the L2 constructs (a bucket with its policy and notifications, a function with its
///   role and log group, a load balancer with its listeners and target group, a service with its
///   task definition). A construct inside another node's construct is folded into it, except the
///   data stores and functions a construct creates for itself (a database's secret, a site's
///   bucket), which get their own node. L1 resources directly in the stack are drawn one node per
///   CloudFormation type.
/// - Groups: the VPC and its subnet tiers (from where each construct was placed); imported
///   resources apart; nodes of one kind that every grantee reaches the same way (their edges are
///   drawn once, to the group).
/// - Edges: S3 notifications, event sources, subscriptions, API integrations, custom resource
///   providers, CDN origins, DNS aliases, security group rules (with the port), grants (with the
///   permission), container images (with the tag), dead-letter queues, authorizers.
public enum ConstructGraph {
    public static func build(_ stack: Stack) -> StackGraph {
        var builder = Builder(stack: stack)
        return builder.run()
    }

    /// The diagram, and for each resource of the stack what it is drawn in: a node of the
    /// diagram, or the VPC it belongs to (resources level groups by these).
    static func owners(_ stack: Stack) -> (graph: StackGraph, owners: [ObjectIdentifier: (key: String, label: String)]) {
        var builder = Builder(stack: stack)
        let graph = builder.run()
        var owners: [ObjectIdentifier: (key: String, label: String)] = [:]
        for r in stack.resources {
            if let i = builder.nodeIndex(.construct(r)) {
                let n = graph.nodes[i]
                owners[ObjectIdentifier(r)] = (n.id, n.kind == .resource ? n.name : "\(n.name) · \(n.kind.title)")
            } else if let owner = builder.ownerOf[ObjectIdentifier(r)], owner is Vpc || owner is ImportedVpc {
                let path = builder.relativePath(owner)
                owners[ObjectIdentifier(r)] = ("vpc:" + path, "VPC \(path)")
            }
        }
        return (graph, owners)
    }
}

private struct Builder {
    let stack: Stack
    var ids = IdentifierAllocator()
    var nodes: [GraphNode] = []
    /// Node index by the construct that owns it.
    var nodeOf: [ObjectIdentifier: Int] = [:]
    /// The construct each construct folds into (a node's construct or a VPC), by identity.
    var ownerOf: [ObjectIdentifier: Construct] = [:]
    /// Node constructs drawn as another node (a task definition as its service).
    var alias: [ObjectIdentifier: Construct] = [:]
    var groups: [GraphGroup] = []
    var edges: [GraphEdge] = []
    /// The group of each VPC, by identity.
    var vpcGroups: [ObjectIdentifier: String] = [:]
    /// Resources that a construct without resources of its own refers to by its identity (the
    /// attachment behind a database's secret), by identity.
    var resourceStandIns: [ObjectIdentifier: Construct] = [:]

    init(stack: Stack) { self.stack = stack }

    enum Drawing {
        case node(NodeKind)
        /// Folds its subtree into itself without being a node (a VPC: drawn as a group).
        case hidden
    }

    /// What a construct is drawn as; nil: nothing of its own (its resources fold into its owner).
    static func role(of c: Construct, insideNode: Bool) -> Drawing? {
        switch c {
        case is Vpc, is ImportedVpc, is ImageGate: return .hidden
        default: break
        }
        if insideNode {
            // What a construct makes for itself and others use directly keeps its own node.
            switch c {
            case is BucketRef: return .node(.bucket)
            case is SecretRef: return .node(.secret)
            case is QueueRef: return .node(.queue)
            case is TopicRef: return .node(.topic)
            case is FunctionRef: return .node(.function)
            case is TableRef: return .node(.table)
            default: return nil
            }
        }
        switch c {
        case is BucketRef: return .node(.bucket)
        case is FunctionRef: return .node(.function)
        case is QueueRef: return .node(.queue)
        case is TopicRef: return .node(.topic)
        case is TableRef: return .node(.table)
        case is DatabaseCluster: return .node(.database)
        case is SecretRef: return .node(.secret)
        case is RepositoryRef: return .node(.repository)
        case is FargateService, is Ec2Service: return .node(.service)
        case is ClusterRef: return .node(.cluster)
        case is TaskDefinition: return .node(.taskDefinition)
        case is ApplicationLoadBalancer, is ApplicationTargetGroup: return .node(.loadBalancer)
        case is RestApi: return .node(.api)
        case is UserPoolRef, is UserPoolClient, is UserPoolDomain: return .node(.userPool)
        case is StaticSite: return .node(.cdn)
        case is HostedZoneRef: return .node(.hostedZone)
        case is ARecord, is AaaaRecord: return .node(.record)
        case is CertificateRef: return .node(.certificate)
        case is CustomResource: return .node(.customResource)
        case is SecurityGroupRef: return .node(.securityGroup)
        case is Role: return .node(.role)
        default: return nil
        }
    }

    mutating func run() -> StackGraph {
        // 1. Which constructs are nodes, and what folds into what.
        var candidates: [(Construct, NodeKind)] = []
        var looseResources: [Resource] = []
        func walk(_ c: Construct, owner: Construct?, insideNode: Bool) {
            var owner = owner
            var inside = insideNode
            switch Self.role(of: c, insideNode: insideNode) {
            case .node(let kind)?:
                candidates.append((c, kind))
                owner = c
                inside = true
            case .hidden?:
                owner = c
                inside = true
            case nil:
                if owner == nil, let r = c as? Resource { looseResources.append(r) }
            }
            if let owner { ownerOf[ObjectIdentifier(c)] = owner }
            for child in c.children { walk(child, owner: owner, insideNode: inside) }
        }
        for child in stack.children { walk(child, owner: nil, insideNode: false) }

        // 2. A task definition is drawn as the service that runs it, a target group as its load balancer.
        for (c, _) in candidates {
            let task = (c as? FargateService)?.taskDefinition ?? (c as? Ec2Service)?.taskDefinition
            if let task, task !== c, alias[ObjectIdentifier(task)] == nil { alias[ObjectIdentifier(task)] = c }
            if let tg = c as? ApplicationTargetGroup, let lb = tg.loadBalancers.first { alias[ObjectIdentifier(tg)] = lb }
            // A database's secret as grants see it (through the attachment) is its generated secret.
            if let db = c as? DatabaseCluster { alias[ObjectIdentifier(db.secret)] = db.generatedSecret }
        }

        // A construct made from another's token (`Secret.imported(arn: attachment.ref)`) stands for the
        // resource the token names.
        for (c, _) in candidates where !c.descendants().contains(where: { $0 is Resource }) {
            let identity: StringValue?
            switch c {
            case let x as SecretRef: identity = x.secretArn
            case let x as BucketRef: identity = x.bucketName
            case let x as QueueRef: identity = x.queueArn
            case let x as TopicRef: identity = x.topicArn
            case let x as FunctionRef: identity = x.functionArn
            default: identity = nil
            }
            if let token = identity?.token, case .ref(let t) = token, let r = t as? Resource, r.stack === stack {
                resourceStandIns[ObjectIdentifier(r)] = c
            }
        }

        // 3. Nodes.
        for (c, kind) in candidates where alias[ObjectIdentifier(c)] == nil {
            let path = relativePath(c)
            let imported = !c.descendants().contains { $0 is Resource }
            let count = c.descendants().reduce(0) { $0 + ($1 is Resource ? 1 : 0) }
                + aliasedResourceCount(to: c, candidates: candidates)
            nodeOf[ObjectIdentifier(c)] = nodes.count
            nodes.append(GraphNode(id: ids.make("n_", path), path: path, name: path, kind: kind, type: nil,
                                   details: details(of: c, kind: kind), group: nil, imported: imported,
                                   gate: gate(of: c), resourceCount: count))
        }
        var byType: [(type: String, resources: [Resource])] = []
        for r in looseResources {
            if let i = byType.firstIndex(where: { $0.type == r.cfnType }) { byType[i].resources.append(r) } else { byType.append((r.cfnType, [r])) }
        }
        for (type, resources) in byType {
            let single = resources.count == 1
            let path = single ? relativePath(resources[0]) : type
            let index = nodes.count
            for r in resources { nodeOf[ObjectIdentifier(r)] = index; ownerOf[ObjectIdentifier(r)] = r }
            nodes.append(GraphNode(id: ids.make("n_", path), path: path, name: single ? path : "\(resources.count) × \(type)",
                                   kind: .resource, type: type, details: single ? [type] : [], group: nil, imported: false,
                                   gate: resources.allSatisfy { $0.condition != nil && $0.condition === resources[0].condition }
                                       ? resources[0].condition?.logicalId : nil,
                                   resourceCount: resources.count))
        }

        // 4. Relations.
        for r in stack.app.relations {
            let fromHere = r.from.construct.map { $0.stack === stack } ?? false
            let toHere = r.to.construct.map { $0.stack === stack } ?? false
            guard fromHere || toHere else { continue }
            if r.kind == .placement {
                if let n = nodeIndex(r.from), let vpc = r.to.construct, nodes[n].group == nil {
                    nodes[n].group = tierGroup(vpc: vpc, tier: r.label)
                }
                continue
            }
            guard let kind = Self.edgeKind(r.kind), let a = endpointNode(r.from), let b = endpointNode(r.to), a != b else { continue }
            edges.append(GraphEdge(from: nodes[a].id, to: nodes[b].id, kind: kind, label: r.label))
        }
        // Statements added to roles directly (not through grant methods): an edge to each
        // resource of this stack they name, unless another edge already joins the two nodes.
        let joined = Set(edges.map { "\($0.from)|\($0.to)" })
        for role in stack.descendants().compactMap({ $0 as? Role }) {
            guard let a = nodeIndex(.construct(role)) else { continue }
            var targets: [(node: Int, actions: [String])] = []
            for statement in role.policy.statements where statement.effect == .allow {
                for resource in statement.resources {
                    for target in Self.referencedResources(resource.token) where target.stack === stack {
                        guard let b = referenceNode(target), b != a, !joined.contains("\(nodes[a].id)|\(nodes[b].id)") else { continue }
                        if let i = targets.firstIndex(where: { $0.node == b }) {
                            for action in statement.actions where !targets[i].actions.contains(action) { targets[i].actions.append(action) }
                        } else {
                            targets.append((b, statement.actions))
                        }
                    }
                }
            }
            for t in targets {
                edges.append(GraphEdge(from: nodes[a].id, to: nodes[t.node].id, kind: .policy, label: Self.summarize(t.actions)))
            }
        }
        // A load-balanced service's certificate: the load balancer serves it, its zone validates it.
        for (c, _) in candidates {
            if let cert = c as? Certificate, let zone = cert.hostedZone,
               let a = nodeIndex(.construct(cert)), let b = nodeIndex(.construct(zone)), a != b {
                edges.append(GraphEdge(from: nodes[a].id, to: nodes[b].id, kind: .uses, label: "DNS validation"))
            }
        }
        for service in stack.descendants().compactMap({ $0 as? ApplicationLoadBalancedFargateService }) {
            guard let cert = service.certificate, let a = nodeIndex(.construct(service.loadBalancer)), let b = nodeIndex(.construct(cert)), a != b else { continue }
            edges.append(GraphEdge(from: nodes[a].id, to: nodes[b].id, kind: .uses, label: "TLS"))
        }
        for (c, _) in candidates {
            let cluster = (c as? FargateService)?.cluster ?? (c as? Ec2Service)?.cluster
            guard let cluster, let a = nodeIndex(.construct(c)), let b = nodeIndex(.construct(cluster)), a != b else { continue }
            edges.append(GraphEdge(from: nodes[a].id, to: nodes[b].id, kind: .memberOf, label: "runs in"))
        }
        for (c, _) in candidates {
            guard let cr = c as? CustomResource, let a = nodeIndex(.construct(cr)), let b = nodeIndex(.construct(cr.provider)), a != b else { continue }
            edges.append(GraphEdge(from: nodes[a].id, to: nodes[b].id, kind: .invokes, label: "provider"))
        }
        edges = Self.merge(edges)

        // 5. Imported resources apart; same-access groups.
        for i in nodes.indices where nodes[i].imported && nodes[i].group == nil {
            nodes[i].group = group(id: "g_imported", label: "existing: referenced, not managed by this stack", kind: .imported,
                                   parent: nil, imported: true)
        }
        sameAccessGroups()

        return StackGraph(stackName: stack.stackName, level: .constructs, nodes: nodes, edges: edges, groups: groups)
    }

    // MARK: - Nodes

    func relativePath(_ c: Construct) -> String {
        c.pathComponents.dropFirst(stack.pathComponents.count).joined(separator: "/")
    }

    func aliasedResourceCount(to c: Construct, candidates: [(Construct, NodeKind)]) -> Int {
        var n = 0
        for (other, _) in candidates where alias[ObjectIdentifier(other)] === c && other.scope !== c {
            n += other.descendants().reduce(0) { $0 + ($1 is Resource ? 1 : 0) }
        }
        return n
    }

    func details(of c: Construct, kind: NodeKind) -> [String] {
        var d: [String] = []
        switch c {
        case let f as Function:
            if let r = f.resource.runtime?.token.stringLiteral { d.append(r) } else if f.resource.packageType != nil { d.append("container image") }
        case let db as DatabaseCluster:
            d.append("\(db.engine.name) \(db.engine.version) · port \(db.port)")
        case is FargateService:
            d.append("Fargate")
        case is Ec2Service:
            d.append("on EC2 instances")
        case let cluster as Cluster:
            if cluster.autoScalingGroup != nil { d.append("EC2 capacity") }
        case let lb as ApplicationLoadBalancer:
            let listeners = lb.listeners.map { "\($0.listenerProtocol.rawValue) \($0.port)" }
            d.append((lb.internetFacing ? "internet-facing" : "internal") + (listeners.isEmpty ? "" : " · " + listeners.joined(separator: ", ")))
        case let zone as HostedZoneRef:
            d.append(zone.zoneName)
        case let record as ARecord:
            d.append(record.domainName)
        case let record as AaaaRecord:
            d.append(record.domainName + " (AAAA)")
        case let cert as Certificate:
            d.append(cert.domainName)
        case let q as QueueRef:
            if q.isFifo { d.append("FIFO") }
        default:
            break
        }
        return d
    }

    func gate(of c: Construct) -> String? {
        if let f = c as? Function { return f.condition?.logicalId }
        let task = (c as? FargateService)?.taskDefinition ?? (c as? Ec2Service)?.taskDefinition
        if let task, !task.imageGates.isEmpty {
            var names: [String] = []
            for g in task.imageGates where !names.contains(g.condition.logicalId) { names.append(g.condition.logicalId) }
            return names.joined(separator: ", ")
        }
        return nil
    }

    /// The node a policy statement means when it names `resource`: the construct that stands for
    /// the resource (a database's secret for its attachment), else the node it folds into.
    func referenceNode(_ resource: Resource) -> Int? {
        if let standIn = resourceStandIns[ObjectIdentifier(resource)] { return nodeIndex(.construct(standIn)) }
        return nodeIndex(.construct(resource))
    }

    /// The node a construct is drawn in (following folds and aliases).
    func nodeIndex(_ end: ConstructRelation.Endpoint) -> Int? {
        guard case .construct(let c) = end else { return nil }
        var owner: Construct? = ownerOf[ObjectIdentifier(c)]
        var guardCount = 0
        while let o = owner, let next = alias[ObjectIdentifier(o)], guardCount < 8 {
            owner = next
            guardCount += 1
        }
        return owner.flatMap { nodeOf[ObjectIdentifier($0)] }
    }

    /// The node of a relation's end: a node of this stack, the internet, or an outside node.
    mutating func endpointNode(_ end: ConstructRelation.Endpoint) -> Int? {
        switch end {
        case .construct(let c):
            if c.stack === stack { return nodeIndex(end) }
            let path = c.path
            if let i = nodes.firstIndex(where: { $0.kind == .external && $0.path == path }) { return i }
            nodes.append(GraphNode(id: ids.make("x_", path), path: path, name: path, kind: .external, type: nil,
                                   details: ["in stack \(c.stack.stackName)"], group: nil, imported: false, gate: nil, resourceCount: 0))
            return nodes.count - 1
        case .external(let cidr):
            let name = (cidr == "0.0.0.0/0" || cidr == "::/0") ? "Internet" : cidr
            if let i = nodes.firstIndex(where: { $0.kind == .internet && $0.path == name }) { return i }
            nodes.append(GraphNode(id: ids.make("n_", name == "Internet" ? "internet" : name), path: name, name: name, kind: .internet,
                                   type: nil, details: name == "Internet" ? ["any address (0.0.0.0/0)"] : ["CIDR block"],
                                   group: nil, imported: false, gate: nil, resourceCount: 0))
            return nodes.count - 1
        }
    }

    static func edgeKind(_ k: ConstructRelation.Kind) -> EdgeKind? {
        switch k {
        case .notifies: return .notifies
        case .eventSource: return .eventSource
        case .subscription: return .subscription
        case .invokes: return .invokes
        case .grant: return .grant
        case .connection: return .connection
        case .deadLetter: return .deadLetter
        case .origin: return .origin
        case .alias: return .alias
        case .image: return .image
        case .authorizer: return .authorizer
        case .logs: return .logs
        default: return nil
        }
    }

    /// The resources a policy statement's resource value references (`Ref`, `Fn::GetAtt`, inside
    /// `Fn::Join`, `Fn::Sub` variables and `Fn::If`).
    static func referencedResources(_ v: Value) -> [Resource] {
        switch v {
        case .ref(let t), .getAtt(let t, _): return (t as? Resource).map { [$0] } ?? []
        case .array(let items): return items.flatMap(referencedResources)
        case .object(let pairs): return pairs.flatMap { referencedResources($0.1) }
        case .intrinsic(_, let args): return referencedResources(args)
        default: return []
        }
    }

    /// `s3:PutBucketNotification`; `rds-data:ExecuteStatement, rds-data:BeginTransaction`;
    /// `rds-data (5 actions)`.
    static func summarize(_ actions: [String]) -> String {
        let sorted = actions.sorted()
        if sorted.count <= 2 { return sorted.joined(separator: ", ") }
        var services: [String] = []
        for a in sorted {
            let service = String(a.split(separator: ":").first ?? Substring(a))
            if !services.contains(service) { services.append(service) }
        }
        return "\(services.joined(separator: ", ")) (\(sorted.count) actions)"
    }

    /// One edge per (from, to, kind), labels joined in the order they came; a `pull` grant where
    /// the image edge says the same is dropped.
    static func merge(_ edges: [GraphEdge]) -> [GraphEdge] {
        var out: [GraphEdge] = []
        var labels: [[String]] = []
        for e in edges {
            if e.kind == .grant && e.label == "pull" && edges.contains(where: { $0.kind == .image && $0.from == e.from && $0.to == e.to }) {
                continue
            }
            if let i = out.firstIndex(where: { $0.from == e.from && $0.to == e.to && $0.kind == e.kind }) {
                if !e.label.isEmpty && !labels[i].contains(e.label) { labels[i].append(e.label) }
            } else {
                out.append(e)
                labels.append(e.label.isEmpty ? [] : [e.label])
            }
        }
        for i in out.indices {
            out[i].label = labels[i].joined(separator: out[i].kind == .grant ? "/" : ", ")
        }
        return out
    }

    // MARK: - Groups

    mutating func group(id: String, label: String, kind: GroupKind, parent: String?, imported: Bool) -> String {
        if !groups.contains(where: { $0.id == id }) {
            groups.append(GraphGroup(id: id, label: label, kind: kind, parent: parent, imported: imported))
        }
        return id
    }

    mutating func tierGroup(vpc: Construct, tier: String) -> String {
        let vid: String
        if let existing = vpcGroups[ObjectIdentifier(vpc)] {
            vid = existing
        } else {
            vid = group(id: ids.make("g_", relativePath(vpc)), label: vpcLabel(vpc), kind: .vpc, parent: nil, imported: vpc is ImportedVpc)
            vpcGroups[ObjectIdentifier(vpc)] = vid
        }
        guard !tier.isEmpty else { return vid }
        let count: Int
        if let v = vpc as? Vpc {
            count = SubnetType(rawValue: tier).map { v.subnets($0).count } ?? 0
        } else if let v = vpc as? VpcRef {
            count = SubnetType(rawValue: tier).map { v.subnetIds($0).count } ?? 0
        } else {
            count = 0
        }
        let name = tier == "private" && vpc is Vpc ? "private subnets (NAT egress)" : "\(tier) subnets"
        return group(id: vid + "_" + tier, label: count > 0 ? "\(name) ×\(count)" : name, kind: .tier, parent: vid,
                     imported: vpc is ImportedVpc)
    }

    func vpcLabel(_ vpc: Construct) -> String {
        var label = "VPC \(relativePath(vpc))"
        if let v = vpc as? Vpc {
            label += " · \(v.cidr) · \(v.availabilityZones.count) AZs"
            if v.natGatewayCount > 0 { label += " · \(v.natGatewayCount) NAT gateway\(v.natGatewayCount == 1 ? "" : "s")" }
        } else if let v = vpc as? ImportedVpc {
            label += " · existing \(v.vpcId.literal ?? "VPC") (imported)"
        }
        return label
    }

    /// Nodes of one kind outside any group that receive exactly the same grants (three or more
    /// of them) form a group; the renderers draw those grants once, to the group.
    mutating func sameAccessGroups() {
        var buckets: [(key: String, kind: NodeKind, members: [Int])] = []
        for i in nodes.indices where nodes[i].group == nil {
            let incoming = edges.filter { $0.to == nodes[i].id && $0.kind == .grant }.map { "\($0.from)|\($0.label)" }
            guard !incoming.isEmpty else { continue }
            let key = nodes[i].kind.rawValue + "#" + incoming.sorted().joined(separator: ";")
            if let b = buckets.firstIndex(where: { $0.key == key }) { buckets[b].members.append(i) } else { buckets.append((key, nodes[i].kind, [i])) }
        }
        for b in buckets where b.members.count >= 3 {
            let grantees = Set(edges.filter { $0.to == nodes[b.members[0]].id && $0.kind == .grant }.map(\.from)).count
            let id = group(id: ids.make("g_same_", b.kind.rawValue), label: "\(b.members.count) \(b.kind.plural), the same grants for \(grantees)",
                           kind: .sameAccess, parent: nil, imported: false)
            for m in b.members { nodes[m].group = id }
        }
    }
}

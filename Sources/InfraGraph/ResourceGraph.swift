import InfraDSL

/// Builds the resources-level diagram of a stack: every resource of its synthesized template,
/// with an edge for each `Ref`, `Fn::GetAtt` (label: the attributes), `${...}` in `Fn::Sub`,
/// `DependsOn` and `Fn::ImportValue`, grouped by the construct that made the resource (the
/// nodes of the constructs level).
public enum ResourceGraph {
    public static func build(_ stack: Stack, template: Value) -> StackGraph {
        let (_, owners) = ConstructGraph.owners(stack)
        var byLogicalId: [String: Resource] = [:]
        for r in stack.resources { byLogicalId[r.logicalId] = r }

        var ids = IdentifierAllocator()
        var nodes: [GraphNode] = []
        var nodeIndex: [String: Int] = [:]
        var groups: [GraphGroup] = []
        var groupIds: [String: String] = [:]
        guard case .object(let resources)? = template["Resources"] else {
            return StackGraph(stackName: stack.stackName, level: .resources, nodes: [], edges: [], groups: [])
        }
        for (logicalId, body) in resources {
            var group: String?
            if let r = byLogicalId[logicalId], let owner = owners[ObjectIdentifier(r)] {
                if let g = groupIds[owner.key] {
                    group = g
                } else {
                    let g = ids.make("g_", owner.key)
                    groupIds[owner.key] = g
                    groups.append(GraphGroup(id: g, label: owner.label, kind: .construct, parent: nil, imported: false))
                    group = g
                }
            }
            let type = body["Type"]?.stringLiteral ?? "?"
            nodeIndex[logicalId] = nodes.count
            nodes.append(GraphNode(id: ids.make("r_", logicalId), path: logicalId, name: logicalId, kind: .resource, type: type,
                                   details: [type], group: group, imported: false, gate: body["Condition"]?.stringLiteral,
                                   resourceCount: 1))
        }

        var edges: [GraphEdge] = []
        func add(_ from: Int, _ target: String, _ kind: EdgeKind, _ label: String) {
            guard let to = nodeIndex[target], to != from else { return }
            edges.append(GraphEdge(from: nodes[from].id, to: nodes[to].id, kind: kind, label: label))
        }
        func importNode(_ name: String) -> Int {
            if let i = nodes.firstIndex(where: { $0.kind == .external && $0.path == name }) { return i }
            nodes.append(GraphNode(id: ids.make("x_", name), path: name, name: name, kind: .external, type: nil,
                                   details: ["Fn::ImportValue"], group: nil, imported: true, gate: nil, resourceCount: 0))
            return nodes.count - 1
        }
        func walk(_ v: Value, from: Int) {
            switch v {
            case .object(let pairs):
                if pairs.count == 1 {
                    let (key, arg) = pairs[0]
                    switch key {
                    case "Ref":
                        if let t = arg.stringLiteral { add(from, t, .ref, "") }
                        return
                    case "Fn::GetAtt":
                        if case .array(let parts) = arg, parts.count == 2, let t = parts[0].stringLiteral {
                            add(from, t, .getAtt, parts[1].stringLiteral ?? "")
                            walk(parts[1], from: from)
                        } else if let s = arg.stringLiteral, let dot = s.firstIndex(of: ".") {
                            add(from, String(s[..<dot]), .getAtt, String(s[s.index(after: dot)...]))
                        }
                        return
                    case "Fn::Sub":
                        var text: String?
                        var variables: [String] = []
                        if let s = arg.stringLiteral {
                            text = s
                        } else if case .array(let parts) = arg, let s = parts.first?.stringLiteral {
                            text = s
                            if parts.count > 1, case .object(let vars) = parts[1] {
                                variables = vars.map(\.0)
                                for (_, value) in vars { walk(value, from: from) }
                            }
                        }
                        for name in subReferences(text ?? "") where !variables.contains(name.resource) {
                            if let attribute = name.attribute { add(from, name.resource, .getAtt, attribute) } else { add(from, name.resource, .ref, "") }
                        }
                        return
                    case "Fn::ImportValue":
                        let i = importNode(arg.stringLiteral ?? JSONRenderer.render(arg, pretty: false))
                        edges.append(GraphEdge(from: nodes[from].id, to: nodes[i].id, kind: .importValue, label: ""))
                        if arg.stringLiteral == nil { walk(arg, from: from) }
                        return
                    default:
                        break
                    }
                }
                for (_, value) in pairs { walk(value, from: from) }
            case .array(let items):
                for item in items { walk(item, from: from) }
            default:
                break
            }
        }
        for (logicalId, body) in resources {
            let i = nodeIndex[logicalId]!
            if let properties = body["Properties"] { walk(properties, from: i) }
            switch body["DependsOn"] {
            case .string(let t)?: add(i, t, .dependsOn, "")
            case .array(let items)?: for t in items.compactMap(\.stringLiteral) { add(i, t, .dependsOn, "") }
            default: break
            }
        }
        return StackGraph(stackName: stack.stackName, level: .resources, nodes: nodes, edges: mergeEdges(edges), groups: groups)
    }

    /// `${Name}` and `${Name.Attribute}` in a `Fn::Sub` string (`${!Literal}` is not a reference).
    static func subReferences(_ text: String) -> [(resource: String, attribute: String?)] {
        var out: [(String, String?)] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            let name = String(rest[..<end])
            rest = rest[rest.index(after: end)...]
            if name.hasPrefix("!") || name.contains("::") { continue }
            if let dot = name.firstIndex(of: ".") {
                out.append((String(name[..<dot]), String(name[name.index(after: dot)...])))
            } else {
                out.append((name, nil))
            }
        }
        return out
    }

    /// One edge per (from, to, kind), attribute labels joined; a `DependsOn` that a reference
    /// already implies is kept (it is in the template).
    static func mergeEdges(_ edges: [GraphEdge]) -> [GraphEdge] {
        var out: [GraphEdge] = []
        var labels: [[String]] = []
        for e in edges {
            if let i = out.firstIndex(where: { $0.from == e.from && $0.to == e.to && $0.kind == e.kind }) {
                if !e.label.isEmpty && !labels[i].contains(e.label) { labels[i].append(e.label) }
            } else {
                out.append(e)
                labels.append(e.label.isEmpty ? [] : [e.label])
            }
        }
        for i in out.indices { out[i].label = labels[i].joined(separator: ", ") }
        return out
    }
}

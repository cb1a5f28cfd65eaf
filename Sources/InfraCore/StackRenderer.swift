/// Renders one stack's sections; outputs are finished once all exports are known.
struct StackRenderer {
    let stack: Stack
    let synthesis: Synthesis

    struct Partial {
        var head: [(String, Value)]
        var resources: [(String, Value)]
        var outputs: [(String, Value)]
        var assetIds: [String]

        func template(outputs: [(String, Value)]) -> Value {
            var t = head
            t.append(("Resources", .object(resources)))
            if !outputs.isEmpty { t.append(("Outputs", .object(outputs))) }
            return .object(t)
        }
    }

    func render() -> Partial {
        let ctx = RenderContext(stack: stack, synthesis: synthesis)
        var parameters: [(String, Value)] = []
        var mappings: [(String, Value)] = []
        var conditions: [(String, Value)] = []
        var resources: [(String, Value)] = []
        var outputs: [(String, Value)] = []
        var graph: [(Resource, [Resource])] = []
        var seen: [String: TemplateElement] = [:]

        for element in stack.elements() {
            let id = element.logicalId
            if !LogicalID.isValid(id) {
                synthesis.report(element.path, "'\(id)' is not a valid logical ID (letters and digits, at most 255)")
            }
            // Conditions have their own namespace: an image gate's parameter and condition share a name.
            let key = element is Condition ? "Condition/" + id : id
            if let other = seen[key] {
                synthesis.report(element.path, "logical ID '\(id)' is already used by '\(other.path)'")
            }
            seen[key] = element
            ctx.element = element
            ctx.referenced = []
            switch element {
            case let r as Resource: ctx.conditionsInForce = r.condition.map { [$0] } ?? []
            case let o as Output: ctx.conditionsInForce = o.condition.map { [$0] } ?? []
            default: ctx.conditionsInForce = []
            }
            switch element {
            case let r as Resource:
                resources.append((id, renderResource(r, ctx)))
                graph.append((r, ctx.referenced + r.dependsOn))
            case let p as Parameter:
                parameters.append((id, ctx.resolve(p.render())))
            case let m as Mapping:
                mappings.append((id, ctx.resolve(m.render())))
            case let c as Condition:
                conditions.append((id, ctx.resolve(c.expression.token)))
            case let o as Output:
                var entry: [(String, Value)] = []
                if let d = o.description { entry.append(("Description", .string(d))) }
                if let c = o.condition { entry.append(("Condition", .string(c.logicalId))) }
                entry.append(("Value", ctx.resolve(o.value.token)))
                if let e = o.exportName { entry.append(("Export", .object([("Name", ctx.resolve(e.token))]))) }
                outputs.append((id, .object(entry)))
            default:
                break
            }
        }

        if resources.isEmpty {
            synthesis.report(stack.path, "the stack has no resources (CloudFormation requires at least one)")
        }
        if resources.count > TemplateLimits.maxResources {
            synthesis.report(stack.path, "the stack has \(resources.count) resources; CloudFormation allows \(TemplateLimits.maxResources): split it into several stacks")
        }
        if parameters.count > TemplateLimits.maxParameters {
            synthesis.report(stack.path, "the stack has \(parameters.count) parameters (at most \(TemplateLimits.maxParameters))")
        }
        if mappings.count > TemplateLimits.maxMappings {
            synthesis.report(stack.path, "the stack has \(mappings.count) mappings (at most \(TemplateLimits.maxMappings))")
        }
        checkCycles(graph)

        var head: [(String, Value)] = [("AWSTemplateFormatVersion", .string("2010-09-09"))]
        if let d = stack.templateDescription { head.append(("Description", .string(d))) }
        if !stack.templateMetadata.isEmpty { head.append(("Metadata", ctx.resolve(.object(stack.templateMetadata)))) }
        if !parameters.isEmpty { head.append(("Parameters", .object(parameters))) }
        if !mappings.isEmpty { head.append(("Mappings", .object(mappings))) }
        if !conditions.isEmpty { head.append(("Conditions", .object(conditions))) }
        if stack.transforms.count == 1 { head.append(("Transform", .string(stack.transforms[0]))) }
        if stack.transforms.count > 1 { head.append(("Transform", .array(stack.transforms.map(Value.string)))) }
        // Template elements are never asset users (see `AssetUser`), and asking the runtime
        // whether a type conforms to a protocol costs a scan of every conformance record in
        // the process the first time each type is asked: asking only the other constructs
        // (the few L2 types) keeps that scan off the hundreds of generated resource types.
        var uniqueAssets: [String] = []
        for c in stack.descendants() where !(c is TemplateElement) {
            guard let user = c as? AssetUser else { continue }
            for a in user.assetIds where !uniqueAssets.contains(a) { uniqueAssets.append(a) }
        }
        return Partial(head: head, resources: resources, outputs: outputs, assetIds: uniqueAssets)
    }

    private func renderResource(_ r: Resource, _ ctx: RenderContext) -> Value {
        if r.cfnType.isEmpty { ctx.error("resource has no CloudFormation type") }
        let props = ctx.resolve(r.renderProperties(ctx))
        var entry: [(String, Value)] = [("Type", .string(r.cfnType))]
        if let c = r.condition {
            if c.stack !== stack { ctx.error("condition '\(c.path)' belongs to another stack") }
            entry.append(("Condition", .string(c.logicalId)))
        }
        var deps: [String] = []
        for d in r.dependsOn {
            if d.stack !== stack {
                synthesis.addDependency(stack, on: d.stack)
                continue
            }
            if let dc = d.condition, !RenderContext.implies(r.condition, dc) {
                ctx.error("depends on '\(d.path)', which exists only when condition '\(dc.logicalId)' holds: CloudFormation rejects the template when it does not (give this resource the same condition, or reference it inside Fn::If)")
            }
            if !deps.contains(d.logicalId) { deps.append(d.logicalId) }
        }
        if !deps.isEmpty { entry.append(("DependsOn", .array(deps.sorted().map(Value.string)))) }
        if case .object(let pairs) = props, !pairs.isEmpty { entry.append(("Properties", props)) }
        if !r.metadata.isEmpty { entry.append(("Metadata", ctx.resolve(.object(r.metadata)))) }
        if let p = r.creationPolicy { entry.append(("CreationPolicy", ctx.resolve(p))) }
        if let p = r.updatePolicy { entry.append(("UpdatePolicy", ctx.resolve(p))) }
        if let p = r.deletionPolicy { entry.append(("DeletionPolicy", .string(p.rawValue))) }
        if let p = r.updateReplacePolicy { entry.append(("UpdateReplacePolicy", .string(p.rawValue))) }
        return .object(entry)
    }

    /// Reports a cycle among the stack's resources (references and `DependsOn`).
    private func checkCycles(_ graph: [(Resource, [Resource])]) {
        // Resources as indices, edges as index lists (to resources of this stack only: a
        // resource of another stack cannot close a cycle here), visit state in an array.
        var index: [ObjectIdentifier: Int] = [:]
        index.reserveCapacity(graph.count)
        var nodes: [Resource] = []
        nodes.reserveCapacity(graph.count)
        func node(_ r: Resource) -> Int {
            if let i = index[ObjectIdentifier(r)] { return i }
            index[ObjectIdentifier(r)] = nodes.count
            nodes.append(r)
            return nodes.count - 1
        }
        var edges: [[Int]] = []
        for (r, deps) in graph {
            let i = node(r)
            var out: [Int] = []
            for d in deps where d.stack === stack { out.append(node(d)) }
            while edges.count < nodes.count { edges.append([]) }
            edges[i].append(contentsOf: out)
        }
        while edges.count < nodes.count { edges.append([]) }
        var state = [UInt8](repeating: 0, count: nodes.count)  // 1 visiting, 2 done
        var trail: [Int] = []
        func visit(_ i: Int) -> Bool {
            if state[i] == 2 { return false }
            if state[i] == 1 {
                let start = trail.firstIndex(of: i)!
                let cycle = (trail[start...] + [i]).map { nodes[$0].path }.joined(separator: " -> ")
                synthesis.report(nodes[i].path, "dependency cycle: \(cycle)")
                return true
            }
            state[i] = 1
            trail.append(i)
            for j in edges[i] where visit(j) { return true }
            trail.removeLast()
            state[i] = 2
            return false
        }
        for (r, _) in graph where visit(index[ObjectIdentifier(r)]!) { return }
    }
}

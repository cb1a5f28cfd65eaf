/// One problem found during synthesis, at a construct path.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}

/// Synthesis failed; nothing was written. Lists every problem found.
public struct SynthesisError: Error, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String {
        "synthesis failed with \(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s"):\n"
            + diagnostics.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// CloudFormation's limits that synthesis enforces.
public enum TemplateLimits {
    public static let maxResources = 500
    public static let maxParameters = 200
    public static let maxOutputs = 200
    public static let maxMappings = 200
    /// Largest template CloudFormation accepts (through S3).
    public static let maxTemplateBytes = 1_048_576
    /// Largest template CloudFormation accepts inline (`TemplateBody`); bigger ones go through S3.
    public static let maxInlineTemplateBytes = 51_200
}

/// Renders all stacks of an app: collects diagnostics, cross-stack exports and dependencies.
final class Synthesis {
    let app: App
    private var diagnostics: [Diagnostic] = []
    /// Per producing stack: export output id -> (export name, local value).
    private var exports: [ObjectIdentifier: [(id: String, name: String, value: Value)]] = [:]
    private var stackDeps: [ObjectIdentifier: [Stack]] = [:]

    init(app: App) { self.app = app }

    func report(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(path: path, message: message))
    }

    func export(from producer: Stack, value: Value, target: any Referenceable, attribute: String?) -> String {
        let id = "ExportsOutput" + (attribute == nil ? "Ref" : "FnGetAtt") + target.logicalId
            + LogicalID.sanitize(attribute ?? "")
        let name = "\(producer.stackName):\(id)"
        let key = ObjectIdentifier(producer)
        if exports[key]?.contains(where: { $0.id == id }) != true {
            exports[key, default: []].append((id, name, value))
        }
        return name
    }

    func addDependency(_ consumer: Stack, on producer: Stack) {
        let key = ObjectIdentifier(consumer)
        if stackDeps[key]?.contains(where: { $0 === producer }) != true {
            stackDeps[key, default: []].append(producer)
        }
    }

    func run() throws -> CloudAssembly {
        for (path, message) in app.constructionErrors { report(path, message) }
        let all = app.descendants()
        for c in all { c.prepare() }
        for c in [app as Construct] + all {
            for message in c.validate() { report(c.path.isEmpty ? "App" : c.path, message) }
        }
        let stacks = app.stacks
        if stacks.isEmpty { report("App", "the app has no stacks") }
        var names: [String: String] = [:]
        for s in stacks {
            if let other = names[s.stackName] {
                report(s.path, "stack name '\(s.stackName)' is already used by '\(other)'")
            }
            names[s.stackName] = s.path
            for d in s.explicitDependencies { addDependency(s, on: d) }
        }

        let partials = stacks.map { StackRenderer(stack: $0, synthesis: self).render() }
        checkStackCycles(stacks)

        var artifacts: [StackArtifact] = []
        for (stack, partial) in zip(stacks, partials) {
            var outputs = partial.outputs
            for e in exports[ObjectIdentifier(stack)] ?? [] {
                outputs.append((e.id, .object([("Value", e.value), ("Export", .object([("Name", .string(e.name))]))])))
            }
            if outputs.count > TemplateLimits.maxOutputs {
                report(stack.path, "the stack has \(outputs.count) outputs (CloudFormation allows \(TemplateLimits.maxOutputs))")
            }
            let template = partial.template(outputs: outputs)
            let deps = (stackDeps[ObjectIdentifier(stack)] ?? []).map(\.stackName)
            var artifact = StackArtifact(
                id: stack.id, stackName: stack.stackName, account: stack.account, region: stack.region,
                template: template, dependencies: deps, tags: stack.appliedTags.map { ($0.key, $0.value) },
                terminationProtection: stack.terminationProtection,
                assets: partial.assetIds)
            artifact.configFile = stack.configFile
            artifact.context = stack.configContext.keys.sorted().map { ($0, stack.configContext[$0]!) }
            artifact.exampleKeys = Array(Set(stack.exampleKeys)).sorted()
            // In the order of their rendered entries (what the manifest always listed them in).
            artifact.images = stack.containerImages.map { $0.manifestEntry() }
                .map { (entry: $0, text: (try? JSONRenderer.render(encoding: $0)) ?? "") }
                .sorted { $0.text < $1.text }.map(\.entry)
            artifacts.append(artifact)
        }
        for a in artifacts {
            let size = a.json.bytes(of: a.template).count
            if size > TemplateLimits.maxTemplateBytes {
                report(a.id, "the template is \(size) bytes; CloudFormation accepts at most \(TemplateLimits.maxTemplateBytes)")
            }
        }
        if !diagnostics.isEmpty { throw SynthesisError(diagnostics: diagnostics) }
        return CloudAssembly(stacks: artifacts, assets: app.assets)
    }

    private func checkStackCycles(_ stacks: [Stack]) {
        var state: [ObjectIdentifier: Int] = [:]  // 1 visiting, 2 done
        var trail: [Stack] = []
        func visit(_ s: Stack) -> Bool {
            let key = ObjectIdentifier(s)
            if state[key] == 2 { return false }
            if state[key] == 1 {
                let start = trail.firstIndex(where: { $0 === s })!
                let cycle = (trail[start...] + [s]).map(\.stackName).joined(separator: " -> ")
                report(s.path, "stack dependency cycle: \(cycle)")
                return true
            }
            state[key] = 1
            trail.append(s)
            for d in stackDeps[key] ?? [] where visit(d) { return true }
            trail.removeLast()
            state[key] = 2
            return false
        }
        for s in stacks where visit(s) { return }
    }
}

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

/// A construct that uses assets (so the manifest lists them under the stack). Adopted by
/// higher-level constructs (functions, task definitions); synthesis does not ask template
/// elements (resources, parameters, outputs, conditions, mappings).
public protocol AssetUser: AnyObject {
    var assetIds: [String] { get }
}

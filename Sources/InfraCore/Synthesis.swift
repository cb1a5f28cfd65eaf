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

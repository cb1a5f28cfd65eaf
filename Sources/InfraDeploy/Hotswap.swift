import Foundation
import InfraAWS
import InfraCore

/// `infra deploy --hotswap`: for each stack, the differences between the deployed template and
/// the new one are applied through the service APIs when every one of them allows it (Lambda
/// code and configuration, ECS container images and environments), else the stack gets a
/// normal deploy (a change set) and the reasons are printed. A hot-swap leaves drift: the
/// stack's template in CloudFormation is not updated; the next normal deploy reconciles it.
public final class HotswapDeployer: @unchecked Sendable {
    public let context: DeployContext
    public let assembly: DeployAssembly
    public let options: DeployOptions
    public let output: DeployOutput
    /// Resource definitions already applied in this process (`infra watch`): stack/logicalId -> JSON.
    private let lock = NSLock()
    private var applied: [String: String] = [:]
    private var clientsCache: AWSClients?

    public init(context: DeployContext, assembly: DeployAssembly, options: DeployOptions) {
        self.context = context
        self.assembly = assembly
        self.options = options
        self.output = DeployOutput(console: context.console, style: options.progress)
    }

    /// The same deployer (and memo) for another synthesis of the app (`infra watch`).
    public func with(assembly: DeployAssembly) -> HotswapDeployer {
        let d = HotswapDeployer(context: context, assembly: assembly, options: options)
        d.applied = lock.withLock { applied }
        d.clientsCache = lock.withLock { clientsCache }
        return d
    }

    /// Memo shared back from `with(assembly:)` copies.
    public func adopt(memoOf other: HotswapDeployer) {
        let memo = other.lock.withLock { other.applied }
        lock.withLock { applied = memo }
    }

    enum Outcome {
        case hotswapped(StackResult)
        case unchanged(StackResult)
        case fallback([String])
    }

    /// Hot-swaps what it can; stacks that need CloudFormation are deployed normally afterwards
    /// (after the hot-swaps of the stacks before them, in dependency order).
    public func deploy(_ stacks: [AssemblyStack]) async -> DeploySummary {
        var summary = DeploySummary()
        let clients: AWSClients
        do {
            try Preflight.refuseExamples(stacks)
            if let c = lock.withLock({ clientsCache }) { clients = c } else {
                clients = try AWSClients(context: context, stackRegions: stacks.map(\.region))
                lock.withLock { clientsCache = clients }
            }
        } catch {
            let e = error as? DeployError ?? DeployError(.other, error.deployMessage)
            output.error("error: \(e.message)")
            summary.failures = [("", e)]
            return summary
        }
        for stack in stacks {
            let outcome: Outcome
            do {
                outcome = try await hotswap(stack, clients: clients)
            } catch {
                let e: DeployError
                if error.isCancellation || Task.isCancelled {
                    e = DeployError(.interrupted, "\(stack.stackName): hot-swap interrupted (Ctrl-C)")
                } else {
                    e = error as? DeployError ?? DeployError(.other, "\(stack.stackName): hot-swap failed: \(error.deployMessage)")
                }
                output.error(ANSI.red(e.message, output.console.isTerminal))
                summary.failures.append((stack.stackName, e))
                summary.skipped = stacks.drop { $0.stackName != stack.stackName }.dropFirst().map(\.stackName)
                return summary
            }
            switch outcome {
            case .hotswapped(let r), .unchanged(let r):
                summary.results.append(r)
            case .fallback(let reasons):
                output.line("\(stack.stackName): not hot-swappable, deploying with a change set:")
                for r in reasons { output.line("  - \(r)") }
                let full = await Deployer(context: context, assembly: assembly, options: options).deploy([stack])
                summary.results += full.results
                summary.failures += full.failures
                if !full.succeeded {
                    summary.skipped = stacks.drop { $0.stackName != stack.stackName }.dropFirst().map(\.stackName)
                    return summary
                }
                // a normal deploy reconciles the template: the memo of this stack is void
                lock.withLock { applied = applied.filter { !$0.key.hasPrefix(stack.stackName + "/") } }
            }
        }
        return summary
    }

    func hotswap(_ stack: AssemblyStack, clients: AWSClients) async throws -> Outcome {
        let started = context.polling.now()
        let client = clients.client(for: stack.region)
        let cfn = CloudFormationClient(client: client)
        let name = stack.stackName
        guard let deployed = try await cfn.describeStack(name), deployed.status != .reviewInProgress else {
            return .fallback(["\(name) is not deployed yet: creating it needs CloudFormation"])
        }
        guard deployed.status.isSuccess, !deployed.status.isInProgress else {
            return .fallback(["\(name) is in \(deployed.status): CloudFormation must settle it first"])
        }
        if !options.parameters.isEmpty {
            return .fallback(["--parameters given: parameter values change only through CloudFormation"])
        }
        let stackTags = Set(stack.tags.map { InfraAWS.Tag(key: $0.key, value: $0.value) })
        if stackTags != Set(deployed.tags) {
            return .fallback(["the stack's tags changed: only CloudFormation applies them"])
        }
        let result = StackResult(stackName: name, region: client.region, stackId: deployed.stackId,
                                 outcome: .unchanged, outputs: deployed.outputValues)
        let deployedBody = try await cfn.getTemplate(stackName: deployed.stackId)
        if deployedBody == stack.templateBody {
            output.success("✅ \(name): no changes")
            return .unchanged(result)
        }
        let oldTemplate: Value
        do {
            oldTemplate = try TemplateDocument.parse(deployedBody)
        } catch {
            return .fallback(["the deployed template cannot be read: \(error.deployMessage)"])
        }
        let newTemplate = try stack.parsedTemplate()
        let resources = try await cfn.listStackResources(deployed.stackId)
        // the account and partition are in the stack's ARN (arn:aws:cloudformation:region:account:stack/...)
        let arnParts = deployed.stackId.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let account = arnParts.count > 4 ? arnParts[4] : try await clients.account()
        let parameters = Dictionary(deployed.parameters.map { ($0.key, $0.resolvedValue ?? $0.value ?? "") },
                                    uniquingKeysWith: { a, _ in a })
        let evaluator = HotswapEvaluator(template: newTemplate, parameters: parameters, resources: resources,
                                         account: account, region: client.region, stackName: name,
                                         stackId: deployed.stackId)
        let plan = HotswapPlanner(old: oldTemplate, new: newTemplate, evaluator: evaluator).plan()
        if !plan.blockers.isEmpty { return .fallback(plan.blockers) }
        if plan.changes.isEmpty {
            // only metadata differs (e.g. an asset's path): nothing runs differently
            output.success("✅ \(name): no changes to hot-swap (only metadata differs)")
            return .unchanged(result)
        }
        let memo = lock.withLock { applied }
        let pending = plan.changes.filter { memo["\(name)/\($0.logicalId)"] != plan.definitions[$0.logicalId] }
        if pending.isEmpty {
            output.success("✅ \(name): no changes since the last hot-swap")
            return .unchanged(result)
        }

        // assets the changed functions use
        let keys = Set(pending.compactMap { change -> String? in
            if case .function(_, _, .s3(_, let key, _)?, _, _) = change { return key }
            return nil
        })
        let assets = stack.assets.compactMap { assembly.asset($0) }.filter { keys.contains($0.objectKey) }
        if !assets.isEmpty {
            let toolkit = ToolkitLookup(stackName: options.toolkitStackName, clients: clients)
            let out = output
            let publisher = AssetPublisher(context: context, clients: clients, toolkit: toolkit, log: { out.line($0) })
            try await publisher.publish(assets, for: name, region: client.region)
        }

        output.line("\(name): hot-swapping \(pending.count) resource\(pending.count == 1 ? "" : "s") "
            + "(no change set)")
        let applier = HotswapApplier(client: client, polling: context.polling, output: output)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for change in pending {
                group.addTask { try await applier.apply(change, stack: name) }
            }
            try await group.waitForAll()
        }
        lock.withLock {
            for c in pending { applied["\(name)/\(c.logicalId)"] = plan.definitions[c.logicalId] }
        }
        let seconds = context.polling.now().timeIntervalSince(started)
        output.success("✅ \(name): hot-swapped (\(String(format: "%.1f", seconds)) s)")
        output.line("  drift: CloudFormation's template of \(name) still has the previous "
            + plan.changes.map { change -> String in
                switch change {
                case .function(let id, _, _, _, let props): return "\(props.joined(separator: ", ")) of \(id)"
                case .taskDefinition(let id, _, _, let services, let props):
                    return "\(props.joined(separator: ", ")) of \(id) (its services \(services.map(\.logicalId).joined(separator: ", ")) "
                        + "run a revision CloudFormation does not know)"
                }
            }.joined(separator: "; ")
            + "; `infra deploy \(name)` without --hotswap reconciles it")
        var r = result
        r.outcome = .updated
        return .hotswapped(r)
    }
}

/// Applies one change and waits until the service runs it.
struct HotswapApplier: Sendable {
    let client: AWSClient
    let polling: PollingPolicy
    let output: DeployOutput

    func apply(_ change: HotswapPlan.Change, stack: String) async throws {
        let started = polling.now()
        func elapsed() -> String { String(format: "%.1f s", polling.now().timeIntervalSince(started)) }
        switch change {
        case let .function(id, name, code, configuration, _):
            let lambda = LambdaClient(client: client)
            var done: [String] = []
            var sha: String?
            do {
                if let code {
                    try await lambda.updateFunctionCode(name, code: code)
                    sha = try await waitForFunction(lambda, name).codeSha256
                    switch code {
                    case .s3(let b, let k, _): done.append("code s3://\(b)/\(k)")
                    case .image(let uri): done.append("image \(uri)")
                    case .zip: done.append("code")
                    }
                }
                if !configuration.isEmpty {
                    try await lambda.updateFunctionConfiguration(name, configuration)
                    _ = try await waitForFunction(lambda, name)
                    var fields: [String] = []
                    if configuration.environment != nil { fields.append("environment") }
                    if configuration.memorySize != nil { fields.append("memory") }
                    if configuration.timeout != nil { fields.append("timeout") }
                    if configuration.description != nil { fields.append("description") }
                    if configuration.handler != nil { fields.append("handler") }
                    if configuration.runtime != nil { fields.append("runtime") }
                    done.append(fields.joined(separator: ", "))
                }
            } catch let e as AWSError {
                throw DeployError(.stackFailed, "\(stack): hot-swap of \(id) (Lambda function \(name)) failed: \(e)")
            }
            output.line("  ✓ \(id) (AWS::Lambda::Function \(name)): \(done.joined(separator: "; "))"
                + (sha.map { " (CodeSha256 \($0))" } ?? "") + ", \(elapsed())")
        case let .taskDefinition(id, deployedArn, containers, services, _):
            let ecs = ECSClient(client: client)
            let newArn: String
            do {
                var (definition, tags) = try await ecs.describeTaskDefinition(deployedArn)
                guard case .array(var defs)? = definition["containerDefinitions"] else {
                    throw DeployError(.stackFailed, "\(stack): \(id): the deployed task definition has no containers")
                }
                for change in containers {
                    guard let i = defs.firstIndex(where: { if case .object(let o) = $0 { return o["name"]?.string == change.name }; return false }),
                          case .object(var c) = defs[i] else {
                        throw DeployError(.stackFailed, "\(stack): \(id): the deployed task definition \(deployedArn) "
                            + "has no container \(change.name)")
                    }
                    if let image = change.image { c["image"] = .string(image) }
                    if let env = change.environment {
                        c["environment"] = .array(env.map { .object(["name": .string($0.0), "value": .string($0.1)]) })
                    }
                    defs[i] = .object(c)
                }
                definition["containerDefinitions"] = .array(defs)
                if tags.isEmpty, case .array(let t)? = definition["tags"] { tags = t }
                newArn = try await ecs.registerTaskDefinition(definition, tags: tags)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for s in services {
                        group.addTask {
                            try await ecs.updateService(cluster: s.cluster, service: s.service, taskDefinition: newArn)
                            try await waitForService(ecs, s, taskDefinition: newArn, stack: stack)
                        }
                    }
                    try await group.waitForAll()
                }
            } catch let e as AWSError {
                throw DeployError(.stackFailed, "\(stack): hot-swap of \(id) (ECS task definition) failed: \(e)")
            }
            let what = containers.map { c in
                [c.image.map { "\(c.name) image \($0)" }, c.environment.map { "\(c.name) environment (\($0.count) variables)" }]
                    .compactMap { $0 }.joined(separator: ", ")
            }.joined(separator: "; ")
            output.line("  ✓ \(id) (AWS::ECS::TaskDefinition): \(what) -> \(newArn.split(separator: "/").last ?? "")"
                + "; services \(services.map(\.logicalId).joined(separator: ", ")) rolled out, \(elapsed())")
        }
    }

    /// Polls GetFunctionConfiguration until `LastUpdateStatus` is no longer `InProgress`.
    private func waitForFunction(_ lambda: LambdaClient, _ name: String) async throws -> LambdaClient.FunctionConfiguration {
        try await pollUntil(polling, what: "Lambda function \(name)") {
            let c = try await lambda.getFunctionConfiguration(name)
            switch c.lastUpdateStatus {
            case "InProgress"?: return (nil, false)
            case "Failed"?:
                throw DeployError(.stackFailed, "the update of Lambda function \(name) failed: "
                    + "\(c.lastUpdateStatusReasonCode ?? "") \(c.lastUpdateStatusReason ?? "no reason given")")
            default: return (c, false)
            }
        }
    }

    /// Polls DescribeServices until the service's PRIMARY deployment runs `taskDefinition` and
    /// has rolled out (`rolloutState` COMPLETED; without one: the only deployment, all tasks running).
    private func waitForService(_ ecs: ECSClient, _ s: HotswapPlan.ServiceRef, taskDefinition: String,
                                stack: String) async throws {
        _ = try await pollUntil(polling, what: "ECS service \(s.logicalId)") { () -> (Bool?, Bool) in
            guard let svc = try await ecs.describeServices(cluster: s.cluster, services: [s.service]).first else {
                throw DeployError(.stackFailed, "\(stack): ECS service \(s.service) not found in cluster \(s.cluster)")
            }
            guard let primary = svc.deployments?.first(where: { $0.status == "PRIMARY" }),
                  primary.taskDefinition == taskDefinition else { return (nil, false) }
            switch primary.rolloutState {
            case "COMPLETED"?: return (true, false)
            case "FAILED"?:
                throw DeployError(.stackFailed, "\(stack): the deployment of ECS service \(s.logicalId) failed: "
                    + (primary.rolloutStateReason ?? "no reason given"))
            case nil:
                let settled = (svc.deployments?.count ?? 0) == 1 && primary.runningCount == primary.desiredCount
                return (settled ? true : nil, false)
            default: return (nil, false)
            }
        }
    }
}

import Foundation
import InfraAWS
import InfraContract
import InfraCore

/// Deploys one stack the way CloudFormation intends: wait for an operation already running,
/// clear a failed first create, skip when nothing changed, publish assets, create a change set,
/// show it, ask when required, execute it, watch it, and explain a failure by its first cause.
struct StackDeployer {
    let context: DeployContext
    let clients: AWSClients
    let toolkit: ToolkitLookup
    let publisher: AssetPublisher
    let assembly: DeployAssembly?
    let options: DeployOptions
    let output: DeployOutput
    /// Serializes approval questions between concurrent stacks.
    let approvals: NSLock
    /// h5: preflight's reports per stack name (image gate values, adoption).
    var preflight: [String: PreflightReport] = [:]

    func deploy(_ stack: AssemblyStack) async throws -> StackResult {
        do {
            return try await deployStack(stack)
        } catch where !(error is DeployError) && (error.isCancellation || Task.isCancelled) {
            throw DeployError(.interrupted, "\(stack.stackName): interrupted (Ctrl-C) before CloudFormation started "
                + "changing the stack; nothing was executed. Run the deploy again when ready.")
        } catch let e as AWSError {
            throw DeployError(.other, "\(stack.stackName): \(e)")
        } catch let e as AWSClientError {
            throw DeployError(.other, "\(stack.stackName): \(e)")
        }
    }

    /// The deploy as its steps; each returns what the next needs, or ends the deploy early.
    private func deployStack(_ stack: AssemblyStack) async throws -> StackResult {
        let target = try await prepare(stack)
        let existing = try await settle(target)
        let plan = try await plan(target, existing)
        if plan.isUnchanged { return try await unchanged(target, existing) }
        try approveSecurityChanges(target, plan)
        let source = try await publishAssets(target)
        let changeSet: ReadyChangeSet
        switch try await createChangeSet(target, existing, plan, source) {
        case .noChanges(let stackId): return try await unchanged(target, existing, fallbackStackId: stackId)
        case .ready(let ready): changeSet = ready
        }
        try await review(target, changeSet)
        guard options.execute else { return notExecuted(target, existing, changeSet) }
        return try await execute(target, existing, changeSet)
    }

    // MARK: What the steps pass on

    /// One stack's deploy: where it goes and the template it deploys.
    private struct Target {
        let stack: AssemblyStack
        let cfn: CloudFormationClient
        let region: String
        let template: Value
        let started: Date
        var name: String { stack.stackName }
    }

    /// What the change set is made of, and the deployed template it is compared with.
    private struct Plan {
        let parameters: [StackParameter]
        let tags: [InfraAWS.Tag]?
        let deployedTemplate: Value?
        /// Same template, parameters and tags as deployed (and no `--force`): nothing to do.
        let isUnchanged: Bool
    }

    /// A change set CloudFormation has made, with its changes.
    private struct ReadyChangeSet {
        let name: String
        let type: ChangeSetType
        let created: CloudFormationClient.CreateChangeSetResult
        let description: ChangeSetDescription
        var isCreate: Bool { type == .create }
    }

    private enum ChangeSetOutcome {
        case ready(ReadyChangeSet)
        /// CloudFormation found nothing to change (the stack id it named, if any).
        case noChanges(stackId: String?)
    }

    /// A stack created by a change set that was never executed exists only "in review".
    private static func isDeployed(_ existing: InfraAWS.Stack?) -> Bool {
        existing != nil && existing?.status != .reviewInProgress
    }

    // MARK: Steps, in order

    /// The account check, the parsed template and the client of the stack's region.
    private func prepare(_ stack: AssemblyStack) async throws -> Target {
        let client = clients.client(for: stack.region)
        let started = context.polling.now()
        try await clients.checkAccount(of: stack)
        return Target(stack: stack, cfn: CloudFormationClient(client: client), region: client.region,
                      template: try stack.parsedTemplate(), started: started)
    }

    /// The stack as it can be deployed to: an operation in progress waited for, a failed first
    /// create deleted; a state only a person can fix is an error. nil: there is no stack.
    private func settle(_ t: Target) async throws -> InfraAWS.Stack? {
        var existing = try await describe(t.cfn, t.name)
        if let current = existing, current.status.isInProgress {
            existing = try await waitForOperation(t, current)
        }
        if let current = existing, current.status.isFailedCreate {
            try await deleteFailedCreate(t, current)
            existing = nil
        }
        switch existing?.status {
        case .deleteFailed?:
            throw DeployError(.stackFailed, "\(t.name) is in DELETE_FAILED: finish deleting it (`infra destroy "
                + "\(t.name)`) or fix it in the console before deploying")
        case .updateRollbackFailed?:
            throw DeployError(.stackFailed, "\(t.name) is in UPDATE_ROLLBACK_FAILED: continue the rollback "
                + "(console: Stack actions > Continue update rollback) before deploying again")
        default:
            return existing
        }
    }

    /// An operation in progress (another deploy, the console, a deploy interrupted with Ctrl-C):
    /// waited for instead of failing on it. Returns the stack after it (nil: it was deleted).
    private func waitForOperation(_ t: Target, _ current: InfraAWS.Stack) async throws -> InfraAWS.Stack? {
        output.line("\(t.name): \(current.status) in progress (started elsewhere or by an interrupted deploy); "
            + "waiting for it to finish")
        let result = try await watch(t.cfn, current, operation: "waiting", marker: nil,
                                     since: (current.lastUpdatedTime ?? current.creationTime)?.addingTimeInterval(-1),
                                     previous: nil, expected: 0)
        let after = result.stack.flatMap { $0.status == .deleteComplete ? nil : $0 }
        if let s = after { output.line("\(t.name): the operation in progress ended in \(s.status)") }
        return after
    }

    /// A failed first create cannot be updated: it is deleted, to be created again.
    private func deleteFailedCreate(_ t: Target, _ current: InfraAWS.Stack) async throws {
        output.line("\(t.name): the stack is in \(current.status) (its creation failed earlier); deleting it to "
            + "create it again")
        let marker = try await StackMonitor.newestEventId(t.cfn, stack: current.stackId)
        // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
        try await Resolve.deleteStack(t.cfn, stackId: current.stackId, name: t.name, before: current.status,
                                      log: output.line)
        let result = try await watch(t.cfn, current, operation: "deleting", marker: marker, since: nil,
                                     previous: current.status, expected: 0)
        if let s = result.stack, s.status != .deleteComplete {
            let report = FailureReport(events: result.events, stackName: t.name, final: s)
            throw DeployError(.stackFailed, (["\(t.name): could not delete the failed stack (\(s.status)):"]
                + report.lines()).joined(separator: "\n"))
        }
    }

    /// Parameters (given ones, else the deployed value, else the template default), tags, and
    /// whether anything differs from what is deployed.
    private func plan(_ t: Target, _ existing: InfraAWS.Stack?) async throws -> Plan {
        let parameters = ImageGate.apply(try resolveParameters(t.stack, template: t.template, existing: existing),
                                         preflight[t.name])  // h5: image gate
        let stackTags = t.stack.tags.map { InfraAWS.Tag(key: $0.key, value: $0.value) }
        // no tags: send none (an empty list would mean "remove all tags", needed only when some exist)
        let tags: [InfraAWS.Tag]? = stackTags.isEmpty && (existing?.tags.isEmpty ?? true) ? nil : stackTags
        guard Self.isDeployed(existing), let current = existing else {
            return Plan(parameters: parameters, tags: tags, deployedTemplate: nil, isUnchanged: false)
        }
        let deployedBody: String? = try await t.cfn.getTemplate(stackName: current.stackId)
        let unchanged = !options.force
            && canSkip(t.stack, current, deployedBody: deployedBody, parameters: parameters, tags: tags)
        return Plan(parameters: parameters, tags: tags,
                    deployedTemplate: deployedBody.flatMap { try? TemplateDocument.parse($0) }, isUnchanged: unchanged)
    }

    /// Security changes that widen access: asked about (or refused) before anything is created.
    private func approveSecurityChanges(_ t: Target, _ plan: Plan) throws {
        guard options.requireApproval != .never else { return }
        let security = SecurityChanges.compare(old: plan.deployedTemplate, new: t.template)
        if security.isBroadening {
            try approve(t.name, reason: "security changes that widen access",
                        details: security.render(color: output.console.isTerminal))
        }
    }

    /// Assets, and a template too large to send inline, go to the toolkit's bucket.
    private func publishAssets(_ t: Target) async throws -> TemplateSource {
        let assets = t.stack.assets.compactMap { assembly?.asset($0) }
        if !assets.isEmpty {
            output.line("\(t.name): publishing \(assets.count) asset\(assets.count == 1 ? "" : "s")")
            try await publisher.publish(assets, for: t.name, region: t.region)
        }
        if t.stack.templateBody.utf8.count > TemplateLimits.maxInlineTemplateBytes {
            return .url(try await publisher.uploadTemplate(t.stack, region: t.region))
        }
        return .body(t.stack.templateBody)
    }

    /// Creates the change set and waits until CloudFormation has worked it out.
    private func createChangeSet(_ t: Target, _ existing: InfraAWS.Stack?, _ plan: Plan,
                                 _ source: TemplateSource) async throws -> ChangeSetOutcome {
        let name = Self.changeSetName(context.polling.now())
        let type: ChangeSetType = Self.isDeployed(existing) ? .update : .create
        output.line("\(t.name): creating change set \(name) (\(type == .create ? "new stack" : "update"), \(t.region))")
        let settings = StackSettings(template: source, parameters: plan.parameters, tags: plan.tags,
                                     capabilities: [.iam, .namedIAM, .autoExpand])
        let created: CloudFormationClient.CreateChangeSetResult
        do {
            // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
            created = try await Resolve.createChangeSet(t.cfn, stackName: t.name, changeSetName: name, type: type,
                                                        settings: settings, description: "infra deploy",
                                                        importExistingResources: preflight[t.name]?.importExisting == true
                                                            ? true : nil,  // h5: adoption
                                                        log: output.line)
        } catch let e as AWSError where Self.isNoChanges(e) {
            // moto (and UpdateStack-style answers) say "No updates are to be performed" here
            return .noChanges(stackId: nil)
        } catch let e as AWSError {
            throw DeployError(.stackFailed, "\(t.name): CloudFormation refused the change set: \(e)")
        }
        let description: ChangeSetDescription = try await pollUntil(context.polling, what: "change set \(name)") {
            let d = try await t.cfn.describeChangeSet(created.changeSetId)
            return (d.status.isPending ? nil : d, false)
        }
        if description.hasNoChanges {
            try? await t.cfn.deleteChangeSet(created.changeSetId)
            return .noChanges(stackId: created.stackId)
        }
        guard description.status == .createComplete else {
            await abandon(t.cfn, changeSet: created, createdStack: type == .create)
            throw DeployError(.stackFailed, "\(t.name): the change set failed (\(description.status)): "
                + (description.statusReason ?? "no reason given"))
        }
        return .ready(ReadyChangeSet(name: name, type: type, created: created, description: description))
    }

    /// Shows the changes and, with `--require-approval any-change`, asks; a refusal abandons the
    /// change set.
    private func review(_ t: Target, _ cs: ReadyChangeSet) async throws {
        let changes = cs.description.changes
        output.line("\(t.name): \(changes.count) change\(changes.count == 1 ? "" : "s")")
        for line in Self.changeLines(changes) { output.line(line) }
        guard options.requireApproval == .anyChange && !changes.isEmpty else { return }
        do {
            try approve(t.name, reason: "changes (--require-approval any-change)", details: [])
        } catch {
            await abandon(t.cfn, changeSet: cs.created, createdStack: cs.isCreate)
            throw error
        }
    }

    /// `--no-execute`: the change set stays for a person to review and execute.
    private func notExecuted(_ t: Target, _ existing: InfraAWS.Stack?, _ cs: ReadyChangeSet) -> StackResult {
        output.line("\(t.name): change set \(cs.name) created and not executed (--no-execute). Review it in "
            + "the CloudFormation console and execute it there, or run infra deploy again without --no-execute.")
        return StackResult(stackName: t.name, region: t.region, stackId: cs.created.stackId,
                           outcome: .changeSetCreated(cs.created.changeSetId), outputs: existing?.outputValues ?? [:])
    }

    /// Executes the change set, watches the stack to the end and returns its outputs, or explains
    /// the failure by its first cause.
    private func execute(_ t: Target, _ existing: InfraAWS.Stack?, _ cs: ReadyChangeSet) async throws -> StackResult {
        let stackId = cs.created.stackId
        let before = try await describe(t.cfn, stackId)
        let marker = try await StackMonitor.newestEventId(t.cfn, stack: stackId)
        // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
        try await Resolve.executeChangeSet(t.cfn, changeSetId: cs.created.changeSetId, stackId: stackId, name: t.name,
                                           before: before?.status ?? .reviewInProgress, log: output.line)
        let result = try await watch(t.cfn, before ?? existing, stackId: stackId,
                                     operation: cs.isCreate ? "creating" : "updating", marker: marker, since: nil,
                                     previous: before?.status ?? .reviewInProgress,
                                     expected: cs.description.changes.count)
        guard let final = result.stack, final.status.isSuccess else {
            throw await failure(t.cfn, name: t.name, stackId: stackId, operation: cs.isCreate ? "create" : "update",
                                result: result)
        }
        try await applyTerminationProtection(t.cfn, t.stack, final)
        let seconds = context.polling.now().timeIntervalSince(t.started)
        output.success("✅ \(t.name): \(cs.isCreate ? "created" : "updated") (\(String(format: "%.1f", seconds)) s)")
        return StackResult(stackName: t.name, region: t.region, stackId: final.stackId,
                           outcome: cs.isCreate ? .created : .updated, outputs: final.outputValues)
    }

    /// Nothing to change: termination protection brought in line, the deployed outputs returned.
    private func unchanged(_ t: Target, _ existing: InfraAWS.Stack?, fallbackStackId: String? = nil) async throws
        -> StackResult {
        if let current = existing { try await applyTerminationProtection(t.cfn, t.stack, current) }
        output.success("✅ \(t.name): no changes")
        return StackResult(stackName: t.name, region: t.region, stackId: existing?.stackId ?? fallbackStackId,
                           outcome: .unchanged, outputs: existing?.outputValues ?? [:])
    }

    // MARK: Helpers

    private func describe(_ cfn: CloudFormationClient, _ nameOrId: String) async throws -> InfraAWS.Stack? {
        try await cfn.describeStack(nameOrId)
    }

    /// Watches an operation, turning Ctrl-C into a message on how to resume.
    private func watch(_ cfn: CloudFormationClient, _ stack: InfraAWS.Stack?, stackId: String? = nil, operation: String,
                       marker: String?, since: Date?, previous: StackStatus?, expected: Int) async throws
        -> StackMonitor.Result {
        let name = stack?.stackName ?? ""
        let id = stackId ?? stack?.stackId ?? name
        let monitor = StackMonitor(cfn: cfn, stackId: id, stackName: name.isEmpty ? id : name,
                                   polling: context.polling, output: output)
        return try await monitor.watchShown(operation, expected: expected, after: marker, since: since,
                                            previous: previous) { name in
            """
            \(name): stopped watching (Ctrl-C). CloudFormation carries on \(operation) the stack; nothing was \
            left half-done locally. Run `infra deploy \(name)` again to wait for it and continue, or follow it \
            in the CloudFormation console.
            """
        }
    }

    /// Builds the error of a failed operation: the first cause, the other failures, the final state.
    private func failure(_ cfn: CloudFormationClient, name: String, stackId: String, operation: String,
                         result: StackMonitor.Result) async -> DeployError {
        var report = FailureReport(events: result.events, stackName: name, final: result.stack)
        if report.firstCause == nil, let resources = try? await cfn.listStackResources(stackId) {
            // no failed resource event seen (events trimmed, or a server with stack-level events only)
            report.addResourceFailures(resources)
        }
        var lines = ["❌ \(name): the \(operation) failed" + (result.stack.map { " (\($0.status))" } ?? "")]
        lines += report.lines()
        switch result.stack?.status {
        case .rollbackComplete?, .rollbackFailed?:
            lines.append("  the next `infra deploy \(name)` deletes the failed stack and creates it again")
        case .updateRollbackComplete?:
            lines.append("  the stack is back as it was before this deploy; fix the cause and deploy again")
        case .updateRollbackFailed?:
            lines.append("  the rollback failed too: continue it in the console (Continue update rollback)")
        default: break
        }
        return DeployError(.stackFailed, lines.joined(separator: "\n"))
    }

    /// Deletes a change set that will not be executed (and the empty stack a CREATE change set made).
    private func abandon(_ cfn: CloudFormationClient, changeSet: CloudFormationClient.CreateChangeSetResult,
                         createdStack: Bool) async {
        try? await cfn.deleteChangeSet(changeSet.changeSetId)
        if createdStack, let s = try? await cfn.describeStack(changeSet.stackId), s.status == .reviewInProgress {
            try? await cfn.deleteStack(stackName: changeSet.stackId)
        }
    }

    private func approve(_ name: String, reason: String, details: [String]) throws {
        try approvals.withLock {
            for line in details { output.line(line) }
            let console = output.console
            guard console.isInteractive else {
                throw DeployError(.approval, """
                    \(name) has \(reason), and --require-approval \(options.requireApproval.rawValue) needs a person \
                    to approve them, but there is no terminal to ask in. Review them (`infra diff \(name)`), then \
                    deploy with --require-approval never.
                    """)
            }
            guard output.confirm("Deploy \(name) with these \(reason)?") else {
                throw DeployError(.approval, "\(name): not deployed (not approved)")
            }
        }
    }

    private func applyTerminationProtection(_ cfn: CloudFormationClient, _ stack: AssemblyStack,
                                            _ deployed: InfraAWS.Stack) async throws {
        guard deployed.terminationProtection != stack.terminationProtection else { return }
        try await cfn.updateTerminationProtection(stackName: deployed.stackId, enabled: stack.terminationProtection)
        output.line("\(stack.stackName): termination protection \(stack.terminationProtection ? "enabled" : "disabled")")
    }

    private func canSkip(_ stack: AssemblyStack, _ deployed: InfraAWS.Stack, deployedBody: String?,
                         parameters: [StackParameter], tags: [InfraAWS.Tag]?) -> Bool {
        guard deployed.status.isSuccess, deployedBody == stack.templateBody else { return false }
        let current = Dictionary(deployed.parameters.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        for p in parameters where !p.usePreviousValue {
            if current[p.key] != p.value { return false }
        }
        if Set(current.keys) != Set(parameters.map(\.key)) && !parameters.isEmpty { return false }
        return Set(deployed.tags) == Set(tags ?? [])
    }

    func resolveParameters(_ stack: AssemblyStack, template: Value, existing: InfraAWS.Stack?) throws -> [StackParameter] {
        let declared = TemplateDocument.section(template, "Parameters").map(\.0)
        var given: [String: String] = [:]
        for o in options.parameters where o.stack == nil && declared.contains(o.key) { given[o.key] = o.value }
        for o in options.parameters where o.stack == stack.stackName || o.stack == stack.id {
            guard declared.contains(o.key) else {
                throw DeployError(.usage, "--parameters \(o.stack!):\(o.key): the template of \(stack.stackName) has no "
                    + "parameter \(o.key) (parameters: \(declared.isEmpty ? "none" : declared.joined(separator: ", ")))")
            }
            given[o.key] = o.value
        }
        let deployedKeys = Set(existing?.parameters.map(\.key) ?? [])
        return declared.compactMap { key in
            if let value = given[key] { return StackParameter(key: key, value: value) }
            if deployedKeys.contains(key), existing?.status != .reviewInProgress { return .usePrevious(key) }
            return nil
        }
    }

    static func isNoChanges(_ e: AWSError) -> Bool {
        let m = e.message.lowercased()
        return e.code == "ValidationError" && (m.contains("no updates are to be performed")
            || m.contains("didn't contain changes"))
    }

    static func changeSetName(_ now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "infra-deploy-\(f.string(from: now))-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// `  + Add      Uploads (AWS::S3::Bucket)` per change, replacements marked.
    static func changeLines(_ changes: [ResourceChange]) -> [String] {
        changes.map { c in
            let sign: String
            switch c.action {
            case .add: sign = "+"
            case .remove: sign = "-"
            case .modify: sign = "~"
            default: sign = "*"
            }
            // padded to the longest documented action (`Dynamic`), never cut: a new one shows whole
            let action = c.action.rawValue + String(repeating: " ", count: max(0, 7 - c.action.rawValue.count))
            var line = "  \(sign) \(action) \(c.logicalResourceId) (\(c.resourceType))"
            switch c.replacement {
            case .always?: line += " - replaces the resource"
            case .conditional?: line += " - may replace the resource"
            default: break
            }
            return line
        }
    }
}

import Foundation
import InfraAWS
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

    /// Statuses that mean "a create that never succeeded": the stack must be deleted first.
    static let failedCreateStatuses: Set<StackStatus> = [.rollbackComplete, .rollbackFailed, .createFailed]

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

    private func deployStack(_ stack: AssemblyStack) async throws -> StackResult {
        let client = clients.client(for: stack.region)
        let region = client.region
        let cfn = CloudFormationClient(client: client)
        let name = stack.stackName
        let started = context.polling.now()
        try await clients.checkAccount(of: stack)

        let newTemplate = try stack.parsedTemplate()
        var existing = try await describe(cfn, name)

        // 1. An operation in progress (another deploy, the console, a deploy interrupted with
        //    Ctrl-C): wait for it instead of failing on it.
        if let current = existing, current.status.isInProgress {
            output.line("\(name): \(current.status) in progress (started elsewhere or by an interrupted deploy); "
                + "waiting for it to finish")
            let result = try await watch(cfn, current, operation: "waiting", marker: nil,
                                         since: (current.lastUpdatedTime ?? current.creationTime)?.addingTimeInterval(-1),
                                         previous: nil, expected: 0)
            existing = result.stack.flatMap { $0.status == .deleteComplete ? nil : $0 }
            if let s = existing { output.line("\(name): the operation in progress ended in \(s.status)") }
        }

        // 2. A failed first create cannot be updated: delete it, then create it again.
        if let current = existing, Self.failedCreateStatuses.contains(current.status) {
            output.line("\(name): the stack is in \(current.status) (its creation failed earlier); deleting it to "
                + "create it again")
            let marker = try await StackMonitor.newestEventId(cfn, stack: current.stackId)
            // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
            try await Resolve.deleteStack(cfn, stackId: current.stackId, name: name, before: current.status, log: output.line)
            let result = try await watch(cfn, current, operation: "deleting", marker: marker, since: nil,
                                         previous: current.status, expected: 0)
            if let s = result.stack, s.status != .deleteComplete {
                let report = FailureReport(events: result.events, stackName: name, final: s)
                throw DeployError(.stackFailed, (["\(name): could not delete the failed stack (\(s.status)):"]
                    + report.lines()).joined(separator: "\n"))
            }
            existing = nil
        }
        if let current = existing {
            switch current.status {
            case .deleteFailed:
                throw DeployError(.stackFailed, "\(name) is in DELETE_FAILED: finish deleting it (`infra destroy "
                    + "\(name)`) or fix it in the console before deploying")
            case .updateRollbackFailed:
                throw DeployError(.stackFailed, "\(name) is in UPDATE_ROLLBACK_FAILED: continue the rollback "
                    + "(console: Stack actions > Continue update rollback) before deploying again")
            default: break
            }
        }
        // A stack created by a change set that was never executed exists only "in review".
        let stackExists = existing != nil && existing?.status != .reviewInProgress

        // 3. Parameters: given ones, else the deployed value, else the template default.
        let parameters = ImageGate.apply(try resolveParameters(stack, template: newTemplate, existing: existing),
                                         preflight[name])  // h5: image gate
        let stackTags = stack.tags.map { InfraAWS.Tag(key: $0.key, value: $0.value) }
        // no tags: send none (an empty list would mean "remove all tags", needed only when some exist)
        let tags: [InfraAWS.Tag]? = stackTags.isEmpty && (existing?.tags.isEmpty ?? true) ? nil : stackTags

        // 4. Nothing changed: done, without a change set.
        var deployedTemplate: Value?
        var deployedBody: String?
        if stackExists, let current = existing {
            deployedBody = try await cfn.getTemplate(stackName: current.stackId)
            deployedTemplate = deployedBody.flatMap { try? TemplateDocument.parse($0) }
            if !options.force, canSkip(stack, current, deployedBody: deployedBody, parameters: parameters, tags: tags) {
                try await applyTerminationProtection(cfn, stack, current)
                output.success("✅ \(name): no changes")
                return StackResult(stackName: name, region: region, stackId: current.stackId, outcome: .unchanged,
                                   outputs: current.outputValues)
            }
        }

        // 5. Security changes: ask (or refuse) before creating anything.
        if options.requireApproval != .never {
            let security = SecurityChanges.compare(old: deployedTemplate, new: newTemplate)
            if security.isBroadening {
                try approve(name, reason: "security changes that widen access", details: security.render(color: output.console.isTerminal))
            }
        }

        // 6. Assets and large templates go to the toolkit's bucket.
        let assets = stack.assets.compactMap { assembly?.asset($0) }
        if !assets.isEmpty {
            output.line("\(name): publishing \(assets.count) asset\(assets.count == 1 ? "" : "s")")
            try await publisher.publish(assets, for: name, region: region)
        }
        let source: TemplateSource
        if stack.templateBody.utf8.count > TemplateLimits.maxInlineTemplateBytes {
            source = .url(try await publisher.uploadTemplate(stack, region: region))
        } else {
            source = .body(stack.templateBody)
        }

        // 7. The change set.
        let changeSetName = Self.changeSetName(context.polling.now())
        let type: ChangeSetType = stackExists ? .update : .create
        output.line("\(name): creating change set \(changeSetName) (\(type == .create ? "new stack" : "update"), \(region))")
        let settings = StackSettings(template: source, parameters: parameters, tags: tags,
                                     capabilities: [.iam, .namedIAM, .autoExpand])
        let created: CloudFormationClient.CreateChangeSetResult
        do {
            // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
            created = try await Resolve.createChangeSet(cfn, stackName: name, changeSetName: changeSetName, type: type,
                                                        settings: settings, description: "infra deploy",
                                                        importExistingResources: preflight[name]?.importExisting == true
                                                            ? true : nil,  // h5: adoption
                                                        log: output.line)
        } catch let e as AWSError where Self.isNoChanges(e) {
            // moto (and UpdateStack-style answers) say "No updates are to be performed" here
            if let current = existing { try await applyTerminationProtection(cfn, stack, current) }
            output.success("✅ \(name): no changes")
            return StackResult(stackName: name, region: region, stackId: existing?.stackId, outcome: .unchanged,
                               outputs: existing?.outputValues ?? [:])
        } catch let e as AWSError {
            throw DeployError(.stackFailed, "\(name): CloudFormation refused the change set: \(e)")
        }
        let changeSet: ChangeSetDescription = try await pollUntil(context.polling, what: "change set \(changeSetName)") {
            let d = try await cfn.describeChangeSet(created.changeSetId)
            return (d.status.isPending ? nil : d, false)
        }
        if changeSet.hasNoChanges {
            try? await cfn.deleteChangeSet(created.changeSetId)
            if let current = existing { try await applyTerminationProtection(cfn, stack, current) }
            output.success("✅ \(name): no changes")
            return StackResult(stackName: name, region: region, stackId: existing?.stackId ?? created.stackId,
                               outcome: .unchanged, outputs: existing?.outputValues ?? [:])
        }
        guard changeSet.status == .createComplete else {
            await abandon(cfn, changeSet: created, createdStack: !stackExists)
            throw DeployError(.stackFailed, "\(name): the change set failed (\(changeSet.status)): "
                + (changeSet.statusReason ?? "no reason given"))
        }
        output.line("\(name): \(changeSet.changes.count) change\(changeSet.changes.count == 1 ? "" : "s")")
        for line in Self.changeLines(changeSet.changes) { output.line(line) }

        if options.requireApproval == .anyChange && !changeSet.changes.isEmpty {
            do {
                try approve(name, reason: "changes (--require-approval any-change)", details: [])
            } catch {
                await abandon(cfn, changeSet: created, createdStack: !stackExists)
                throw error
            }
        }
        guard options.execute else {
            output.line("\(name): change set \(changeSetName) created and not executed (--no-execute). Review it in "
                + "the CloudFormation console and execute it there, or run infra deploy again without --no-execute.")
            return StackResult(stackName: name, region: region, stackId: created.stackId,
                               outcome: .changeSetCreated(created.changeSetId), outputs: existing?.outputValues ?? [:])
        }

        // 8. Execute and watch.
        let before = try await describe(cfn, created.stackId)
        let marker = try await StackMonitor.newestEventId(cfn, stack: created.stackId)
        // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
        try await Resolve.executeChangeSet(cfn, changeSetId: created.changeSetId, stackId: created.stackId, name: name,
                                           before: before?.status ?? .reviewInProgress, log: output.line)
        let operation = type == .create ? "creating" : "updating"
        let result = try await watch(cfn, before ?? existing, stackId: created.stackId, operation: operation,
                                     marker: marker, since: nil, previous: before?.status ?? .reviewInProgress,
                                     expected: changeSet.changes.count)
        guard let final = result.stack, final.status.isSuccess else {
            throw await failure(cfn, name: name, stackId: created.stackId, operation: type == .create ? "create" : "update",
                                result: result)
        }
        try await applyTerminationProtection(cfn, stack, final)
        let seconds = context.polling.now().timeIntervalSince(started)
        output.success("✅ \(name): \(type == .create ? "created" : "updated") (\(String(format: "%.1f", seconds)) s)")
        return StackResult(stackName: name, region: region, stackId: final.stackId,
                           outcome: type == .create ? .created : .updated, outputs: final.outputValues)
    }

    // MARK: Steps

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
        output.begin(stack: monitor.stackName, operation: operation, expected: expected)
        defer { output.end(stack: monitor.stackName) }
        do {
            return try await monitor.watch(after: marker, since: since, previous: previous)
        } catch where error.isCancellation || Task.isCancelled {
            throw DeployError(.interrupted, """
                \(monitor.stackName): stopped watching (Ctrl-C). CloudFormation carries on \(operation) the stack; \
                nothing was left half-done locally. Run `infra deploy \(monitor.stackName)` again to wait for it \
                and continue, or follow it in the CloudFormation console.
                """)
        }
    }

    /// Builds the error of a failed operation: the first cause, the other failures, the final state.
    private func failure(_ cfn: CloudFormationClient, name: String, stackId: String, operation: String,
                         result: StackMonitor.Result) async -> DeployError {
        var report = FailureReport(events: result.events, stackName: name, final: result.stack)
        if report.firstCause == nil, let resources = try? await cfn.listStackResources(stackId) {
            // no failed resource event seen (events trimmed, or a server with stack-level events only)
            report.addResourceFailures(resources) { $0.hasSuffix("_FAILED") }
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
            case "Add": sign = "+"
            case "Remove": sign = "-"
            case "Modify": sign = "~"
            default: sign = "*"
            }
            var line = "  \(sign) \(c.action.padding(toLength: 7, withPad: " ", startingAt: 0)) \(c.logicalResourceId) (\(c.resourceType))"
            switch c.replacement {
            case "True"?: line += " - replaces the resource"
            case "Conditional"?: line += " - may replace the resource"
            default: break
            }
            return line
        }
    }
}

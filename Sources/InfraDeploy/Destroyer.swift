import Foundation
import InfraAWS
import InfraContract
import InfraCore

/// `infra destroy`: deletes stacks in reverse dependency order after confirmation, waits for
/// each, and lists what was retained (DeletionPolicy Retain) or failed to delete.
public final class Destroyer: Sendable {
    public let context: DeployContext
    public let output: DeployOutput
    public let force: Bool

    public init(context: DeployContext, force: Bool, progress: ProgressStyle? = nil) {
        self.context = context
        self.force = force
        self.output = DeployOutput(console: context.console, style: progress)
    }

    public struct Retained: Sendable, Equatable {
        public var logicalId: String
        public var type: String
        public var physicalId: String?
        /// `Retain`, `RetainExceptOnCreate` or `Snapshot`.
        public var policy: String
    }

    public enum Outcome: Sendable, Equatable {
        case deleted(retained: [Retained])
        case notDeployed
    }

    public struct Summary: Sendable {
        public var results: [(stack: String, outcome: Outcome)] = []
        public var failures: [(stack: String, error: DeployError)] = []
        public var exitCode: Int32 {
            if failures.contains(where: { $0.error.kind == .interrupted }) { return 130 }
            return failures.isEmpty ? 0 : (failures.map(\.error.exitCode).max() ?? 1)
        }
    }

    /// Destroys `stacks` (given in dependency order; deleted in reverse). Asks first unless
    /// `force`; without a terminal to ask in, refuses unless `force`.
    public func destroy(_ stacks: [AssemblyStack]) async -> Summary {
        var summary = Summary()
        let ordered = Array(stacks.reversed())
        let list = ordered.map(\.stackName).joined(separator: ", ")
        if !force {
            guard context.console.isInteractive else {
                summary.failures.append(("", DeployError(.usage, "infra destroy deletes \(list) and needs a "
                    + "confirmation, but there is no terminal to ask in: pass --force to delete without asking")))
                output.error("error: \(summary.failures[0].error.message)")
                return summary
            }
        }
        let clients: AWSClients
        do {
            clients = try AWSClients(context: context, stackRegions: stacks.map(\.region))
        } catch {
            let e = error as? DeployError ?? DeployError(.other, error.deployMessage)
            output.error("error: \(e.message)")
            summary.failures.append(("", e))
            return summary
        }
        // h5: deletion protection refused and DeletionPolicy stated up front, before asking or deleting
        if let refusal = await DestroyPreflight.run(ordered, clients: clients, output: output) {
            output.error(ANSI.red("error: \(refusal.message)", output.console.isTerminal))
            summary.failures.append(("", refusal))
            return summary
        }
        if !force {
            guard output.confirm("Delete the stacks \(list) and their resources?") else {
                output.line("nothing deleted")
                return summary
            }
        }
        for stack in ordered {
            do {
                let outcome = try await destroyOne(stack, clients: clients)
                summary.results.append((stack.stackName, outcome))
            } catch {
                let e: DeployError
                switch error {
                case let d as DeployError: e = d
                case let a as AWSError: e = DeployError(.other, "\(stack.stackName): \(a)")
                case let a as AWSClientError: e = DeployError(.other, "\(stack.stackName): \(a)")
                case _ where error.isCancellation || Task.isCancelled:
                    e = DeployError(.interrupted, "\(stack.stackName): interrupted (Ctrl-C) before the deletion started")
                default: e = DeployError(.other, "\(stack.stackName): \(error.deployMessage)")
                }
                summary.failures.append((stack.stackName, e))
                output.error(e.kind == .interrupted ? e.message : ANSI.red(e.message, output.console.isTerminal))
                break  // the stacks it depends on stay
            }
        }
        return summary
    }

    private func destroyOne(_ stack: AssemblyStack, clients: AWSClients) async throws -> Outcome {
        let client = clients.client(for: stack.region)
        let cfn = CloudFormationClient(client: client)
        let name = stack.stackName
        try await clients.checkAccount(of: stack)
        guard var current = try await cfn.describeStack(name) else {
            output.line("\(name): not deployed in \(client.region); nothing to delete")
            return .notDeployed
        }
        if current.status.isInProgress {
            output.line("\(name): \(current.status) in progress; waiting for it to finish")
            let r = try await watch(cfn, current, operation: "waiting", marker: nil,
                                    since: (current.lastUpdatedTime ?? current.creationTime)?.addingTimeInterval(-1),
                                    previous: nil, expected: 0)
            guard let s = r.stack, s.status != .deleteComplete else {
                output.success("✅ \(name): deleted")
                return .deleted(retained: [])
            }
            current = s
        }
        if current.terminationProtection {
            throw DeployError(.stackFailed, "\(name) has termination protection: set \"terminationProtection\": false "
                + "in its config and deploy (or disable it in the console), then destroy it")
        }
        // What the template keeps, and the physical ids to name it by.
        var retained: [Retained] = []
        if let body = try? await cfn.getTemplate(stackName: current.stackId),
           let template = try? TemplateDocument.parse(body) {
            let resources = (try? await cfn.listStackResources(current.stackId)) ?? []
            for (id, r) in TemplateDocument.section(template, "Resources") {
                guard let policy = r["DeletionPolicy"]?.stringLiteral,
                      ["Retain", "RetainExceptOnCreate", "Snapshot"].contains(policy) else { continue }
                let live = resources.first { $0.logicalId == id }
                guard live != nil || resources.isEmpty else { continue }  // a condition left it out
                retained.append(Retained(logicalId: id, type: r["Type"]?.stringLiteral ?? "?",
                                         physicalId: live?.physicalId, policy: policy))
            }
        }
        let expected = (try? await cfn.listStackResources(current.stackId).count) ?? 0
        let marker = try await StackMonitor.newestEventId(cfn, stack: current.stackId)
        output.line("\(name): deleting (\(client.region))")
        // h3: a lost answer is resolved by looking (Resolve.swift), never by a blind second call
        try await Resolve.deleteStack(cfn, stackId: current.stackId, name: name, before: current.status, log: output.line)
        let result = try await watch(cfn, current, operation: "deleting", marker: marker, since: nil,
                                     previous: current.status, expected: expected)
        if let s = result.stack, s.status != .deleteComplete {
            var report = FailureReport(events: result.events, stackName: name, final: s)
            if report.firstCause == nil, let resources = try? await cfn.listStackResources(current.stackId) {
                report.addResourceFailures(resources) { $0 == .deleteFailed }
            }
            throw DeployError(.stackFailed, (["❌ \(name): the delete failed (\(s.status)); these resources were not deleted:"]
                + report.lines() + ["  fix the cause (or retain them) and run infra destroy again"]).joined(separator: "\n"))
        }
        output.success("✅ \(name): deleted")
        let kept = retained.filter { $0.policy != "Snapshot" }
        if !kept.isEmpty {
            output.line("  retained (DeletionPolicy Retain; they still exist and may cost money, delete them yourself "
                + "when no longer needed):")
            for r in kept { output.line("    \(r.logicalId) (\(r.type)) \(r.physicalId ?? "")") }
        }
        for r in retained where r.policy == "Snapshot" {
            output.line("  \(r.logicalId) (\(r.type)): deleted after a final snapshot (DeletionPolicy Snapshot)")
        }
        return .deleted(retained: retained)
    }

    private func watch(_ cfn: CloudFormationClient, _ stack: InfraAWS.Stack, operation: String, marker: String?,
                       since: Date?, previous: StackStatus?, expected: Int) async throws -> StackMonitor.Result {
        let monitor = StackMonitor(cfn: cfn, stackId: stack.stackId, stackName: stack.stackName,
                                   polling: context.polling, output: output)
        return try await monitor.watchShown(operation, expected: expected, after: marker, since: since,
                                            previous: previous) { name in
            """
            \(name): stopped watching (Ctrl-C). CloudFormation carries on \(operation) the stack. Run \
            `infra destroy \(name)` again to wait for it, or follow it in the CloudFormation console.
            """
        }
    }
}

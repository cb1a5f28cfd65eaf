import Foundation
import InfraAWS
import InfraCore

/// `infra diff`: each stack's deployed template (GetTemplate) against the assembly's.
public struct Differ: Sendable {
    public let context: DeployContext

    public init(context: DeployContext) {
        self.context = context
    }

    public struct StackDiff: Sendable {
        public var stackName: String
        public var region: String
        /// False when the stack is not deployed (everything is added).
        public var deployed: Bool
        public var diff: TemplateDiff
    }

    /// The differences of each stack, in order.
    public func diff(_ stacks: [AssemblyStack]) async throws -> [StackDiff] {
        let clients = try AWSClients(context: context, stackRegions: stacks.map(\.region))
        var out: [StackDiff] = []
        for stack in stacks {
            let client = clients.client(for: stack.region)
            let cfn = CloudFormationClient(client: client)
            let new = try stack.parsedTemplate()
            do {
                var old: Value?
                let deployed = try await cfn.describeStack(stack.stackName)
                if let deployed, deployed.status != .reviewInProgress {
                    let body = try await cfn.getTemplate(stackName: deployed.stackId)
                    do {
                        old = try TemplateDocument.parse(body)
                    } catch {
                        throw DeployError(.other, "\(stack.stackName): the deployed template cannot be read: "
                            + error.deployMessage)
                    }
                }
                out.append(StackDiff(stackName: stack.stackName, region: client.region, deployed: old != nil,
                                     diff: TemplateDiff.compare(old: old, new: new)))
            } catch let e as AWSError {
                throw DeployError(.other, "\(stack.stackName): \(e)")
            } catch let e as AWSClientError {
                throw DeployError(.other, "\(stack.stackName): \(e)")
            }
        }
        return out
    }

    /// The report of one stack: header, differences, security tables.
    public static func render(_ d: StackDiff, color: Bool) -> [String] {
        var lines = [ANSI.bold("Stack \(d.stackName)", color) + " (\(d.region))"
            + (d.deployed ? "" : " - not deployed: everything is added")]
        lines += d.diff.render(color: color).map { "  " + $0 }
        let security = d.diff.security.render(color: color)
        if !security.isEmpty {
            lines.append("  Security changes" + (d.diff.security.isBroadening ? " (they widen access: a deploy asks "
                + "for approval)" : ""))
            lines += security.map { "  " + $0 }
        }
        return lines
    }
}

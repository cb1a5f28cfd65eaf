import Foundation
import InfraAWS

/// What the deployer knows about a region's toolkit stack.
public struct ToolkitInfo: Sendable, Equatable {
    public var stackName: String
    public var region: String
    public var bucketName: String
    public var repositoryName: String
    public var version: Int
}

/// Looks toolkit stacks up once per region, and explains what to do when one is missing.
final class ToolkitLookup: @unchecked Sendable {
    let stackName: String
    private let clients: AWSClients
    private let lock = NSLock()
    private var tasks: [String: Task<ToolkitInfo?, Error>] = [:]

    init(stackName: String, clients: AWSClients) {
        self.stackName = stackName
        self.clients = clients
    }

    /// The toolkit of a region, or nil when it is not deployed.
    func info(region: String) async throws -> ToolkitInfo? {
        let task = lock.withLock { () -> Task<ToolkitInfo?, Error> in
            if let t = tasks[region] { return t }
            let client = clients.client(for: region)
            let name = stackName
            let t = Task { try await Self.read(stackName: name, client: client) }
            tasks[region] = t
            return t
        }
        return try await task.value
    }

    /// The toolkit of a region; an error saying what to run when it is missing or too old.
    /// `need` says why it is needed (for the message).
    func require(region: String, for stack: String, need: String) async throws -> ToolkitInfo {
        guard let info = try await info(region: region) else {
            throw DeployError(.notBootstrapped, """
                \(stack) needs the asset bucket (\(need)), but \(region) is not bootstrapped: \
                the toolkit stack \(stackName) does not exist there. Run `infra bootstrap --region \(region)` once \
                per account and region, then deploy again.
                """)
        }
        if info.version < Toolkit.minimumVersion {
            throw DeployError(.notBootstrapped, """
                the toolkit stack \(stackName) in \(region) is version \(info.version), too old for this infra \
                (it needs version \(Toolkit.minimumVersion) or later): run `infra bootstrap --region \(region)` \
                to upgrade it, then deploy again.
                """)
        }
        return info
    }

    static func read(stackName: String, client: AWSClient) async throws -> ToolkitInfo? {
        let cfn = CloudFormationClient(client: client)
        guard let stack = try await cfn.describeStack(stackName) else { return nil }
        var outputs = stack.outputValues
        if outputs[Toolkit.OutputKey.bucketName] == nil, stack.status.isSuccess {
            outputs.merge(try await outputsFromTemplate(cfn, stack), uniquingKeysWith: { a, _ in a })
        }
        guard stack.status.isSuccess || stack.status == .updateRollbackComplete,
              let bucket = outputs[Toolkit.OutputKey.bucketName] else {
            throw DeployError(.notBootstrapped, """
                the toolkit stack \(stackName) in \(client.region) is in state \(stack.status)\
                \(stack.statusReason.map { " (\($0))" } ?? "") and has no usable outputs: run \
                `infra bootstrap --region \(client.region)` again.
                """)
        }
        let version = outputs[Toolkit.OutputKey.version].flatMap { Int($0) } ?? 0
        return ToolkitInfo(stackName: stackName, region: client.region, bucketName: bucket,
                           repositoryName: outputs[Toolkit.OutputKey.repositoryName] ?? Toolkit.repositoryName,
                           version: version)
    }

    /// The outputs a server left out of DescribeStacks, computed from the deployed template
    /// (literal values, and `Ref`s through the resources' physical ids). moto omits the outputs
    /// of stacks created or updated through change sets; AWS always reports them.
    static func outputsFromTemplate(_ cfn: CloudFormationClient, _ stack: InfraAWS.Stack) async throws -> [String: String] {
        guard let template = try? TemplateDocument.parse(try await cfn.getTemplate(stackName: stack.stackId)) else {
            return [:]
        }
        let resources = try await cfn.listStackResources(stack.stackId)
        var out: [String: String] = [:]
        for (key, output) in TemplateDocument.section(template, "Outputs") {
            guard let value = output["Value"] else { continue }
            if let literal = value.stringLiteral {
                out[key] = literal
            } else if let ref = value["Ref"]?.stringLiteral,
                      let physical = resources.first(where: { $0.logicalId == ref })?.physicalId {
                out[key] = physical
            }
        }
        return out
    }
}

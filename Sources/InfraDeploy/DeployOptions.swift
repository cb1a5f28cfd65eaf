import Foundation

/// When a deploy asks before executing.
public enum ApprovalLevel: String, Sendable, CaseIterable {
    /// Never ask.
    case never
    /// Ask when IAM statements or security-group rules widen access (the default). Without a
    /// terminal to ask in, such a deploy fails instead.
    case broadening
    /// Ask before executing any change set with changes.
    case anyChange = "any-change"
}

/// A stack parameter from the command line: `STACK:KEY=VALUE`, or `KEY=VALUE` for every stack
/// that declares `KEY`.
public struct ParameterOverride: Sendable, Equatable {
    public var stack: String?
    public var key: String
    public var value: String

    public init(stack: String?, key: String, value: String) {
        self.stack = stack
        self.key = key
        self.value = value
    }

    public static func parse(_ text: String) throws -> ParameterOverride {
        guard let eq = text.firstIndex(of: "=") else {
            throw DeployError(.usage, "--parameters '\(text)' is not STACK:KEY=VALUE or KEY=VALUE")
        }
        let left = text[..<eq], value = String(text[text.index(after: eq)...])
        let parts = left.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let override = parts.count == 2 ? ParameterOverride(stack: parts[0], key: parts[1], value: value)
            : ParameterOverride(stack: nil, key: parts[0], value: value)
        if override.key.isEmpty || override.stack?.isEmpty == true {
            throw DeployError(.usage, "--parameters '\(text)' is not STACK:KEY=VALUE or KEY=VALUE")
        }
        return override
    }
}

/// Settings of `infra deploy`.
public struct DeployOptions: Sendable {
    public var parameters: [ParameterOverride]
    public var requireApproval: ApprovalLevel
    /// false: create the change set and stop (`--no-execute`).
    public var execute: Bool
    /// Stacks deployed at the same time (dependencies always first).
    public var concurrency: Int
    /// Where to write the outputs as JSON (`{stack: {key: value}}`), atomically.
    public var outputsFile: URL?
    /// Deploy even when the template, parameters and tags are unchanged.
    public var force: Bool
    public var toolkitStackName: String
    /// nil: `bar` on a terminal, `events` elsewhere.
    public var progress: ProgressStyle?
    /// Preflight only (`--dry-run`): check, report, change nothing.
    public var dryRun = false
    /// Adopt existing named resources without asking (`--import-existing`).
    public var importExisting = false

    public init(parameters: [ParameterOverride] = [], requireApproval: ApprovalLevel = .broadening,
                execute: Bool = true, concurrency: Int = 1, outputsFile: URL? = nil, force: Bool = false,
                toolkitStackName: String = Toolkit.defaultStackName, progress: ProgressStyle? = nil) {
        self.parameters = parameters
        self.requireApproval = requireApproval
        self.execute = execute
        self.concurrency = max(1, concurrency)
        self.outputsFile = outputsFile
        self.force = force
        self.toolkitStackName = toolkitStackName
        self.progress = progress
    }
}

/// What happened to one stack.
public enum StackOutcome: Sendable, Equatable {
    case created
    case updated
    /// Nothing to change (template, parameters and tags as deployed, or an empty change set).
    case unchanged
    /// `--no-execute`: the change set (its ARN) waits in CloudFormation.
    case changeSetCreated(String)
}

public struct StackResult: Sendable {
    public var stackName: String
    public var region: String
    public var stackId: String?
    public var outcome: StackOutcome
    public var outputs: [String: String]
}

/// The result of deploying several stacks.
public struct DeploySummary: Sendable {
    public var results: [StackResult] = []
    public var failures: [(stack: String, error: DeployError)] = []
    /// Stacks not attempted because an earlier one failed.
    public var skipped: [String] = []

    public var succeeded: Bool { failures.isEmpty && skipped.isEmpty }

    public var exitCode: Int32 {
        if failures.contains(where: { $0.error.kind == .interrupted }) { return 130 }
        return succeeded ? 0 : (failures.map(\.error.exitCode).max() ?? 1)
    }

    /// `{stack: {key: value}}` of the stacks that are deployed now.
    public var outputs: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for r in results {
            if case .changeSetCreated = r.outcome { continue }
            out[r.stackName] = r.outputs
        }
        return out
    }
}

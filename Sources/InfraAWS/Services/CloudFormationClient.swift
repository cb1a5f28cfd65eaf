import Foundation
import InfraContract

/// The CloudFormation calls the deployer needs (query protocol, API version 2010-05-15).
///
/// Mutating calls take a client request token, generated once per logical call and reused by
/// every retry of it, so a retried call never does the work twice.
public struct CloudFormationClient: Sendable {
    public let client: AWSClient
    private let service = AWSService.cloudFormation

    public init(client: AWSClient) {
        self.client = client
    }

    /// A fresh idempotency token (CloudFormation allows `[a-zA-Z0-9][-a-zA-Z0-9]*`, ≤ 128).
    public static func newClientToken() -> String {
        "infra-" + UUID().uuidString.lowercased()
    }

    // MARK: Change sets

    public struct CreateChangeSetResult: Sendable, Equatable {
        public var changeSetId: String
        public var stackId: String
    }

    public func createChangeSet(stackName: String, changeSetName: String, type: ChangeSetType = .update,
                                settings: StackSettings, description: String? = nil,
                                includeNestedStacks: Bool? = nil, importExistingResources: Bool? = nil,
                                clientToken: String = newClientToken()) async throws -> CreateChangeSetResult {
        var p = QueryParameters()
        p.set("StackName", stackName)
        settings.add(to: &p)
        p.set("ChangeSetName", changeSetName)
        p.set("ClientToken", clientToken)
        p.set("Description", description)
        p.set("ChangeSetType", type.rawValue)
        p.set("IncludeNestedStacks", includeNestedStacks)
        p.set("ImportExistingResources", importExistingResources)
        let result = try await call("CreateChangeSet", p)
        return CreateChangeSetResult(changeSetId: try result.required("Id", in: "CreateChangeSet"),
                                     stackId: result.string("StackId") ?? "")
    }

    /// DescribeChangeSet, following every page of changes.
    public func describeChangeSet(_ changeSetName: String, stackName: String? = nil) async throws -> ChangeSetDescription {
        var description: ChangeSetDescription?
        var nextToken: String?
        repeat {
            var p = QueryParameters()
            p.set("ChangeSetName", changeSetName)
            p.set("StackName", stackName)
            p.set("NextToken", nextToken)
            let r = try await call("DescribeChangeSet", p)
            let changes = r.members("Changes").compactMap(ResourceChange.init(xml:))
            if description == nil {
                description = ChangeSetDescription(
                    changeSetId: r.string("ChangeSetId") ?? changeSetName,
                    changeSetName: r.string("ChangeSetName") ?? changeSetName,
                    stackId: r.string("StackId") ?? "", stackName: r.string("StackName") ?? stackName ?? "",
                    description: r.string("Description"),
                    status: ChangeSetStatus(rawValue: r.string("Status") ?? ""),
                    statusReason: r.string("StatusReason"),
                    executionStatus: ChangeSetExecutionStatus(rawValue: r.string("ExecutionStatus") ?? ""),
                    creationTime: r.date("CreationTime"), parameters: r.stackParameters("Parameters"),
                    capabilities: r.strings("Capabilities").map(Capability.init(rawValue:)),
                    tags: r.tags("Tags"), changes: changes)
            } else {
                description!.changes += changes
            }
            nextToken = r.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while nextToken != nil
        return description!
    }

    /// Polls DescribeChangeSet until the change set is no longer being created.
    public func waitForChangeSet(_ changeSetName: String, stackName: String? = nil,
                                 pollInterval: TimeInterval = 2, timeout: TimeInterval = 1800) async throws
        -> ChangeSetDescription {
        let deadline = client.now.addingTimeInterval(timeout)
        while true {
            let described = try await describeChangeSet(changeSetName, stackName: stackName)
            if !described.status.isPending { return described }
            guard client.now < deadline else {
                throw AWSClientError.timedOut(
                    "change set \(changeSetName) still \(described.status) after \(Int(timeout)) s")
            }
            try await client.options.retry.sleep(pollInterval)
        }
    }

    public func executeChangeSet(_ changeSetName: String, stackName: String? = nil, disableRollback: Bool? = nil,
                                 clientRequestToken: String = newClientToken()) async throws {
        var p = QueryParameters()
        p.set("ChangeSetName", changeSetName)
        p.set("StackName", stackName)
        p.set("ClientRequestToken", clientRequestToken)
        p.set("DisableRollback", disableRollback)
        _ = try await call("ExecuteChangeSet", p)
    }

    public func deleteChangeSet(_ changeSetName: String, stackName: String? = nil) async throws {
        var p = QueryParameters()
        p.set("ChangeSetName", changeSetName)
        p.set("StackName", stackName)
        _ = try await call("DeleteChangeSet", p)
    }

    // MARK: Stacks

    /// CreateStack; returns the stack id.
    public func createStack(stackName: String, settings: StackSettings, onFailure: String? = nil,
                            disableRollback: Bool? = nil, timeoutInMinutes: Int? = nil,
                            enableTerminationProtection: Bool? = nil,
                            clientRequestToken: String = newClientToken()) async throws -> String {
        var p = QueryParameters()
        p.set("StackName", stackName)
        settings.add(to: &p)
        p.set("DisableRollback", disableRollback)
        p.set("TimeoutInMinutes", timeoutInMinutes)
        p.set("OnFailure", onFailure)
        p.set("ClientRequestToken", clientRequestToken)
        p.set("EnableTerminationProtection", enableTerminationProtection)
        return try await call("CreateStack", p).required("StackId", in: "CreateStack")
    }

    /// UpdateStack; returns the stack id. "No updates are to be performed" is a `ValidationError`.
    public func updateStack(stackName: String, settings: StackSettings, disableRollback: Bool? = nil,
                            clientRequestToken: String = newClientToken()) async throws -> String {
        var p = QueryParameters()
        p.set("StackName", stackName)
        settings.add(to: &p)
        p.set("DisableRollback", disableRollback)
        p.set("ClientRequestToken", clientRequestToken)
        return try await call("UpdateStack", p).required("StackId", in: "UpdateStack")
    }

    /// DescribeStacks (all pages); without a name, every live stack.
    public func describeStacks(stackName: String? = nil) async throws -> [Stack] {
        try await paged("DescribeStacks", { $0.set("StackName", stackName) }) { r in
            try r.members("Stacks").map(Stack.init(xml:))
        }
    }

    /// One stack, or nil when CloudFormation says it does not exist.
    public func describeStack(_ stackName: String) async throws -> Stack? {
        do {
            return try await describeStacks(stackName: stackName).first
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return nil
        }
    }

    public struct StackEventsPage: Sendable {
        public var events: [StackEvent]
        public var nextToken: String?
    }

    /// One page of events, newest first.
    public func describeStackEvents(stackName: String, nextToken: String? = nil) async throws -> StackEventsPage {
        var p = QueryParameters()
        p.set("StackName", stackName)
        p.set("NextToken", nextToken)
        let r = try await call("DescribeStackEvents", p)
        return StackEventsPage(events: try r.members("StackEvents").map(StackEvent.init(xml:)),
                               nextToken: r.string("NextToken").flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Events newest first, following pages until `stop` returns true for an event (that event
    /// and older ones are not returned) or the pages run out. A monitor passes the id of the
    /// last event it has already shown.
    public func stackEvents(stackName: String, stopAt stop: (StackEvent) -> Bool = { _ in false },
                            maxPages: Int = .max) async throws -> [StackEvent] {
        var events: [StackEvent] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await describeStackEvents(stackName: stackName, nextToken: token)
            pages += 1
            for event in page.events {
                if stop(event) { return events }
                events.append(event)
            }
            token = page.nextToken
        } while token != nil && pages < maxPages
        return events
    }

    /// DescribeStackResources (at most 100 resources, as the API returns).
    public func describeStackResources(stackName: String) async throws -> [StackResource] {
        var p = QueryParameters()
        p.set("StackName", stackName)
        return try await call("DescribeStackResources", p).members("StackResources").map(StackResource.init(xml:))
    }

    /// The template body of a stack (stage `Original` or `Processed`), or of a change set.
    public func getTemplate(stackName: String, changeSetName: String? = nil, stage: String? = nil) async throws -> String {
        var p = QueryParameters()
        p.set("StackName", stackName)
        p.set("ChangeSetName", changeSetName)
        p.set("TemplateStage", stage)
        return try await call("GetTemplate", p).required("TemplateBody", in: "GetTemplate")
    }

    public func deleteStack(stackName: String, retainResources: [String]? = nil, roleARN: String? = nil,
                            clientRequestToken: String = newClientToken()) async throws {
        var p = QueryParameters()
        p.set("StackName", stackName)
        p.list("RetainResources", retainResources)
        p.set("RoleARN", roleARN)
        p.set("ClientRequestToken", clientRequestToken)
        _ = try await call("DeleteStack", p)
    }

    public func updateTerminationProtection(stackName: String, enabled: Bool) async throws {
        var p = QueryParameters()
        p.set("EnableTerminationProtection", enabled)
        p.set("StackName", stackName)
        _ = try await call("UpdateTerminationProtection", p)
    }

    /// ListStacks (all pages), optionally filtered by status.
    public func listStacks(statusFilter: [StackStatus] = []) async throws -> [StackSummary] {
        try await paged("ListStacks", { $0.list("StackStatusFilter", statusFilter.map(\.rawValue)) }) { r in
            try r.members("StackSummaries").map(StackSummary.init(xml:))
        }
    }

    /// Polls DescribeStacks until no operation is in progress; nil once the stack is gone.
    public func waitForStack(_ stackName: String, pollInterval: TimeInterval = 5, timeout: TimeInterval = 3 * 3600,
                             onPoll: (Stack) async throws -> Void = { _ in }) async throws -> Stack? {
        let deadline = client.now.addingTimeInterval(timeout)
        while true {
            guard let stack = try await describeStack(stackName) else { return nil }
            try await onPoll(stack)
            if !stack.status.isInProgress { return stack }
            guard client.now < deadline else {
                throw AWSClientError.timedOut("stack \(stackName) still \(stack.status) after \(Int(timeout)) s")
            }
            try await client.options.retry.sleep(pollInterval)
        }
    }

    // MARK: Plumbing

    private func call(_ action: String, _ p: QueryParameters) async throws -> XMLTree {
        try await client.query(service, action, p, idempotency: Self.idempotency(of: action))
    }

    /// CloudFormation's read-only actions (Describe*, Get*, List*, ValidateTemplate) are `.safe`:
    /// retried on any transient failure, with the read budget. Everything else is a `.mutation`.
    public static func idempotency(of action: String) -> Idempotency {
        action.hasPrefix("Describe") || action.hasPrefix("Get") || action.hasPrefix("List")
            || action == "ValidateTemplate" ? .safe : .mutation
    }

    private func paged<T>(_ action: String, _ build: (inout QueryParameters) -> Void,
                          _ items: (XMLTree) throws -> [T]) async throws -> [T] {
        try await collectPages { token in
            var p = QueryParameters()
            build(&p)
            p.set("NextToken", token)
            let r = try await call(action, p)
            return (try items(r), r.string("NextToken"))
        }
    }
}

// h3 (additive): the deployer rebuilds this from DescribeChangeSet when CreateChangeSet's answer was lost.
extension CloudFormationClient.CreateChangeSetResult {
    public static func existing(changeSetId: String, stackId: String) -> Self {
        Self(changeSetId: changeSetId, stackId: stackId)
    }
}

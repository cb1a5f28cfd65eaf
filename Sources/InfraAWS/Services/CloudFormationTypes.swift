import Foundation
import InfraContract

// MARK: Open string values (the statuses are InfraContract's enums)

public struct ChangeSetType: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let create: ChangeSetType = "CREATE"
    public static let update: ChangeSetType = "UPDATE"
    public static let `import`: ChangeSetType = "IMPORT"
}

public struct Capability: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let iam: Capability = "CAPABILITY_IAM"
    public static let namedIAM: Capability = "CAPABILITY_NAMED_IAM"
    public static let autoExpand: Capability = "CAPABILITY_AUTO_EXPAND"
}

// MARK: Inputs

/// Where a template comes from: inline (up to 51,200 bytes) or an S3 URL (up to 1 MB).
public enum TemplateSource: Sendable, Equatable {
    case body(String)
    case url(String)
    case usePrevious

    func add(to p: inout QueryParameters) {
        switch self {
        case .body(let body): p.set("TemplateBody", body)
        case .url(let url): p.set("TemplateURL", url)
        case .usePrevious: p.set("UsePreviousTemplate", true)
        }
    }
}

public struct StackParameter: Sendable, Equatable {
    public var key: String
    public var value: String?
    public var usePreviousValue: Bool
    /// Set by DescribeStacks for SSM parameter types.
    public var resolvedValue: String?

    public init(key: String, value: String?, usePreviousValue: Bool = false) {
        self.key = key
        self.value = value
        self.usePreviousValue = usePreviousValue
    }

    /// Keep the value the stack has now.
    public static func usePrevious(_ key: String) -> StackParameter {
        StackParameter(key: key, value: nil, usePreviousValue: true)
    }
}

public struct Tag: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Settings shared by CreateStack, UpdateStack and CreateChangeSet.
public struct StackSettings: Sendable {
    public var template: TemplateSource
    public var parameters: [StackParameter]
    public var tags: [Tag]?
    public var capabilities: [Capability]
    public var roleARN: String?
    public var notificationARNs: [String]?

    public init(template: TemplateSource, parameters: [StackParameter] = [], tags: [Tag]? = nil,
                capabilities: [Capability] = [], roleARN: String? = nil, notificationARNs: [String]? = nil) {
        self.template = template
        self.parameters = parameters
        self.tags = tags
        self.capabilities = capabilities
        self.roleARN = roleARN
        self.notificationARNs = notificationARNs
    }

    func add(to p: inout QueryParameters) {
        template.add(to: &p)
        p.structures("Parameters", parameters) { param in
            [("ParameterKey", param.key), ("ParameterValue", param.usePreviousValue ? nil : param.value),
             ("UsePreviousValue", param.usePreviousValue ? "true" : nil)]
        }
        p.list("Capabilities", capabilities.map(\.rawValue))
        p.set("RoleARN", roleARN)
        p.list("NotificationARNs", notificationARNs, sendEmpty: true)
        // An empty Tags list on update means "remove all tags"; nil keeps the current ones.
        if let tags {
            if tags.isEmpty { p.set("Tags", "") }
            p.structures("Tags", tags) { [("Key", $0.key), ("Value", $0.value)] }
        }
    }
}

// MARK: Outputs

public struct StackOutput: Sendable, Equatable {
    public var key: String
    public var value: String
    public var description: String?
    public var exportName: String?
}

public struct Stack: Sendable, Equatable {
    public var stackId: String
    public var stackName: String
    public var status: StackStatus
    public var statusReason: String?
    public var description: String?
    public var creationTime: Date?
    public var lastUpdatedTime: Date?
    public var deletionTime: Date?
    public var parameters: [StackParameter]
    public var outputs: [StackOutput]
    public var tags: [Tag]
    public var capabilities: [Capability]
    public var terminationProtection: Bool
    public var roleARN: String?
    public var changeSetId: String?
    public var parentId: String?
    public var rootId: String?
    public var disableRollback: Bool

    /// Outputs as a dictionary key → value.
    public var outputValues: [String: String] {
        Dictionary(outputs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}

public struct StackEvent: Sendable, Equatable {
    public var eventId: String
    public var stackId: String
    public var stackName: String
    public var logicalResourceId: String?
    public var physicalResourceId: String?
    public var resourceType: String?
    public var timestamp: Date?
    public var resourceStatus: ResourceStatus?
    public var resourceStatusReason: String?
    public var clientRequestToken: String?
}

public struct StackResource: Sendable, Equatable {
    public var logicalResourceId: String
    public var physicalResourceId: String?
    public var resourceType: String
    public var resourceStatus: ResourceStatus
    public var resourceStatusReason: String?
    public var timestamp: Date?
}

public struct StackSummary: Sendable, Equatable {
    public var stackId: String
    public var stackName: String
    public var status: StackStatus
    public var statusReason: String?
    public var creationTime: Date?
    public var lastUpdatedTime: Date?
    public var deletionTime: Date?
    public var templateDescription: String?
}

public struct ResourceChangeDetail: Sendable, Equatable {
    /// `Properties`, `Metadata`, `CreationPolicy`, `UpdatePolicy`, `DeletionPolicy`, `Tags`, ...
    public var targetAttribute: String?
    /// The property name when the attribute is `Properties`.
    public var targetName: String?
    /// `Never`, `Conditionally`, `Always`.
    public var requiresRecreation: String?
    /// `Static` or `Dynamic`.
    public var evaluation: String?
    public var changeSource: String?
    public var causingEntity: String?
}

public struct ResourceChange: Sendable, Equatable {
    public var action: ChangeAction
    public var logicalResourceId: String
    public var physicalResourceId: String?
    public var resourceType: String
    /// Modify only.
    public var replacement: ChangeReplacement?
    public var scope: [String]
    public var details: [ResourceChangeDetail]
}

public struct ChangeSetDescription: Sendable, Equatable {
    public var changeSetId: String
    public var changeSetName: String
    public var stackId: String
    public var stackName: String
    public var description: String?
    public var status: ChangeSetStatus
    public var statusReason: String?
    public var executionStatus: ChangeSetExecutionStatus
    public var creationTime: Date?
    public var parameters: [StackParameter]
    public var capabilities: [Capability]
    public var tags: [Tag]
    /// Every change, from all pages.
    public var changes: [ResourceChange]

    /// CloudFormation's "nothing to change" outcome (a FAILED change set with that reason).
    public var hasNoChanges: Bool {
        guard status == .failed, let reason = statusReason?.lowercased() else { return false }
        return reason.contains("didn't contain changes") || reason.contains("no updates are to be performed")
            || reason.contains("submitted information didn't contain changes")
    }
}

// MARK: XML decoding

extension XMLTree {
    func stackParameters(_ path: String) -> [StackParameter] {
        members(path).map { m in
            var p = StackParameter(key: m.string("ParameterKey") ?? "", value: m.string("ParameterValue") ?? "")
            p.usePreviousValue = m.bool("UsePreviousValue") ?? false
            p.resolvedValue = m.string("ResolvedValue")
            return p
        }
    }

    func tags(_ path: String) -> [Tag] {
        members(path).map { Tag(key: $0.string("Key") ?? "", value: $0.string("Value") ?? "") }
    }

    func strings(_ path: String) -> [String] {
        members(path).map(\.text)
    }

}

extension XMLTree {
    /// The text at `path`, or a malformed-response error naming the operation.
    func required(_ path: String, in operation: String, service: String = "CloudFormation") throws -> String {
        guard let value = string(path) else {
            throw AWSClientError.malformedResponse(service: service, operation: operation,
                                                   detail: "<\(name)> has no <\(path)>")
        }
        return value
    }
}

extension Stack {
    init(xml m: XMLTree) throws {
        stackId = try m.required("StackId", in: "DescribeStacks")
        stackName = try m.required("StackName", in: "DescribeStacks")
        status = StackStatus(rawValue: try m.required("StackStatus", in: "DescribeStacks"))
        statusReason = m.string("StackStatusReason")
        description = m.string("Description")
        creationTime = m.date("CreationTime")
        lastUpdatedTime = m.date("LastUpdatedTime")
        deletionTime = m.date("DeletionTime")
        parameters = m.stackParameters("Parameters")
        outputs = m.members("Outputs").map {
            StackOutput(key: $0.string("OutputKey") ?? "", value: $0.string("OutputValue") ?? "",
                        description: $0.string("Description"), exportName: $0.string("ExportName"))
        }
        tags = m.tags("Tags")
        capabilities = m.strings("Capabilities").map(Capability.init(rawValue:))
        terminationProtection = m.bool("EnableTerminationProtection") ?? false
        roleARN = m.string("RoleARN")
        changeSetId = m.string("ChangeSetId")
        parentId = m.string("ParentId")
        rootId = m.string("RootId")
        disableRollback = m.bool("DisableRollback") ?? false
    }
}

extension StackEvent {
    init(xml m: XMLTree) throws {
        eventId = try m.required("EventId", in: "DescribeStackEvents")
        stackId = m.string("StackId") ?? ""
        stackName = m.string("StackName") ?? ""
        logicalResourceId = m.string("LogicalResourceId")
        physicalResourceId = m.string("PhysicalResourceId")
        resourceType = m.string("ResourceType")
        timestamp = m.date("Timestamp")
        resourceStatus = m.string("ResourceStatus").map(ResourceStatus.init(rawValue:))
        resourceStatusReason = m.string("ResourceStatusReason")
        clientRequestToken = m.string("ClientRequestToken")
    }
}

extension StackResource {
    init(xml m: XMLTree) throws {
        logicalResourceId = try m.required("LogicalResourceId", in: "DescribeStackResources")
        physicalResourceId = m.string("PhysicalResourceId")
        resourceType = m.string("ResourceType") ?? ""
        resourceStatus = ResourceStatus(rawValue: m.string("ResourceStatus") ?? "")
        resourceStatusReason = m.string("ResourceStatusReason")
        timestamp = m.date("Timestamp")
    }
}

extension StackSummary {
    init(xml m: XMLTree) throws {
        stackId = try m.required("StackId", in: "ListStacks")
        stackName = try m.required("StackName", in: "ListStacks")
        status = StackStatus(rawValue: try m.required("StackStatus", in: "ListStacks"))
        statusReason = m.string("StackStatusReason")
        creationTime = m.date("CreationTime")
        lastUpdatedTime = m.date("LastUpdatedTime")
        deletionTime = m.date("DeletionTime")
        templateDescription = m.string("TemplateDescription")
    }
}

extension ResourceChange {
    init?(xml change: XMLTree) {
        guard let rc = change.child("ResourceChange") else { return nil }
        action = ChangeAction(rawValue: rc.string("Action") ?? "")
        logicalResourceId = rc.string("LogicalResourceId") ?? ""
        physicalResourceId = rc.string("PhysicalResourceId")
        resourceType = rc.string("ResourceType") ?? ""
        replacement = rc.string("Replacement").map(ChangeReplacement.init(rawValue:))
        scope = rc.strings("Scope")
        details = rc.members("Details").map { d in
            ResourceChangeDetail(targetAttribute: d.string("Target/Attribute"), targetName: d.string("Target/Name"),
                                 requiresRecreation: d.string("Target/RequiresRecreation"),
                                 evaluation: d.string("Evaluation"), changeSource: d.string("ChangeSource"),
                                 causingEntity: d.string("CausingEntity"))
        }
    }
}

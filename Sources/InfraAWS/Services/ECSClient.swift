import Foundation

/// ECS: the calls `infra deploy --hotswap` needs (a new task definition revision from a deployed
/// one, a service moved to it, the service's deployments until it has rolled out).
///
/// Task definitions are kept as JSON objects (`[String: JSONValue]`): a new revision is registered
/// from the deployed one with a few container fields changed, and every other field (dozens,
/// growing) must pass through untouched.
public struct ECSClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct Deployment: Sendable, Decodable, Equatable {
        public var id: String?
        /// PRIMARY (the most recent), ACTIVE (being replaced), INACTIVE.
        public var status: String?
        public var taskDefinition: String?
        public var desiredCount: Int?
        public var runningCount: Int?
        public var pendingCount: Int?
        public var failedTasks: Int?
        /// IN_PROGRESS, COMPLETED, FAILED.
        public var rolloutState: String?
        public var rolloutStateReason: String?
    }

    public struct Service: Sendable, Decodable, Equatable {
        public var serviceArn: String?
        public var serviceName: String?
        public var clusterArn: String?
        public var status: String?
        public var taskDefinition: String?
        public var desiredCount: Int?
        public var runningCount: Int?
        public var deployments: [Deployment]?
    }

    /// DescribeTaskDefinition: the task definition as a JSON object, and its tags.
    public func describeTaskDefinition(_ arnOrFamily: String) async throws -> (definition: [String: JSONValue], tags: [JSONValue]) {
        struct Input: Encodable { var taskDefinition: String; var include: [String] }
        struct Output: Decodable { var taskDefinition: [String: JSONValue]?; var tags: [JSONValue]? }
        let out: Output = try await client.json(.ecs, "DescribeTaskDefinition",
                                                Input(taskDefinition: arnOrFamily, include: ["TAGS"]), idempotency: .safe)
        guard let definition = out.taskDefinition else {
            throw AWSClientError.malformedResponse(service: "ECS", operation: "DescribeTaskDefinition",
                                                   detail: "no taskDefinition")
        }
        return (definition, out.tags ?? [])
    }

    /// The fields of a described task definition that RegisterTaskDefinition takes.
    public static let registerFields = [
        "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
        "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
        "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
        "enableFaultInjection",
    ]

    /// RegisterTaskDefinition from a JSON object (a described one, changed); returns the new ARN.
    public func registerTaskDefinition(_ definition: [String: JSONValue], tags: [JSONValue] = []) async throws -> String {
        var input = definition.filter { Self.registerFields.contains($0.key) }
        if !tags.isEmpty { input["tags"] = .array(tags) }
        struct Output: Decodable { var taskDefinition: [String: JSONValue]? }
        let out: Output = try await client.json(.ecs, "RegisterTaskDefinition", input)
        guard case .string(let arn)? = out.taskDefinition?["taskDefinitionArn"] else {
            throw AWSClientError.malformedResponse(service: "ECS", operation: "RegisterTaskDefinition",
                                                   detail: "no taskDefinition.taskDefinitionArn")
        }
        return arn
    }

    /// UpdateService: to a task definition (a new deployment) and/or a desired count.
    @discardableResult
    public func updateService(cluster: String, service: String, taskDefinition: String? = nil,
                              desiredCount: Int? = nil, forceNewDeployment: Bool = false) async throws -> Service {
        struct Input: Encodable {
            var cluster: String
            var service: String
            var taskDefinition: String?
            var desiredCount: Int?
            var forceNewDeployment: Bool?
        }
        struct Output: Decodable { var service: Service? }
        let out: Output = try await client.json(.ecs, "UpdateService", Input(
            cluster: cluster, service: service, taskDefinition: taskDefinition, desiredCount: desiredCount,
            forceNewDeployment: forceNewDeployment ? true : nil))
        guard let s = out.service else {
            throw AWSClientError.malformedResponse(service: "ECS", operation: "UpdateService", detail: "no service")
        }
        return s
    }

    /// DescribeServices of one cluster (a missing service is absent from the answer).
    public func describeServices(cluster: String, services: [String]) async throws -> [Service] {
        struct Input: Encodable { var cluster: String; var services: [String] }
        struct Output: Decodable { var services: [Service]? }
        let out: Output = try await client.json(.ecs, "DescribeServices", Input(cluster: cluster, services: services),
                                                idempotency: .safe)
        return out.services ?? []
    }
}

/// Any JSON value, decoded and encoded as it is (ECS task definitions pass through infra).
public enum JSONValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

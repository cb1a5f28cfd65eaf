import Foundation

extension AWSService {
    /// CloudWatch Logs (JSON 1.1, target `Logs_20140328`).
    public static let cloudWatchLogs = AWSService(
        name: "CloudWatchLogs", signingName: "logs", hostPrefix: "logs", environmentKey: "CLOUDWATCH_LOGS",
        configKey: "cloudwatch_logs", isGlobal: false, protocol: .json(version: "1.1", targetPrefix: "Logs_20140328"))

    /// DynamoDB (JSON 1.0, target `DynamoDB_20120810`).
    public static let dynamoDB = AWSService(
        name: "DynamoDB", signingName: "dynamodb", hostPrefix: "dynamodb", environmentKey: "DYNAMODB",
        configKey: "dynamodb", isGlobal: false, protocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
}

/// The read calls preflight needs to find named log groups and tables that exist outside a stack
/// (kept by an earlier destroy).
public struct NamedResourceLookup: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// Whether a log group with exactly this name exists (DescribeLogGroups by prefix, all pages).
    public func logGroupExists(_ name: String) async throws -> Bool {
        struct Input: Encodable { var logGroupNamePrefix: String; var nextToken: String? }
        struct Group: Decodable { var logGroupName: String? }
        struct Output: Decodable { var logGroups: [Group]?; var nextToken: String? }
        let groups: [Group] = try await collectPages { token in
            let out: Output = try await client.json(.cloudWatchLogs, "DescribeLogGroups",
                                                    Input(logGroupNamePrefix: name, nextToken: token), idempotency: .safe)
            return (out.logGroups ?? [], out.nextToken)
        }
        return groups.contains { $0.logGroupName == name }
    }

    /// Whether a DynamoDB table with this name exists (DescribeTable; ResourceNotFoundException: no).
    public func tableExists(_ name: String) async throws -> Bool {
        struct Input: Encodable {
            var tableName: String
            enum CodingKeys: String, CodingKey { case tableName = "TableName" }
        }
        struct Output: Decodable {}
        do {
            let _: Output = try await client.json(.dynamoDB, "DescribeTable", Input(tableName: name), idempotency: .safe)
            return true
        } catch let e as AWSError where e.code == "ResourceNotFoundException" {
            return false
        }
    }
}

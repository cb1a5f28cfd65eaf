import Foundation

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
        let found: Output? = try await unlessMissing("ResourceNotFoundException") {
            try await client.json(.dynamoDB, "DescribeTable", Input(tableName: name), idempotency: .safe)
        }
        return found != nil
    }
}

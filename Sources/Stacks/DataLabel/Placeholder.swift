import InfraDSL

/// Placeholder until the real stack lands.
public enum DataLabelStack {
    public static let definitionName = "data-label"
    public static let summary = "scraper on ECS/EC2, DynamoDB de-dup, SQS -> Lambda -> SNS fan-out, S3, SPA site, API Gateway"
    /// Placeholder settings.
    public enum Settings { public static let keys: [String] = [] }

    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        throw ConfigError(file: config.file, key: "app", "the data-label stack is not built yet")
    }
}

import InfraDSL

/// Placeholder until the real stack lands.
public enum MLInferenceStack {
    public static let definitionName = "ml-inference"
    public static let summary = "Cognito, DynamoDB, image Lambda inference behind a REST API with a Cognito authorizer, hosted frontend"
    /// Placeholder settings.
    public enum Settings { public static let keys: [String] = [] }

    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        throw ConfigError(file: config.file, key: "app", "the ml-inference stack is not built yet")
    }
}

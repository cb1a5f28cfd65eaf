import InfraDSL

/// Placeholder until the real stack lands.
public enum Sign2TextStack {
    public static let definitionName = "sign2text"
    public static let summary = "FastAPI model container on Fargate behind an HTTPS ALB with a Route 53 alias"
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        throw ConfigError(file: config.file, key: "app", "the sign2text stack is not built yet")
    }
}

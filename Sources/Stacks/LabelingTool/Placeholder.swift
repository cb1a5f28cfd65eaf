import InfraDSL

/// Placeholder until the real stack lands.
public enum LabelingToolStack {
    public static let definitionName = "labeling-tool"
    public static let summary = "Doccano labeling tool on Fargate behind an ALB, Aurora PostgreSQL, DB initializer"
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        throw ConfigError(file: config.file, key: "app", "the labeling-tool stack is not built yet")
    }
}

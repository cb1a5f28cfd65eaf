import InfraDSL

/// Placeholder until the real stack lands.
public enum CoralPipelineStack {
    public static let definitionName = "coral-pipeline"
    public static let summary = "seven buckets, four ECR repositories, three image Lambdas, Streamlit on Fargate, Aurora MySQL"
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        throw ConfigError(file: config.file, key: "app", "the coral-pipeline stack is not built yet")
    }
}

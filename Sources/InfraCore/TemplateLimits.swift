/// CloudFormation's limits that synthesis enforces.
public enum TemplateLimits {
    public static let maxResources = 500
    public static let maxParameters = 200
    public static let maxOutputs = 200
    public static let maxMappings = 200
    /// Largest template CloudFormation accepts (through S3).
    public static let maxTemplateBytes = 1_048_576
    /// Largest template CloudFormation accepts inline (`TemplateBody`); bigger ones go through S3.
    public static let maxInlineTemplateBytes = 51_200
}

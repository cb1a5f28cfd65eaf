/// A stack output, optionally exported for other stacks under `exportName`.
public final class Output: TemplateElement {
    public var value: StringValue
    public var description: String?
    public var exportName: StringValue?
    public var condition: Condition?

    public init(
        _ scope: Construct, _ id: String, value: StringValue, description: String? = nil,
        exportName: StringValue? = nil, condition: Condition? = nil
    ) {
        self.value = value
        self.description = description
        self.exportName = exportName
        self.condition = condition
        super.init(scope, id)
    }
}

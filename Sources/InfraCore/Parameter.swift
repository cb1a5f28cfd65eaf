/// A template parameter. `ref` (or `stringValue`, `numberValue`, `listValue`) is its value.
public final class Parameter: TemplateElement, Referenceable {
    public var type: ParameterType
    public var defaultValue: Value?
    public var description: String?
    public var allowedValues: [Value]?
    public var allowedPattern: String?
    public var constraintDescription: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: Double?
    public var maxValue: Double?
    /// Masks the value in the console and API answers (passwords, tokens).
    public var noEcho: Bool = false

    public init(
        _ scope: Construct, _ id: String, type: ParameterType = .string, default defaultValue: Value? = nil,
        description: String? = nil, allowedValues: [Value]? = nil, noEcho: Bool = false
    ) {
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.allowedValues = allowedValues
        self.noEcho = noEcho
        super.init(scope, id)
    }

    public var stringValue: StringValue { StringValue(token: .ref(self)) }
    public var numberValue: NumberValue { NumberValue(token: .ref(self)) }
    public var listValue: ListValue<StringValue> { ListValue(token: .ref(self)) }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !type.isKnown { errors.append("unknown parameter type '\(type.rawValue)'") }
        if let d = defaultValue, let allowed = allowedValues, d.isLiteral, !allowed.contains(d) {
            errors.append("default value is not one of the allowed values")
        }
        if !LogicalID.isValid(logicalId) { errors.append("'\(logicalId)' is not a valid parameter name") }
        return errors
    }

    func render() -> Value {
        var p: [(String, Value)] = [("Type", .string(type.rawValue))]
        if let v = defaultValue { p.append(("Default", v)) }
        if let v = description { p.append(("Description", .string(v))) }
        if let v = allowedValues { p.append(("AllowedValues", .array(v))) }
        if let v = allowedPattern { p.append(("AllowedPattern", .string(v))) }
        if let v = constraintDescription { p.append(("ConstraintDescription", .string(v))) }
        if let v = minLength { p.append(("MinLength", .int(v))) }
        if let v = maxLength { p.append(("MaxLength", .int(v))) }
        if let v = minValue { p.append(("MinValue", Self.number(v))) }
        if let v = maxValue { p.append(("MaxValue", Self.number(v))) }
        if noEcho { p.append(("NoEcho", .bool(true))) }
        return .object(p)
    }

    static func number(_ d: Double) -> Value {
        d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
    }
}

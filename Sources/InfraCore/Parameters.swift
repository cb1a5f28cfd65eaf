/// A CloudFormation parameter type: the basic ones, the AWS-specific ones and the SSM ones.
/// Open, so any type CloudFormation adds can be named with `ParameterType("...")`.
public struct ParameterType: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let string: Self = "String"
    public static let number: Self = "Number"
    public static let numberList: Self = "List<Number>"
    public static let commaDelimitedList: Self = "CommaDelimitedList"

    public static let availabilityZoneName: Self = "AWS::EC2::AvailabilityZone::Name"
    public static let imageId: Self = "AWS::EC2::Image::Id"
    public static let instanceId: Self = "AWS::EC2::Instance::Id"
    public static let keyPairName: Self = "AWS::EC2::KeyPair::KeyName"
    public static let securityGroupName: Self = "AWS::EC2::SecurityGroup::GroupName"
    public static let securityGroupId: Self = "AWS::EC2::SecurityGroup::Id"
    public static let subnetId: Self = "AWS::EC2::Subnet::Id"
    public static let volumeId: Self = "AWS::EC2::Volume::Id"
    public static let vpcId: Self = "AWS::EC2::VPC::Id"
    public static let hostedZoneId: Self = "AWS::Route53::HostedZone::Id"
    public static let availabilityZoneNameList: Self = "List<AWS::EC2::AvailabilityZone::Name>"
    public static let imageIdList: Self = "List<AWS::EC2::Image::Id>"
    public static let instanceIdList: Self = "List<AWS::EC2::Instance::Id>"
    public static let securityGroupNameList: Self = "List<AWS::EC2::SecurityGroup::GroupName>"
    public static let securityGroupIdList: Self = "List<AWS::EC2::SecurityGroup::Id>"
    public static let subnetIdList: Self = "List<AWS::EC2::Subnet::Id>"
    public static let volumeIdList: Self = "List<AWS::EC2::Volume::Id>"
    public static let vpcIdList: Self = "List<AWS::EC2::VPC::Id>"
    public static let hostedZoneIdList: Self = "List<AWS::Route53::HostedZone::Id>"

    public static let ssmParameterName: Self = "AWS::SSM::Parameter::Name"
    public static let ssmString: Self = "AWS::SSM::Parameter::Value<String>"
    public static let ssmStringList: Self = "AWS::SSM::Parameter::Value<List<String>>"
    public static let ssmCommaDelimitedList: Self = "AWS::SSM::Parameter::Value<CommaDelimitedList>"
    /// `AWS::SSM::Parameter::Value<AWS-specific type>`, e.g. `.ssmValue(.imageId)`.
    public static func ssmValue(_ type: ParameterType) -> Self { Self("AWS::SSM::Parameter::Value<" + type.rawValue + ">") }

    /// True for the types whose value is a list.
    public var isList: Bool {
        rawValue.hasPrefix("List<") || rawValue == "CommaDelimitedList"
            || rawValue.hasPrefix("AWS::SSM::Parameter::Value<List<")
            || rawValue == "AWS::SSM::Parameter::Value<CommaDelimitedList>"
    }

    static let knownPrefixes = ["AWS::EC2::", "AWS::Route53::", "List<AWS::EC2::", "List<AWS::Route53::", "AWS::SSM::Parameter::"]
    var isKnown: Bool {
        [Self.string, .number, .numberList, .commaDelimitedList].contains(self)
            || Self.knownPrefixes.contains(where: rawValue.hasPrefix)
    }
}

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

/// A template condition; use it in `Fn.if`, or as a resource's or output's `condition`.
public final class Condition: TemplateElement {
    public var expression: ConditionExpression

    public init(_ scope: Construct, _ id: String, _ expression: ConditionExpression) {
        self.expression = expression
        super.init(scope, id)
    }

    /// The condition as an expression, to combine with `Fn.and` / `Fn.or` / `Fn.not`.
    public var asExpression: ConditionExpression { ConditionExpression(token: .intrinsic("Condition", .condition(self))) }
}

/// A boolean expression of a condition (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, or a
/// reference to another condition).
public struct ConditionExpression: TokenBacked {
    public let token: Value
    public init(token: Value) { self.token = token }
}

/// A template mapping: top-level key -> second-level key -> value.
public final class Mapping: TemplateElement {
    public var entries: [String: [String: Value]]

    public init(_ scope: Construct, _ id: String, _ entries: [String: [String: Value]]) {
        self.entries = entries
        super.init(scope, id)
    }

    /// `Fn::FindInMap` in this mapping.
    public func find(_ topLevelKey: StringValue, _ secondLevelKey: StringValue) -> StringValue {
        StringValue(token: .intrinsic("Fn::FindInMap", .array([.lazy(LazyValue { [unowned self] _ in .string(self.logicalId) }), topLevelKey.token, secondLevelKey.token])))
    }

    func render() -> Value {
        .object(entries.keys.sorted().map { top in
            let inner = entries[top]!
            return (top, .object(inner.keys.sorted().map { ($0, inner[$0]!) }))
        })
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        for (top, inner) in entries {
            if !LogicalID.isValid(top.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "")) {
                errors.append("mapping key '\(top)' may hold only letters, digits, '-' and '.'")
            }
            for (k, v) in inner where !v.isLiteral {
                if case .array = v { continue }
                errors.append("mapping value '\(top).\(k)' must be a literal")
            }
        }
        return errors
    }
}

/// The intrinsic functions of CloudFormation, typed.
public enum Fn {
    /// `Fn::Join`.
    public static func join(_ separator: String, _ parts: [StringValue]) -> StringValue {
        StringValue(token: .intrinsic("Fn::Join", .array([.string(separator), .array(parts.map(\.token))])))
    }

    /// `Fn::Join` over a list token.
    public static func join(_ separator: String, _ list: ListValue<StringValue>) -> StringValue {
        StringValue(token: .intrinsic("Fn::Join", .array([.string(separator), list.token])))
    }

    /// `Fn::Sub` with explicit variables: `Fn.sub("arn:${AWS::Partition}:s3:::${B}/*", ["B": bucket.ref])`.
    public static func sub(_ template: String, _ variables: [String: StringValue]) -> StringValue {
        if variables.isEmpty { return StringValue(token: .intrinsic("Fn::Sub", .string(template))) }
        let vars = Value.object(variables.keys.sorted().map { ($0, variables[$0]!.token) })
        return StringValue(token: .intrinsic("Fn::Sub", .array([.string(template), vars])))
    }

    /// `Fn::Sub` from a literal or an interpolated string: every embedded token becomes a
    /// variable, literal `${...}` text is kept as written (so `${AWS::Region}` still works).
    public static func sub(_ template: SubTemplate) -> StringValue {
        template.token
    }

    /// `Fn::Select`.
    public static func select<T: TokenBacked>(_ index: Int, _ list: ListValue<T>) -> T {
        T(token: .intrinsic("Fn::Select", .array([.int(index), list.token])))
    }

    /// `Fn::Split`.
    public static func split(_ delimiter: String, _ source: StringValue) -> ListValue<StringValue> {
        ListValue(token: .intrinsic("Fn::Split", .array([.string(delimiter), source.token])))
    }

    /// `Fn::GetAZs` (the stack's region when `region` is empty).
    public static func getAZs(_ region: StringValue = "") -> ListValue<StringValue> {
        ListValue(token: .intrinsic("Fn::GetAZs", region.token))
    }

    /// `Fn::ImportValue` of an export of another stack (one outside this app; exports of the
    /// app's own stacks are wired automatically when a token is used across stacks).
    public static func importValue(_ exportName: StringValue) -> StringValue {
        StringValue(token: .intrinsic("Fn::ImportValue", exportName.token))
    }

    /// `Fn::If`.
    public static func `if`<T: TokenBacked>(_ condition: Condition, _ whenTrue: T, _ whenFalse: T) -> T {
        T(token: .intrinsic("Fn::If", .array([.condition(condition), whenTrue.token, whenFalse.token])))
    }

    /// `Fn::If` whose false branch removes the property (`AWS::NoValue`).
    public static func `if`<T: TokenBacked>(_ condition: Condition, _ whenTrue: T) -> T {
        T(token: .intrinsic("Fn::If", .array([.condition(condition), whenTrue.token, .pseudo("AWS::NoValue")])))
    }

    /// `Fn::Equals`.
    public static func equals<A: TokenBacked, B: TokenBacked>(_ a: A, _ b: B) -> ConditionExpression {
        ConditionExpression(token: .intrinsic("Fn::Equals", .array([a.token, b.token])))
    }

    /// `Fn::And` (2 to 10 conditions).
    public static func and(_ conditions: ConditionExpression...) -> ConditionExpression {
        ConditionExpression(token: .intrinsic("Fn::And", .array(conditions.map(\.token))))
    }

    /// `Fn::Or` (2 to 10 conditions).
    public static func or(_ conditions: ConditionExpression...) -> ConditionExpression {
        ConditionExpression(token: .intrinsic("Fn::Or", .array(conditions.map(\.token))))
    }

    /// `Fn::Not`.
    public static func not(_ condition: ConditionExpression) -> ConditionExpression {
        ConditionExpression(token: .intrinsic("Fn::Not", .array([condition.token])))
    }

    /// `Fn::Base64`.
    public static func base64(_ value: StringValue) -> StringValue {
        StringValue(token: .intrinsic("Fn::Base64", value.token))
    }

    /// `Fn::Cidr`: `count` CIDR blocks of `cidrBits` host bits carved out of `ipBlock`.
    public static func cidr(_ ipBlock: StringValue, count: Int, cidrBits: Int) -> ListValue<StringValue> {
        ListValue(token: .intrinsic("Fn::Cidr", .array([ipBlock.token, .int(count), .int(cidrBits)])))
    }

    /// `Fn::FindInMap`.
    public static func findInMap(_ mapping: Mapping, _ topLevelKey: StringValue, _ secondLevelKey: StringValue) -> StringValue {
        mapping.find(topLevelKey, secondLevelKey)
    }

    /// `Fn::GetAtt` of a resource by attribute name (the generated `attr*` properties are typed
    /// shortcuts for this).
    public static func getAtt(_ resource: Resource, _ attribute: String) -> StringValue {
        resource.getAtt(attribute)
    }

    /// `Ref` of a resource or parameter.
    public static func ref(_ target: any Referenceable) -> StringValue {
        StringValue(token: .ref(target))
    }
}

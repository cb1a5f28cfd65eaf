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

/// A CloudFormation boolean or a token.
public struct BoolValue: TokenBacked, ExpressibleByBooleanLiteral, Equatable {
    public let token: Value
    public init(token: Value) { self.token = token }
    public init(_ value: Bool) { token = .bool(value) }
    public init(booleanLiteral value: Bool) { token = .bool(value) }
}

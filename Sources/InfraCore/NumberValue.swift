/// A CloudFormation number (integer or double) or a token.
public struct NumberValue: TokenBacked, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, Equatable {
    public let token: Value
    public init(token: Value) { self.token = token }
    public init(_ value: Int) { token = .int(value) }
    public init(_ value: Double) { token = .double(value) }
    public init(integerLiteral value: Int) { token = .int(value) }
    public init(floatLiteral value: Double) { token = .double(value) }
}

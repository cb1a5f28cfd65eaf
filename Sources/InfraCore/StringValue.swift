/// A CloudFormation string: a literal, or a token (`bucket.attrArn`, `Fn.sub(...)`, a parameter).
/// String interpolation that embeds tokens becomes `Fn::Join` with an empty separator:
/// `"\(bucket.attrArn)/*"`.
public struct StringValue: TokenBacked, ExpressibleByStringInterpolation, Equatable {
    public let token: Value
    public init(token: Value) { self.token = token }
    public init(_ string: String) { self.token = .string(string) }
    public init(stringLiteral value: String) { self.token = .string(value) }

    public init(stringInterpolation: Interpolation) {
        self.token = Interpolation.join(stringInterpolation.parts)
    }

    /// The literal text, when this is not a token.
    public var literal: String? { token.stringLiteral }

    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Value] = []
        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
        }
        public mutating func appendLiteral(_ literal: String) { append(.string(literal)) }
        public mutating func appendInterpolation(_ string: String) { append(.string(string)) }
        public mutating func appendInterpolation(_ number: Int) { append(.string(String(number))) }
        public mutating func appendInterpolation<T: TokenBacked>(_ token: T) { append(token.token) }

        mutating func append(_ value: Value) {
            // An embedded empty-separator join is spliced in, so joins never nest.
            if case .intrinsic("Fn::Join", .array(let args)) = value, args.count == 2, args[0] == .string(""),
               case .array(let inner) = args[1] {
                inner.forEach { append($0) }
                return
            }
            if case .string(let s) = value {
                if s.isEmpty { return }
                if case .string(let prev)? = parts.last {
                    parts[parts.count - 1] = .string(prev + s)
                    return
                }
            }
            parts.append(value)
        }

        static func join(_ parts: [Value]) -> Value {
            if parts.isEmpty { return .string("") }
            if parts.count == 1, case .string = parts[0] { return parts[0] }
            if parts.count == 1 { return parts[0] }
            return .intrinsic("Fn::Join", .array([.string(""), .array(parts)]))
        }
    }
}

extension Value: ExpressibleByStringInterpolation {
    /// `"\(bucket.attrArn)/*"` as an untyped value (an `Fn::Join` when it embeds tokens), for
    /// JSON documents such as IAM policies and untyped maps.
    public init(stringInterpolation: StringValue.Interpolation) {
        self = StringValue.Interpolation.join(stringInterpolation.parts)
    }
}

/// A schema enumeration. Open: any string is accepted by the compiler (a new AWS value must
/// not break a build), a literal outside `allowedValues` is reported at synthesis, and a token
/// is passed through unchecked.
public protocol StringEnum: TokenBacked, ExpressibleByStringLiteral, Equatable {
    static var allowedValues: [String] { get }
}

extension StringEnum {
    public init(stringLiteral value: String) { self.init(token: .string(value)) }
    public init(_ value: String) { self.init(token: .string(value)) }

    public func toValue(_ ctx: RenderContext) -> Value {
        if case .string(let s) = token, !Self.allowedValues.contains(s) {
            ctx.error("'\(s)' is not an allowed value (allowed: \(Self.allowedValues.joined(separator: ", ")))")
        }
        return token
    }

    public static func == (a: Self, b: Self) -> Bool { a.token == b.token }
}

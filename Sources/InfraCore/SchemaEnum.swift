/// The base of the generated schema enumerations (`S3.Bucket.SSEAlgorithm`, ...): a
/// `StringEnum` whose subclasses only override `allowedValues` and add their values as static
/// members (`.aes256`).
///
/// A class, so the conformances are this class's only: the subclasses inherit them, and each
/// generated enumeration adds no protocol conformance record and no witness table (a struct
/// per enumeration had eight of each: StringEnum, TokenBacked, Tokenizable, ValueConvertible,
/// Equatable and the three literal protocols). Like `StringEnum`, it is open: any string
/// compiles, a literal outside `allowedValues` is reported at synthesis, a token passes.
open class SchemaEnum: StringEnum {
    public let token: Value

    public required init(token: Value) { self.token = token }
    public required init(stringLiteral value: String) { token = .string(value) }
    public required init(extendedGraphemeClusterLiteral value: String) { token = .string(value) }
    public required init(unicodeScalarLiteral value: String) { token = .string(value) }

    /// The values the schema allows (overridden by each generated enumeration).
    open class var allowedValues: [String] { [] }

    public func toValue(_ ctx: RenderContext) -> Value {
        if case .string(let s) = token {
            let allowed = type(of: self).allowedValues
            if !allowed.contains(s) {
                ctx.error("'\(s)' is not an allowed value (allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        return token
    }

    public static func == (a: SchemaEnum, b: SchemaEnum) -> Bool { a.token == b.token }
}

/// Something that becomes a template value. Every property type of the DSL conforms: the typed
/// wrappers below, the generated property objects, and `Value` itself.
public protocol ValueConvertible {
    /// The unresolved value (it may still hold references); `ctx` carries the construct and
    /// property path for validation messages.
    func toValue(_ ctx: RenderContext) -> Value
}

/// A typed value that can also be a token (an intrinsic function or a reference), so that
/// `Fn.if`, `Fn.select`, parameters and attributes return the same type a property takes.
public protocol Tokenizable: ValueConvertible {
    init(token: Value)
}

/// A typed value stored as one `Value`.
public protocol TokenBacked: Tokenizable {
    var token: Value { get }
}

extension TokenBacked {
    public func toValue(_ ctx: RenderContext) -> Value { token }
    /// The untyped value, to embed in JSON documents such as IAM policies.
    public var value: Value { token }
}

extension Value: Tokenizable {
    public init(token: Value) { self = token }
    public func toValue(_ ctx: RenderContext) -> Value { self }
}

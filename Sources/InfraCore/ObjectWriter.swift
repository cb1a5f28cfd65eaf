/// Collects an object's properties in order, with their paths for messages.
public struct ObjectWriter {
    public let ctx: RenderContext
    public private(set) var pairs: [(String, Value)] = []

    public init(_ ctx: RenderContext) { self.ctx = ctx }

    public var value: Value { .object(pairs) }

    /// Writes `value` under `key` when it is set. Inlinable, so the generated types call it
    /// specialized (no generic metadata look-ups per property).
    @inlinable
    public mutating func put<V: ValueConvertible>(_ key: String, _ value: V?) {
        guard let value else { return }
        ctx.push(key)
        let v = value.toValue(ctx)
        ctx.pop()
        append(key, v)
    }

    @usableFromInline
    mutating func append(_ key: String, _ value: Value) {
        pairs.append((key, value))
    }

    /// Writes a required property; a missing one is reported with its path.
    @inlinable
    public mutating func require<V: ValueConvertible>(_ key: String, _ value: V?) {
        guard let value else {
            ctx.error("missing required property '\(key)'")
            return
        }
        put(key, value)
    }

    /// Writes an untyped value.
    public mutating func putValue(_ key: String, _ value: Value) {
        pairs.append((key, value))
    }
}

/// A value produced while rendering. Use for values that must be computed late, e.g. a
/// policy document that grants accumulate into until synthesis.
public final class LazyValue {
    let produce: (RenderContext) -> Value
    public init(_ produce: @escaping (RenderContext) -> Value) { self.produce = produce }
}

/// The base of the generated nested property types: plain objects with optional stored
/// properties, set after `init()` or in the configuring closure of `init(_:)`.
open class PropertyObject: ValueConvertible, Configurable {
    public required init() {}

    /// Writes the set properties (generated).
    open func write(to w: inout ObjectWriter) {}

    public final func toValue(_ ctx: RenderContext) -> Value {
        var w = ObjectWriter(ctx)
        write(to: &w)
        return w.value
    }
}

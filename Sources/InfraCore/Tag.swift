/// A `{Key, Value}` tag, as most resource types take them.
public final class Tag: PropertyObject {
    public var key: StringValue?
    public var value: StringValue?

    public convenience init(_ key: StringValue, _ value: StringValue) {
        self.init()
        self.key = key
        self.value = value
    }

    public override func write(to w: inout ObjectWriter) {
        w.require("Key", key)
        w.require("Value", value)
    }
}

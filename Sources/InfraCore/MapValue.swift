/// A string-keyed map of typed values (rendered with sorted keys), or a token.
public struct MapValue<Element: ValueConvertible>: Tokenizable, ExpressibleByDictionaryLiteral {
    enum Storage { case entries([String: Element]), token(Value) }
    var storage: Storage

    public init(token: Value) { storage = .token(token) }
    public init(_ entries: [String: Element]) { storage = .entries(entries) }
    public init(dictionaryLiteral elements: (String, Element)...) {
        storage = .entries(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public subscript(key: String) -> Element? {
        get {
            if case .entries(let e) = storage { return e[key] }
            return nil
        }
        set {
            var e: [String: Element] = [:]
            if case .entries(let old) = storage { e = old }
            e[key] = newValue
            storage = .entries(e)
        }
    }

    public func toValue(_ ctx: RenderContext) -> Value {
        switch storage {
        case .token(let t): return t
        case .entries(let entries):
            return .object(entries.keys.sorted().map { key in
                ctx.push(key)
                defer { ctx.pop() }
                return (key, entries[key]!.toValue(ctx))
            })
        }
    }
}

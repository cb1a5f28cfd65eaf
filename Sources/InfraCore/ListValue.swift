/// A list of typed values, or a token that stands for a whole list (`Fn.getAZs()`, `Fn.split`,
/// a list parameter, a list attribute).
public struct ListValue<Element: ValueConvertible>: Tokenizable, ExpressibleByArrayLiteral {
    enum Storage { case items([Element]), token(Value) }
    var storage: Storage

    public init(token: Value) { storage = .token(token) }
    public init(_ items: [Element]) { storage = .items(items) }
    public init(arrayLiteral elements: Element...) { storage = .items(elements) }

    /// The elements, when this is not a token.
    public var items: [Element]? {
        if case .items(let items) = storage { return items }
        return nil
    }

    /// Appends an element. A list token cannot grow (CloudFormation has no list concatenation),
    /// so appending to a token traps.
    public mutating func append(_ element: Element) {
        guard case .items(var items) = storage else {
            preconditionFailure("cannot append to a list token")
        }
        items.append(element)
        storage = .items(items)
    }

    public func toValue(_ ctx: RenderContext) -> Value {
        switch storage {
        case .token(let t): return t
        case .items(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                ctx.push("[\(i)]")
                out.append(item.toValue(ctx))
                ctx.pop()
            }
            return .array(out)
        }
    }
}

extension ListValue: TokenBacked where Element: TokenBacked {
    public var token: Value {
        switch storage {
        case .token(let t): return t
        case .items(let items): return .array(items.map(\.token))
        }
    }
}

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

// MARK: - String

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

// MARK: - Number and Boolean

/// A CloudFormation number (integer or double) or a token.
public struct NumberValue: TokenBacked, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, Equatable {
    public let token: Value
    public init(token: Value) { self.token = token }
    public init(_ value: Int) { token = .int(value) }
    public init(_ value: Double) { token = .double(value) }
    public init(integerLiteral value: Int) { token = .int(value) }
    public init(floatLiteral value: Double) { token = .double(value) }
}

/// A CloudFormation boolean or a token.
public struct BoolValue: TokenBacked, ExpressibleByBooleanLiteral, Equatable {
    public let token: Value
    public init(token: Value) { self.token = token }
    public init(_ value: Bool) { token = .bool(value) }
    public init(booleanLiteral value: Bool) { token = .bool(value) }
}

// MARK: - Collections

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

// MARK: - Enumerations from the schemas

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

// MARK: - Property objects (nested property types of resources)

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

/// `init { $0.property = ... }` for property objects.
public protocol Configurable: AnyObject {
    init()
}

extension Configurable {
    public init(_ configure: (Self) -> Void) {
        self.init()
        configure(self)
    }
}

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

extension Value: ExpressibleByStringInterpolation {
    /// `"\(bucket.attrArn)/*"` as an untyped value (an `Fn::Join` when it embeds tokens), for
    /// JSON documents such as IAM policies and untyped maps.
    public init(stringInterpolation: StringValue.Interpolation) {
        self = StringValue.Interpolation.join(stringInterpolation.parts)
    }
}

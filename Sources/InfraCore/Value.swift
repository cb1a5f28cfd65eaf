/// The value tree of a CloudFormation template before and after resolution.
///
/// Literals are plain JSON. `.ref` and `.getAtt` point at constructs (resources, parameters),
/// so a reference knows which stack it belongs to: resolving it inside another stack of the same
/// app turns it into an `Fn::ImportValue` of an export the producing stack gains.
/// `.intrinsic` is any other `Fn::*` whose arguments are themselves values.
///
/// Only the cases that hold a `Value` directly (or a payload larger than two words) are boxed:
/// strings, numbers, arrays and objects are stored inline, so building and copying them does
/// not allocate a box per value.
public enum Value {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    /// An object whose keys keep the order they were given in (the rendering order).
    case object([(String, Value)])
    /// `{"Ref": <logical id of target>}` (or an import when the target is in another stack).
    case ref(any Referenceable)
    /// `{"Fn::GetAtt": [<logical id>, attribute]}` (or an import across stacks).
    indirect case getAtt(any Referenceable, String)
    /// `{"Ref": "AWS::Region"}` and the other pseudo parameters.
    case pseudo(String)
    /// The logical name of a condition, as `Fn::If` and a resource's `Condition` take it.
    case condition(Condition)
    /// `{name: arguments}`, e.g. `("Fn::Join", .array([...]))`.
    indirect case intrinsic(String, Value)
    /// A value computed when the template is rendered (lazy strings, values that depend on
    /// the rendering stack). Called once per resolution.
    case lazy(LazyValue)

    /// True when the value holds no reference, intrinsic or lazy part (a plain literal).
    public var isLiteral: Bool {
        switch self {
        case .null, .bool, .int, .double, .string: return true
        case .array(let items): return items.allSatisfy(\.isLiteral)
        case .object(let pairs): return pairs.allSatisfy { $0.1.isLiteral }
        default: return false
        }
    }

    /// The literal string, when the value is one.
    public var stringLiteral: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Looks up a key of an object value.
    public subscript(key: String) -> Value? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }
}

extension Value: Equatable {
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.ref(a), .ref(b)): return a === b
        case let (.getAtt(a, x), .getAtt(b, y)): return a === b && x == y
        case let (.pseudo(a), .pseudo(b)): return a == b
        case let (.condition(a), .condition(b)): return a === b
        case let (.intrinsic(n, a), .intrinsic(m, b)): return n == m && a == b
        case let (.lazy(a), .lazy(b)): return a === b
        default: return false
        }
    }
}

// MARK: - Literal conformances, so `Value` itself can be written as JSON in Swift.

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

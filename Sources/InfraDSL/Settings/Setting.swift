/// A type a stack setting can hold: how it is read from a context `Value` (JSON in the file, or
/// a `-c KEY=VALUE` string), its name in messages and docs, and how its value is shown.
public protocol SettingValue: Sendable, Equatable {
    /// The value, or nil when `value` is not of this type.
    static func decode(_ value: Value) -> Self?
    /// "a string", "an integer", ...: used in "must be ..." messages.
    static var expected: String { get }
    /// "string", "integer", ...: the type column of `infra context`.
    static var typeName: String { get }
    /// The value as written in a config file.
    var display: String { get }
    /// True for optional settings whose value is "not set".
    var isUnset: Bool { get }
}

extension SettingValue {
    public var isUnset: Bool { false }
}

extension String: SettingValue {
    public static func decode(_ value: Value) -> String? {
        if case .string(let s) = value { return s }
        return nil
    }
    public static var expected: String { "a string" }
    public static var typeName: String { "string" }
    public var display: String { self }
}

extension Int: SettingValue {
    public static func decode(_ value: Value) -> Int? {
        switch value {
        case .int(let i): return i
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    public static var expected: String { "an integer" }
    public static var typeName: String { "integer" }
    public var display: String { String(self) }
}

extension Double: SettingValue {
    public static func decode(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }
    public static var expected: String { "a number" }
    public static var typeName: String { "number" }
    public var display: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

extension Bool: SettingValue {
    public static func decode(_ value: Value) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default: return nil
        }
    }
    public static var expected: String { "true or false" }
    public static var typeName: String { "boolean" }
    public var display: String { self ? "true" : "false" }
}

extension Array: SettingValue where Element == String {
    /// A JSON array of strings, or a comma-separated string (from `-c`).
    public static func decode(_ value: Value) -> [String]? {
        switch value {
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                out.append(s)
            }
            return out
        case .string(let s):
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default:
            return nil
        }
    }
    public static var expected: String { "a list of strings" }
    public static var typeName: String { "list of strings" }
    public var display: String { "[" + joined(separator: ", ") + "]" }
}

extension Optional: SettingValue where Wrapped: SettingValue {
    /// null is "not set".
    public static func decode(_ value: Value) -> Wrapped?? {
        if value == .null { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
    public static var expected: String { "\(Wrapped.expected) or null" }
    public static var typeName: String { "\(Wrapped.typeName)?" }
    public var display: String { map(\.display) ?? "null" }
    public var isUnset: Bool { self == nil }
}

/// One context key of a stack: declared once with its type, default, check and doc line.
/// Decoding, unknown-key errors, `-c` overrides, messages and `infra context` derive from it.
public struct Setting<T: SettingValue>: Sendable {
    public let key: String
    public let defaultValue: T
    public let doc: String
    /// The problem with a value (nil when valid); the message names neither file nor key.
    public let check: @Sendable (T) -> String?

    public init(_ key: String, default defaultValue: T, _ doc: String, check: @escaping @Sendable (T) -> String? = { _ in nil }) {
        self.key = key
        self.defaultValue = defaultValue
        self.doc = doc
        self.check = check
    }

    /// The problem of `value` by key, for settings built in Swift (`problems()`).
    public func problem(_ value: T) -> (key: String, message: String)? {
        check(value).map { (key, $0) }
    }

    /// The type-erased declaration, for a `SettingsSchema`.
    public var any: AnySetting {
        AnySetting(key: key, typeName: T.typeName, defaultText: defaultValue.display, doc: doc,
                   describe: { value in T.decode(value)?.display ?? value.typeName },
                   problem: { value in
                       guard let v = T.decode(value) else { return "must be \(T.expected), found \(value.typeName)" }
                       return check(v)
                   })
    }
}

extension Setting where T == Int {
    /// An integer in `range`.
    public init(_ key: String, default defaultValue: Int, _ doc: String, range: ClosedRange<Int>) {
        self.init(key, default: defaultValue, doc) { Validate.rangeProblem($0, range) }
    }
}

/// A declaration without its type: what a schema lists and `infra context` shows.
public struct AnySetting: Sendable {
    public let key: String
    public let typeName: String
    public let defaultText: String
    public let doc: String
    let describe: @Sendable (Value) -> String
    let problem: @Sendable (Value) -> String?

    /// A value as `infra context` shows it.
    public func display(_ value: Value) -> String { describe(value) }
}

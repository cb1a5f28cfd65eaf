import InfraCore

/// One place where a value differs from a pattern: the path inside the value (`/Properties/Tags/0/Key`)
/// and what was expected there.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "at \(path.isEmpty ? "/" : path): \(message)" }
}

/// A pattern a template value is checked against, in the spirit of CDK's `Match`.
///
/// Literals are patterns too: a dictionary literal matches an object that has at least those
/// keys (nested dictionaries likewise), an array literal matches an array of exactly those
/// elements in order, strings, numbers, booleans match equal values:
///
/// ```swift
/// template.hasResourceProperties("AWS::SQS::Queue", [
///     "VisibilityTimeout": 300,
///     "RedrivePolicy": ["maxReceiveCount": 5, "deadLetterTargetArn": .anyValue()],
///     "QueueName": .absent(),
/// ])
/// ```
public struct Match: @unchecked Sendable, CustomStringConvertible {
    let name: String
    /// Returns the mismatches of `value` (nil: the key is absent) at `path`; [] when it matches.
    let test: (Value?, String) -> [Mismatch]

    public init(name: String, _ test: @escaping (Value?, String) -> [Mismatch]) {
        self.name = name
        self.test = test
    }

    public var description: String { name }

    /// The mismatches of `value` against this pattern ([] when it matches).
    public func mismatches(_ value: Value?) -> [Mismatch] { test(value, "") }

    /// True when `value` matches.
    public func matches(_ value: Value?) -> Bool { mismatches(value).isEmpty }

    // MARK: Matchers

    /// Any value, as long as it is present (and not null).
    public static func anyValue() -> Match {
        Match(name: "anyValue()") { v, path in
            switch v {
            case nil: return [Mismatch(path: path, "expected a value, the key is absent")]
            case .null?: return [Mismatch(path: path, "expected a value, found null")]
            default: return []
            }
        }
    }

    /// The key must not be present (or be null).
    public static func absent() -> Match {
        Match(name: "absent()") { v, path in
            guard let v, v != .null else { return [] }
            return [Mismatch(path: path, "expected the key to be absent, found \(Match.show(v))")]
        }
    }

    /// Exactly `value`: same keys, same elements, same order of array elements (object key order ignored).
    public static func exact(_ value: Value) -> Match {
        Match(name: "exact(\(show(value)))") { v, path in
            guard let v else { return [Mismatch(path: path, "expected \(show(value)), the key is absent")] }
            return literal(value, partialObjects: false)(v, path)
        }
    }

    /// An object with at least the keys of `pattern`, each matching its pattern; nested literal
    /// objects are matched the same way (partially).
    public static func objectLike(_ pattern: [(String, Match)]) -> Match {
        object(pattern, partial: true)
    }

    /// An object with exactly the keys of `pattern`, each matching its pattern.
    public static func objectEquals(_ pattern: [(String, Match)]) -> Match {
        object(pattern, partial: false)
    }

    /// An array holding elements that match the patterns, in this order (other elements may be
    /// between and around them).
    public static func arrayWith(_ patterns: [Match]) -> Match {
        Match(name: "arrayWith([\(patterns.map(\.name).joined(separator: ", "))])") { v, path in
            guard let v else { return [Mismatch(path: path, "expected an array, the key is absent")] }
            guard case .array(let items) = v else { return [Mismatch(path: path, "expected an array, found \(show(v))")] }
            var index = 0
            for (n, p) in patterns.enumerated() {
                var found = false
                while index < items.count {
                    defer { index += 1 }
                    if p.test(items[index], "").isEmpty { found = true; break }
                }
                if !found {
                    // the closest element, to show why none matched
                    let closest = items.indices.map { (i: $0, m: p.test(items[$0], "\(path)/\($0)")) }.min { $0.m.count < $1.m.count }
                    var out = [Mismatch(path: path, "no element matches pattern \(n) (\(p.name))\(n > 0 ? " after the elements matching the earlier patterns" : "") in \(show(v))")]
                    if let closest { out += closest.m.map { Mismatch(path: $0.path, "closest element: " + $0.message) } }
                    return out
                }
            }
            return []
        }
    }

    /// A string matching a glob: `*` any run of characters, `?` one character.
    public static func stringLike(_ glob: String) -> Match {
        Match(name: "stringLike(\"\(glob)\")") { v, path in
            guard let v else { return [Mismatch(path: path, "expected a string like \"\(glob)\", the key is absent")] }
            guard case .string(let s) = v else { return [Mismatch(path: path, "expected a string like \"\(glob)\", found \(show(v))")] }
            return globMatch(Array(glob), Array(s)) ? [] : [Mismatch(path: path, "expected a string like \"\(glob)\", found \(show(v))")]
        }
    }

    /// A string matching a regular expression (the whole string: anchor it or not as you need;
    /// `regex("^arn:")` tests a prefix).
    public static func regex(_ pattern: String) -> Match {
        Match(name: "regex(\"\(pattern)\")") { v, path in
            guard let v else { return [Mismatch(path: path, "expected a string matching /\(pattern)/, the key is absent")] }
            guard case .string(let s) = v else { return [Mismatch(path: path, "expected a string matching /\(pattern)/, found \(show(v))")] }
            guard let re = try? Regex(pattern) else { return [Mismatch(path: path, "invalid regular expression /\(pattern)/")] }
            return (try? re.firstMatch(in: s)) != nil ? [] : [Mismatch(path: path, "expected a string matching /\(pattern)/, found \(show(v))")]
        }
    }

    /// Anything the pattern does not match.
    public static func not(_ pattern: Match) -> Match {
        Match(name: "not(\(pattern.name))") { v, path in
            pattern.test(v, path).isEmpty ? [Mismatch(path: path, "expected anything but \(pattern.name), found \(v.map(show) ?? "nothing")")] : []
        }
    }

    /// Records the value in `capture` when it matches `pattern` (any present value by default).
    public static func capture(_ capture: Capture, _ pattern: Match = .anyValue()) -> Match {
        Match(name: "capture(\(pattern.name))") { v, path in
            let m = pattern.test(v, path)
            if m.isEmpty, let v { capture.record(v) }
            return m
        }
    }

    /// A `{"Ref": logicalId}` (`Match.ref("Jobs*")` takes a glob).
    public static func ref(_ logicalId: String) -> Match {
        objectEquals([("Ref", .stringLike(logicalId))])
    }

    /// A `{"Fn::GetAtt": [logicalId, attribute]}` (the id may be a glob).
    public static func getAtt(_ logicalId: String, _ attribute: String) -> Match {
        objectEquals([("Fn::GetAtt", [.stringLike(logicalId), .exact(.string(attribute))])])
    }

    // MARK: Internals

    static func object(_ pattern: [(String, Match)], partial: Bool) -> Match {
        let label = partial ? "objectLike" : "objectEquals"
        return Match(name: "\(label)({\(pattern.map { "\($0.0): \($0.1.name)" }.joined(separator: ", "))})") { v, path in
            guard let v else { return [Mismatch(path: path, "expected an object, the key is absent")] }
            guard case .object(let pairs) = v else { return [Mismatch(path: path, "expected an object, found \(show(v))")] }
            var out: [Mismatch] = []
            for (key, p) in pattern {
                out += p.test(pairs.first { $0.0 == key }?.1, "\(path)/\(key)")
            }
            if !partial {
                for (key, value) in pairs where !pattern.contains(where: { $0.0 == key }) {
                    out.append(Mismatch(path: "\(path)/\(key)", "unexpected key (value \(show(value)))"))
                }
            }
            return out
        }
    }

    /// Literal matching: objects partially or exactly, arrays element by element, scalars by equality.
    static func literal(_ expected: Value, partialObjects: Bool) -> (Value, String) -> [Mismatch] {
        return { actual, path in literalMismatches(expected, actual, path, partialObjects) }
    }

    static func literalMismatches(_ expected: Value, _ actual: Value, _ path: String, _ partial: Bool) -> [Mismatch] {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            var out: [Mismatch] = []
            for (key, ev) in e {
                if let av = a.first(where: { $0.0 == key })?.1 {
                    out += literalMismatches(ev, av, "\(path)/\(key)", partial)
                } else {
                    out.append(Mismatch(path: "\(path)/\(key)", "expected \(show(ev)), the key is absent"))
                }
            }
            if !partial {
                for (key, av) in a where !e.contains(where: { $0.0 == key }) {
                    out.append(Mismatch(path: "\(path)/\(key)", "unexpected key (value \(show(av)))"))
                }
            }
            return out
        case (.array(let e), .array(let a)):
            if e.count != a.count {
                return [Mismatch(path: path, "expected an array of \(e.count) element\(e.count == 1 ? "" : "s"), found \(a.count): \(show(actual))")]
            }
            return zip(e, a).enumerated().flatMap { literalMismatches($0.element.0, $0.element.1, "\(path)/\($0.offset)", partial) }
        case (.int(let x), .double(let y)) where Double(x) == y: return []
        case (.double(let x), .int(let y)) where x == Double(y): return []
        default:
            return expected == actual ? [] : [Mismatch(path: path, "expected \(show(expected)), found \(show(actual))")]
        }
    }

    /// A value as compact JSON, shortened for messages.
    static func show(_ value: Value) -> String {
        let text = JSONRenderer.render(value, pretty: false)
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    static func globMatch(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] { pi += 1; si += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

// Literals as patterns.
extension Match: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .exact(.string(value)) }
    public init(integerLiteral value: Int) { self = .exact(.int(value)) }
    public init(floatLiteral value: Double) { self = .exact(.double(value)) }
    public init(booleanLiteral value: Bool) { self = .exact(.bool(value)) }
    /// Exactly these elements, in this order, each matching its pattern.
    public init(arrayLiteral elements: Match...) {
        self = Match(name: "[\(elements.map(\.name).joined(separator: ", "))]") { v, path in
            guard let v else { return [Mismatch(path: path, "expected an array, the key is absent")] }
            guard case .array(let items) = v else { return [Mismatch(path: path, "expected an array, found \(Match.show(v))")] }
            if items.count != elements.count {
                return [Mismatch(path: path, "expected an array of \(elements.count) element\(elements.count == 1 ? "" : "s"), found \(items.count): \(Match.show(v))")]
            }
            return zip(elements, items).enumerated().flatMap { $0.element.0.test($0.element.1, "\(path)/\($0.offset)") }
        }
    }
    /// An object with at least these keys (objectLike).
    public init(dictionaryLiteral elements: (String, Match)...) { self = .objectLike(elements) }
    /// The key is absent or null.
    public init(nilLiteral: ()) { self = .absent() }

    /// A value as a pattern: objects match partially (as `objectLike`, nested objects too),
    /// arrays element by element, scalars by equality.
    public init(_ value: Value) {
        self = Match(name: Match.show(value)) { v, path in
            guard let v else { return [Mismatch(path: path, "expected \(Match.show(value)), the key is absent")] }
            return Match.literalMismatches(value, v, path, true)
        }
    }
}

/// Captures the value a `Match.capture` pattern met (every value, in order, when it matched several).
public final class Capture: @unchecked Sendable {
    private var values: [Value] = []

    public init() {}

    func record(_ v: Value) { values.append(v) }

    /// The first captured value; nil before anything matched.
    public var value: Value? { values.first }
    /// Every captured value, in the order they were met.
    public var all: [Value] { values }
    public var stringValue: String? { value?.stringLiteral }
    public var intValue: Int? { if case .int(let i)? = value { return i }; return nil }
    public var arrayValue: [Value]? { if case .array(let a)? = value { return a }; return nil }
    public var objectValue: [(String, Value)]? { if case .object(let o)? = value { return o }; return nil }
}

import Foundation
import InfraCore
import Yams

/// Reading templates (the new ones of the assembly, the deployed ones from GetTemplate) into
/// `Value`s, comparing them, and showing their values in one line.
public enum TemplateDocument {
    /// Parses a JSON or YAML template. YAML short-form intrinsics (`!Ref X`, `!GetAtt A.B`,
    /// `!Sub ...`) become their long JSON form, so both forms compare equal.
    public static func parse(_ text: String) throws -> Value {
        let first = text.first { !$0.isWhitespace }
        if first == "{" {
            return try JSONParser.parse(text)
        }
        guard let node = try Yams.compose(yaml: text) else { return .object([]) }
        return try value(node)
    }

    private static func value(_ node: Node) throws -> Value {
        switch node {
        case .scalar(let scalar):
            let tag = scalar.tag.description
            if tag.hasPrefix("!") && tag != "!" {
                return intrinsic(String(tag.dropFirst()), .string(scalar.string))
            }
            if tag == Yams.Tag.Name.str.rawValue || scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                || scalar.style == .literal || scalar.style == .folded {
                return .string(scalar.string)
            }
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return node.bool.map(Value.bool) ?? .string(scalar.string)
            case .int: return node.int.map(Value.int) ?? .string(scalar.string)
            case .float: return node.float.map(Value.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var pairs: [(String, Value)] = []
            for (k, v) in mapping {
                pairs.append((k.string ?? "", try value(v)))
            }
            let tag = mapping.tag.description
            if tag.hasPrefix("!") && tag != "!" { return intrinsic(String(tag.dropFirst()), .object(pairs)) }
            return .object(pairs)
        case .sequence(let sequence):
            let items = try sequence.map(value)
            let tag = sequence.tag.description
            if tag.hasPrefix("!") && tag != "!" { return intrinsic(String(tag.dropFirst()), .array(items)) }
            return .array(items)
        }
    }

    /// `!Ref x` -> `{"Ref": x}`, `!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`,
    /// `!Condition c` -> `{"Condition": c}`, `!X v` -> `{"Fn::X": v}`.
    private static func intrinsic(_ name: String, _ argument: Value) -> Value {
        switch name {
        case "Ref": return .object([("Ref", argument)])
        case "Condition": return .object([("Condition", argument)])
        case "GetAtt":
            if case .string(let s) = argument, let dot = s.firstIndex(of: ".") {
                return .object([("Fn::GetAtt", .array([.string(String(s[..<dot])),
                                                       .string(String(s[s.index(after: dot)...]))]))])
            }
            return .object([("Fn::GetAtt", argument)])
        default: return .object([("Fn::" + name, argument)])
        }
    }

    // MARK: Comparing

    /// Structural equality: object keys in any order, `1` equal to `1.0`.
    public static func equal(_ a: Value?, _ b: Value?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (nil, _), (_, nil): return false
        case let (.some(x), .some(y)): return equal(x, y)
        }
    }

    public static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let other = y.first(where: { $0.0 == k })?.1, equal(v, other) else { return false }
            }
            return true
        default: return false
        }
    }

    // MARK: Showing

    /// A value on one line, with references shown as `${Name}` / `${Name.Attr}`, cut at `limit`
    /// characters.
    public static func show(_ value: Value?, limit: Int = 160) -> String {
        guard let value else { return "(absent)" }
        let text = render(value)
        if text.count <= limit { return text }
        return String(text.prefix(limit - 1)) + "…"
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .string(let s): return quote(s)
        case .array(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .object(let pairs):
            if let token = tokenText(value) { return token }
            return "{" + pairs.map { "\($0.0): \(render($0.1))" }.joined(separator: ", ") + "}"
        default:
            return "(token)"
        }
    }

    /// `${X}` for `Ref`, `${X.Attr}` for `Fn::GetAtt`, the joined text for `Fn::Join` / `Fn::Sub`.
    static func tokenText(_ value: Value) -> String? {
        guard case .object(let pairs) = value, pairs.count == 1 else { return nil }
        let (key, arg) = pairs[0]
        switch key {
        case "Ref":
            return arg.stringLiteral.map { "${\($0)}" }
        case "Fn::GetAtt":
            if case .array(let parts) = arg {
                return "${" + parts.compactMap(\.stringLiteral).joined(separator: ".") + "}"
            }
            return arg.stringLiteral.map { "${\($0)}" }
        case "Fn::Sub":
            if let s = arg.stringLiteral { return quote(s) }
            if case .array(let parts) = arg, let s = parts.first?.stringLiteral { return quote(s) }
            return nil
        case "Fn::Join":
            guard case .array(let parts) = arg, parts.count == 2, let sep = parts[0].stringLiteral,
                  case .array(let items) = parts[1] else { return nil }
            return quote(items.map { item -> String in
                if let s = item.stringLiteral { return s }
                return tokenText(item) ?? render(item)
            }.joined(separator: sep))
        default:
            return nil
        }
    }

    private static func quote(_ s: String) -> String {
        let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"" + escaped + "\""
    }

    /// A template's top-level section as pairs (empty when absent).
    static func section(_ template: Value?, _ name: String) -> [(String, Value)] {
        guard case .object(let pairs)? = template?[name] else { return [] }
        return pairs
    }
}

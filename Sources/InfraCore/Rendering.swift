import Yams

/// Deterministic JSON: keys in the order the value holds them, two-space indentation,
/// integers without a fraction, shortest round-tripping doubles, UTF-8 kept as it is.
public enum JSONRenderer {
    public static func render(_ value: Value, pretty: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(4096)
        write(value, into: &out, indent: pretty ? 0 : nil)
        if pretty { out.append("\n") }
        return out
    }

    /// `indent` is the nesting depth, or nil for compact output.
    private static func write(_ value: Value, into out: inout String, indent: Int?) {
        let inner = indent.map { $0 + 1 }
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .double(let d): out.append(format(d))
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, inner)
                write(item, into: &out, indent: inner)
            }
            newline(&out, indent)
            out.append("]")
        case .object(let pairs):
            if pairs.isEmpty { out.append("{}"); return }
            out.append("{")
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, inner)
                writeString(k, into: &out)
                out.append(indent == nil ? ":" : ": ")
                write(v, into: &out, indent: inner)
            }
            newline(&out, indent)
            out.append("}")
        case .ref, .getAtt, .pseudo, .condition, .intrinsic, .lazy:
            preconditionFailure("unresolved value in rendering: resolve it in a RenderContext first")
        }
    }

    private static func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out.append("\n")
        out.append(String(repeating: "  ", count: indent))
    }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    private static func writeString(_ s: String, into out: inout String) {
        out.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append("\"")
    }
}

/// YAML through Yams, with intrinsics in their long form (`Fn::GetAtt:`) and every string
/// that YAML would read as another type quoted.
public enum YAMLRenderer {
    public static func render(_ value: Value) throws -> String {
        try Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true, sortKeys: false)
    }

    static func node(_ value: Value) -> Node {
        switch value {
        case .null: return Node("null", Yams.Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Yams.Tag(.bool))
        case .int(let i): return Node(String(i), Yams.Tag(.int))
        case .double(let d): return Node(JSONRenderer.format(d), Yams.Tag(.float))
        case .string(let s): return Node(s, Yams.Tag(.str), style(for: s))
        case .array(let items): return Node(items.map(node))
        case .object(let pairs): return Node(pairs.map { (Node($0.0, Yams.Tag(.str), needsQuotes($0.0) ? .singleQuoted : .any), node($0.1)) })
        case .ref, .getAtt, .pseudo, .condition, .intrinsic, .lazy:
            preconditionFailure("unresolved value in rendering: resolve it in a RenderContext first")
        }
    }

    /// Multi-line text (inline code, scripts) as a literal block; ambiguous strings quoted.
    static func style(for s: String) -> Node.Scalar.Style {
        if s.contains("\n") && !s.contains("\r") && !s.hasSuffix(" ") && !s.hasPrefix(" ") { return .literal }
        return needsQuotes(s) ? .singleQuoted : .any
    }

    /// Strings a YAML 1.1 reader would take for another type (numbers, booleans, null,
    /// timestamps such as 2010-09-09, merge keys), which must be quoted to stay strings.
    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        if ["y", "Y", "n", "N"].contains(s) { return true }
        return Resolver.default.resolveTag(of: Node(s)) != .str
    }
}

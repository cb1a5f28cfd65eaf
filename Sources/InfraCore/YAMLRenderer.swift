import Yams

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

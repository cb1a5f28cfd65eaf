import InfraContract

extension Value {
    /// The value of a contract's JSON tree (what `JSONTreeEncoder` produced), keys in order.
    public init(_ tree: JSONTree) {
        switch tree {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(Value.init))
        case .object(let pairs): self = .object(pairs.map { ($0.0, Value($0.1)) })
        }
    }
}

extension JSONTree {
    /// The tree of a literal value; nil when it holds a reference, an intrinsic or a lazy part.
    public init?(literal value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items):
            var out: [JSONTree] = []
            for item in items {
                guard let t = JSONTree(literal: item) else { return nil }
                out.append(t)
            }
            self = .array(out)
        case .object(let pairs):
            var out: [(String, JSONTree)] = []
            for (k, v) in pairs {
                guard let t = JSONTree(literal: v) else { return nil }
                out.append((k, t))
            }
            self = .object(out)
        default: return nil
        }
    }
}

extension JSONRenderer {
    /// A contract value (e.g. `AssemblyManifest`) rendered like a template: keys in the order the
    /// type encodes them, two-space indentation.
    public static func render<T: Encodable>(encoding value: T, pretty: Bool = true) throws -> String {
        String(decoding: try renderBytes(encoding: value, pretty: pretty), as: UTF8.self)
    }

    /// The rendering as UTF-8 bytes.
    public static func renderBytes<T: Encodable>(encoding value: T, pretty: Bool = true) throws -> [UInt8] {
        renderBytes(Value(try JSONTreeEncoder().encode(value)), pretty: pretty)
    }
}

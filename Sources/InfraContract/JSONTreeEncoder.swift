/// Encodes an `Encodable` into a `JSONTree` whose objects keep their keys in the order the type
/// encodes them (a synthesized `encode(to:)` follows the declaration order of the properties).
///
/// The contract files (`manifest.json`) are written in a fixed key order that readers and diffs
/// rely on; Foundation's `JSONEncoder` offers either no stable order or sorted keys, so the
/// contract types are encoded into a tree here and rendered by the caller's JSON renderer.
public struct JSONTreeEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONTree {
        let root = TreeNode()
        try root.set(value, codingPath: [])
        return root.value
    }
}

/// One value being encoded: a scalar, or an object / array of further nodes (nested containers
/// write into their node after they are handed out, so nodes are references).
final class TreeNode {
    private var scalar: JSONTree?
    private var pairs: [(String, TreeNode)]?
    private var items: [TreeNode]?

    var value: JSONTree {
        if let pairs { return .object(pairs.map { ($0.0, $0.1.value) }) }
        if let items { return .array(items.map(\.value)) }
        // A type that encodes nothing at all is an empty object (as with JSONEncoder).
        return scalar ?? .object([])
    }

    func makeObject() {
        if pairs == nil { pairs = []; items = nil; scalar = nil }
    }

    func makeArray() {
        if items == nil { items = []; pairs = nil; scalar = nil }
    }

    /// The node of `key` (a key encoded twice keeps its first position and its last value).
    func child(_ key: String) -> TreeNode {
        makeObject()
        let node = TreeNode()
        if let i = pairs!.firstIndex(where: { $0.0 == key }) {
            pairs![i].1 = node
        } else {
            pairs!.append((key, node))
        }
        return node
    }

    func appendChild() -> TreeNode {
        makeArray()
        let node = TreeNode()
        items!.append(node)
        return node
    }

    var count: Int { items?.count ?? 0 }

    func setScalar(_ v: JSONTree) {
        scalar = v
        pairs = nil
        items = nil
    }

    /// Stores `value`: scalars directly, anything else through its own `encode(to:)`.
    func set<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as JSONTree: setScalar(v)
        case let v as String: setScalar(.string(v))
        case let v as Bool: setScalar(.bool(v))
        case let v as Int: setScalar(.int(v))
        case let v as Double: setScalar(.double(v))
        case let v as Float: setScalar(.double(Double(v)))
        case let v as any BinaryInteger:
            guard let i = Int(exactly: v) else {
                throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "\(v) does not fit an Int"))
            }
            setScalar(.int(i))
        default:
            try value.encode(to: TreeEncoder(node: self, codingPath: codingPath))
        }
    }
}

struct TreeEncoder: Encoder {
    let node: TreeNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTreeContainer(node: node, codingPath: codingPath)
    }
}

struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).setScalar(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(key.stringValue).set(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.child("super"), codingPath: codingPath + [AnyKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let node: TreeNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private var nextPath: [any CodingKey] { codingPath + [AnyKey(intValue: node.count)!] }

    mutating func encodeNil() throws { node.appendChild().setScalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try node.appendChild().set(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return TreeEncoder(node: node.appendChild(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return TreeEncoder(node: node.appendChild(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return TreeEncoder(node: node.appendChild(), codingPath: path)
    }
}

struct SingleTreeContainer: SingleValueEncodingContainer {
    let node: TreeNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.setScalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.set(value, codingPath: codingPath)
    }
}

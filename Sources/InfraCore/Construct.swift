/// A node of the construct tree. Every construct has a scope (its parent) and an id unique
/// within that scope; its path (`Stack/Service/Resource`) is unique in the app.
open class Construct {
    /// The id within the scope.
    public let id: String
    /// The parent; nil only for the `App`.
    public private(set) weak var scope: Construct?
    /// The children in the order they were added.
    public private(set) var children: [Construct] = []
    /// Tags set on this construct; they apply to every taggable resource below it.
    public private(set) var appliedTags: [(key: String, value: String)] = []

    private var childIndex: [String: Int] = [:]
    private unowned(unsafe) let root: App?

    /// Adds a construct with `id` under `scope`. A second construct with the same id in the
    /// same scope is reported when the app is synthesized.
    public init(_ scope: Construct, _ id: String) {
        self.id = id
        self.scope = scope
        self.root = scope.root ?? (scope as? App)
        scope.attach(self)
    }

    /// The root of a tree (the `App`).
    init(rootId: String) {
        self.id = rootId
        self.scope = nil
        self.root = nil
    }

    private func attach(_ child: Construct) {
        if child.id.isEmpty {
            app.report(path: path, "a construct id must not be empty")
        } else if child.id.utf8.contains(UInt8(ascii: "/")) {
            app.report(path: path, "construct id '\(child.id)' must not contain '/'")
        }
        if childIndex[child.id] != nil {
            app.report(path: path, "there is already a construct with id '\(child.id)' in this scope")
        } else {
            childIndex[child.id] = children.count
        }
        children.append(child)
    }

    /// The app at the root of the tree.
    public var app: App { root ?? (self as! App) }

    /// The path from the app: `Stack/Construct/Child`. The app itself has an empty path.
    public var path: String { pathComponents.joined(separator: "/") }

    /// The ids from the stack down to this construct (the app's id excluded).
    public var pathComponents: [String] {
        var parts: [String] = []
        var node: Construct? = self
        while let n = node, n.scope != nil {
            parts.append(n.id)
            node = n.scope
        }
        return parts.reversed()
    }

    /// The child with `id`, if any.
    public func child(_ id: String) -> Construct? {
        childIndex[id].map { children[$0] }
    }

    /// The stack this construct belongs to. Traps for the app itself (it has no stack).
    public var stack: Stack {
        var node: Construct? = self
        while let n = node {
            if let s = n as? Stack { return s }
            node = n.scope
        }
        preconditionFailure("construct '\(path)' is not inside a stack")
    }

    /// Tags every taggable resource below this construct; nearer tags win over farther ones,
    /// and tags a resource sets itself win over all.
    public func tag(_ key: String, _ value: String) {
        if let i = appliedTags.firstIndex(where: { $0.key == key }) {
            appliedTags[i].value = value
        } else {
            appliedTags.append((key, value))
        }
    }

    /// Every construct below this one, depth first, in the order they were added.
    public func descendants() -> [Construct] {
        var out: [Construct] = []
        func walk(_ c: Construct) {
            for child in c.children {
                out.append(child)
                walk(child)
            }
        }
        walk(self)
        return out
    }

    /// Called on every construct just before its stack is rendered, children after parents.
    /// Constructs that compute resources late (policies accumulated from grants) override it.
    open func prepare() {}

    /// Extra validation of the construct; messages are reported with its path.
    open func validate() -> [String] { [] }
}

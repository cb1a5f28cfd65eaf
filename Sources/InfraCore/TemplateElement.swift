/// A construct that becomes an entry of its stack's template (a resource, parameter, output,
/// condition or mapping) under a logical ID.
open class TemplateElement: Construct {
    private var logicalIdOverride: String?
    private var cachedLogicalId: String?

    /// The logical ID in the template: derived from the construct path below the stack
    /// (readable part plus a short stable hash), unless overridden.
    public var logicalId: String {
        if let id = logicalIdOverride ?? cachedLogicalId { return id }
        let id = LogicalID.make(stackRelativePath: stackRelativeComponents)
        cachedLogicalId = id
        return id
    }

    /// Sets the logical ID explicitly (for example to adopt a resource deployed under that name).
    public func overrideLogicalId(_ id: String) { logicalIdOverride = id }

    /// True when the logical ID was set explicitly.
    public var hasLogicalIdOverride: Bool { logicalIdOverride != nil }

    /// The ids below the stack down to this element.
    var stackRelativeComponents: [String] {
        var parts: [String] = []
        var node: Construct? = self
        while let n = node, !(n is Stack) {
            parts.append(n.id)
            node = n.scope
        }
        if node == nil { _ = stack }  // not inside a stack: traps with the construct's path
        return parts.reversed()
    }
}

/// A CloudFormation resource. The generated types of `InfraResources` subclass it with their
/// typed properties and attributes; `renderProperties` writes them.
open class Resource: TemplateElement, Referenceable, Configurable {
    /// The CloudFormation type, e.g. `AWS::S3::Bucket` (overridden by the generated types).
    open class var resourceType: String { "" }
    /// How the type carries tags (overridden by the generated types).
    open class var tagFormat: TagFormat { .none }

    /// The CloudFormation type of this resource.
    public let cfnType: String
    /// Explicit dependencies (`DependsOn`), besides the ones references imply.
    public private(set) var dependsOn: [Resource] = []
    public var deletionPolicy: DeletionPolicy?
    public var updateReplacePolicy: DeletionPolicy?
    /// The condition that decides whether the resource is created.
    public var condition: Condition?
    /// Template metadata of the resource.
    public var metadata: [(String, Value)] = []
    public var creationPolicy: Value?
    public var updatePolicy: Value?

    private var overrides: [(path: [String], value: Value?)] = []

    public required override init(_ scope: Construct, _ id: String) {
        self.cfnType = Self.resourceType
        super.init(scope, id)
    }

    /// A resource of a type that has no generated class (for example `Custom::DbInit`); set its
    /// properties with `addPropertyOverride`.
    public init(_ scope: Construct, _ id: String, type: String) {
        self.cfnType = type
        super.init(scope, id)
    }

    /// `Configurable` needs `init()`; resources always need a scope and an id.
    public required init() {
        preconditionFailure("a resource needs a scope and an id: use init(_:_:)")
    }

    /// Writes the typed properties (generated).
    open func writeProperties(to w: inout ObjectWriter) {}

    /// `{"Ref": ...}` of this resource, as a string.
    public var ref: StringValue { StringValue(token: .ref(self)) }

    /// `{"Fn::GetAtt": [..., name]}` as the requested type.
    public func getAtt<T: Tokenizable>(_ name: String, as: T.Type = T.self) -> T {
        T(token: .getAtt(self, name))
    }

    /// Adds an explicit dependency.
    public func addDependency(_ other: Resource) {
        if !dependsOn.contains(where: { $0 === other }) { dependsOn.append(other) }
    }

    /// Sets a raw property by dotted path (`"BucketEncryption.ServerSideEncryptionConfiguration"`),
    /// overriding what the typed properties render: the escape hatch for anything the typed
    /// layer does not express.
    public func addPropertyOverride(_ path: String, _ value: Value) {
        overrides.append((path.split(separator: ".").map(String.init), value))
    }

    /// Removes a property by dotted path from the rendered properties.
    public func addPropertyDeletionOverride(_ path: String) {
        overrides.append((path.split(separator: ".").map(String.init), nil))
    }

    /// The unresolved properties object: typed properties, overrides and inherited tags.
    func renderProperties(_ ctx: RenderContext) -> Value {
        var w = ObjectWriter(ctx)
        writeProperties(to: &w)
        var props = w.value
        for o in overrides {
            props = Self.apply(o.value, at: o.path[...], to: props)
        }
        return applyTags(to: props, ctx)
    }

    private static func apply(_ value: Value?, at path: ArraySlice<String>, to target: Value) -> Value {
        guard let key = path.first else { return value ?? .null }
        var pairs: [(String, Value)] = []
        if case .object(let p) = target { pairs = p }
        let rest = path.dropFirst()
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            if rest.isEmpty && value == nil {
                pairs.remove(at: i)
            } else {
                pairs[i].1 = apply(value, at: rest, to: pairs[i].1)
            }
        } else if value != nil {
            pairs.append((key, apply(value, at: rest, to: .object([]))))
        }
        return .object(pairs)
    }

    /// Tags from the ancestors (farther first, so nearer ones win), then the resource's own.
    private func applyTags(to props: Value, _ ctx: RenderContext) -> Value {
        let inherited = ctx.tags(appliedBy: self)
        guard !inherited.isEmpty, case .object(var pairs) = props else { return props }

        switch Self.tagFormat {
        case .none:
            return props
        case .list(let name):
            var own: [Value] = []
            if let i = pairs.firstIndex(where: { $0.0 == name }) {
                guard case .array(let items) = pairs[i].1 else { return props }
                own = items
            }
            let ownKeys = Set(own.compactMap { $0["Key"]?.stringLiteral })
            var merged: [Value]
            if ownKeys.isEmpty {
                merged = inherited.listEntries
            } else {
                merged = []
                for (i, t) in inherited.sorted.enumerated() where !ownKeys.contains(t.key) {
                    merged.append(inherited.listEntries[i])
                }
            }
            merged.append(contentsOf: own)
            Self.set(name, .array(merged), in: &pairs)
        case .map(let name):
            var own: [(String, Value)] = []
            if let i = pairs.firstIndex(where: { $0.0 == name }) {
                guard case .object(let items) = pairs[i].1 else { return props }
                own = items
            }
            let ownKeys = Set(own.map(\.0))
            var merged: [(String, Value)]
            if ownKeys.isEmpty {
                merged = inherited.mapEntries
            } else {
                merged = []
                for (i, t) in inherited.sorted.enumerated() where !ownKeys.contains(t.key) {
                    merged.append(inherited.mapEntries[i])
                }
            }
            merged.append(contentsOf: own)
            Self.set(name, .object(merged), in: &pairs)
        }
        return .object(pairs)
    }

    /// Replaces `key` in place, or inserts it before the first greater key (properties render
    /// in sorted order).
    private static func set(_ key: String, _ value: Value, in pairs: inout [(String, Value)]) {
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            pairs[i].1 = value
        } else {
            pairs.insert((key, value), at: pairs.firstIndex(where: { $0.0 > key }) ?? pairs.count)
        }
    }
}

extension Configurable where Self: Resource {
    /// Creates the resource and sets its properties in `configure`:
    /// `SQS.Queue(stack, "Jobs") { $0.visibilityTimeout = 300 }`.
    public init(_ scope: Construct, _ id: String, _ configure: (Self) -> Void) {
        self.init(scope, id)
        configure(self)
    }
}

import InfraCore

/// One statement of an IAM policy. Actions and resources accumulate; rendering sorts and
/// de-duplicates them so the document is stable however grants were ordered.
public struct PolicyStatement {
    public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }

    public var sid: String?
    public var effect: Effect
    public var actions: [String]
    public var resources: [StringValue]
    /// Principals by kind: `["Service": ["lambda.amazonaws.com"]]`, `["AWS": [roleArn]]`.
    public var principals: [String: [StringValue]]
    /// Conditions: operator -> key -> value, e.g. `["Bool": ["aws:SecureTransport": "false"]]`.
    public var conditions: [String: [String: Value]]

    public init(
        sid: String? = nil, effect: Effect = .allow, actions: [String], resources: [StringValue] = [],
        principals: [String: [StringValue]] = [:], conditions: [String: [String: Value]] = [:]
    ) {
        self.sid = sid
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.principals = principals
        self.conditions = conditions
    }

    /// A statement that lets a service assume a role (`sts:AssumeRole`).
    public static func assumeRole(by service: String) -> PolicyStatement {
        PolicyStatement(actions: ["sts:AssumeRole"], principals: ["Service": [StringValue(service)]])
    }

    /// The statement as template JSON (single values unwrapped, lists sorted by their text).
    public var value: Value {
        var p: [(String, Value)] = []
        if let sid { p.append(("Sid", .string(sid))) }
        p.append(("Effect", .string(effect.rawValue)))
        if !principals.isEmpty {
            p.append(("Principal", .object(principals.keys.sorted().map { ($0, Self.list(principals[$0]!.map(\.token))) })))
        }
        p.append(("Action", Self.list(Array(Set(actions)).sorted().map(Value.string))))
        if !resources.isEmpty { p.append(("Resource", Self.list(Self.unique(resources.map(\.token))))) }
        if !conditions.isEmpty {
            p.append(("Condition", .object(conditions.keys.sorted().map { op in
                let inner = conditions[op]!
                return (op, .object(inner.keys.sorted().map { ($0, inner[$0]!) }))
            })))
        }
        return .object(p)
    }

    static func list(_ items: [Value]) -> Value { items.count == 1 ? items[0] : .array(items) }

    /// Keeps the first of equal values, in order.
    static func unique(_ items: [Value]) -> [Value] {
        var out: [Value] = []
        for i in items where !out.contains(i) { out.append(i) }
        return out
    }
}

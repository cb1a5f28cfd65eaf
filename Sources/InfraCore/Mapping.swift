/// A template mapping: top-level key -> second-level key -> value.
public final class Mapping: TemplateElement {
    public var entries: [String: [String: Value]]

    public init(_ scope: Construct, _ id: String, _ entries: [String: [String: Value]]) {
        self.entries = entries
        super.init(scope, id)
    }

    /// `Fn::FindInMap` in this mapping.
    public func find(_ topLevelKey: StringValue, _ secondLevelKey: StringValue) -> StringValue {
        StringValue(token: .intrinsic("Fn::FindInMap", .array([.lazy(LazyValue { [unowned self] _ in .string(self.logicalId) }), topLevelKey.token, secondLevelKey.token])))
    }

    func render() -> Value {
        .object(entries.keys.sorted().map { top in
            let inner = entries[top]!
            return (top, .object(inner.keys.sorted().map { ($0, inner[$0]!) }))
        })
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        for (top, inner) in entries {
            if !LogicalID.isValid(top.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "")) {
                errors.append("mapping key '\(top)' may hold only letters, digits, '-' and '.'")
            }
            for (k, v) in inner where !v.isLiteral {
                if case .array = v { continue }
                errors.append("mapping value '\(top).\(k)' must be a literal")
            }
        }
        return errors
    }
}

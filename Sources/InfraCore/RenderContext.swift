/// The state of one stack's rendering: where in the tree and in the property tree it is (for
/// messages), and the synthesis it belongs to (for diagnostics, exports and dependencies).
public final class RenderContext {
    /// The stack being rendered.
    public let stack: Stack
    let synthesis: Synthesis
    /// The element whose value is being rendered.
    var element: TemplateElement?
    private var propertyPath: [String] = []
    /// Local resources the current element references (its implicit dependencies).
    var referenced: [Resource] = []
    /// The conditions known to hold where the value being resolved applies: the element's own
    /// condition and the `Fn::If` branches around it. A reference to a conditional resource
    /// outside them is an error (CloudFormation: "Unresolved resource dependencies").
    var conditionsInForce: [Condition] = []
    /// The conditions known to be false (the `Fn::If` else branches around the value).
    var negatedInForce: [Condition] = []
    /// Tags inherited by the children of a construct (its own and its ancestors'), by construct.
    private var inheritedTags: [ObjectIdentifier: InheritedTags] = [:]

    init(stack: Stack, synthesis: Synthesis) {
        self.stack = stack
        self.synthesis = synthesis
    }

    public func push(_ component: String) { propertyPath.append(component) }
    public func pop() { propertyPath.removeLast() }

    /// Reports a validation error at the current construct and property path.
    public func error(_ message: String) {
        var location = element?.path ?? stack.path
        if !propertyPath.isEmpty {
            location += " (" + propertyPath.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + ")"
        }
        synthesis.report(location, message)
    }

    /// Turns references and intrinsics into template JSON as this stack sees them: a
    /// reference to another stack of the app becomes `Fn::ImportValue` of an export.
    public func resolve(_ value: Value) -> Value {
        resolved(value) ?? value
    }

    /// The resolution of `value`, or nil when it is a literal (and stays as it is): literal
    /// subtrees are shared, not copied.
    private func resolved(_ value: Value) -> Value? {
        switch value {
        case .null, .bool, .int, .double, .string:
            return nil
        case .array(let items):
            var out: [Value]?
            for i in items.indices {
                if let r = resolved(items[i]) {
                    if out == nil {
                        out = Array(items[..<i])
                        out!.reserveCapacity(items.count)
                    }
                    out!.append(r)
                } else if out != nil {
                    out!.append(items[i])
                }
            }
            return out.map(Value.array)
        case .object(let pairs):
            var out: [(String, Value)]?
            for i in pairs.indices {
                if let r = resolved(pairs[i].1) {
                    if out == nil {
                        out = Array(pairs[..<i])
                        out!.reserveCapacity(pairs.count)
                    }
                    out!.append((pairs[i].0, r))
                } else if out != nil {
                    out!.append(pairs[i])
                }
            }
            return out.map(Value.object)
        case .pseudo(let name):
            return .object([("Ref", .string(name))])
        case .ref(let target):
            return reference(target, attribute: nil)
        case .getAtt(let target, let attribute):
            return reference(target, attribute: attribute)
        case .condition(let condition):
            if condition.stack !== stack {
                error("condition '\(condition.path)' belongs to another stack")
            }
            return .string(condition.logicalId)
        case .intrinsic("Fn::If", .array(let args)) where args.count == 3:
            guard case .condition(let c) = args[0] else { return .object([("Fn::If", resolve(.array(args)))]) }
            let condition = resolve(args[0])
            conditionsInForce.append(c)
            let whenTrue = resolve(args[1])
            conditionsInForce.removeLast()
            negatedInForce.append(c)
            let whenFalse = resolve(args[2])
            negatedInForce.removeLast()
            return .object([("Fn::If", .array([condition, whenTrue, whenFalse]))])
        case .intrinsic(let name, let args):
            return .object([(name, resolve(args))])
        case .lazy(let lazy):
            return resolve(lazy.produce(self))
        }
    }

    /// True when `a` holding means `c` holds: the same condition, or an `Fn::And` that includes it.
    static func implies(_ a: Condition?, _ c: Condition) -> Bool {
        guard let a else { return false }
        if a === c { return true }
        if case .intrinsic("Fn::And", .array(let items)) = a.expression.token {
            for item in items {
                if case .intrinsic("Condition", .condition(let x)) = item, implies(x, c) { return true }
            }
        }
        return false
    }

    /// True when `c` is `Fn::Not [Condition: x]`.
    static func isNegation(_ c: Condition, of x: Condition) -> Bool {
        if case .intrinsic("Fn::Not", .array(let items)) = c.expression.token, items.count == 1,
           case .intrinsic("Condition", .condition(let inner)) = items[0] { return inner === x }
        return false
    }

    /// The tags `construct` and its ancestors apply (nearer ones win), sorted by key; computed
    /// once per construct while the stack renders.
    func tags(appliedBy construct: Construct) -> InheritedTags {
        let key = ObjectIdentifier(construct)
        if let known = inheritedTags[key] { return known }
        var tags: InheritedTags
        if let parent = construct.scope {
            tags = self.tags(appliedBy: parent)
            if !construct.appliedTags.isEmpty { tags = tags.overridden(by: construct.appliedTags) }
        } else {
            tags = InheritedTags([]).overridden(by: construct.appliedTags)
        }
        inheritedTags[key] = tags
        return tags
    }

    private func reference(_ target: any Referenceable, attribute: String?) -> Value {
        let local: Value = attribute.map {
            .object([("Fn::GetAtt", .array([.string(target.logicalId), .string($0)]))])
        } ?? .object([("Ref", .string(target.logicalId))])
        if target.stack === stack {
            if let r = target as? Resource {
                referenced.append(r)
                if let c = r.condition, !conditionsInForce.contains(where: { Self.implies($0, c) }),
                   !negatedInForce.contains(where: { Self.isNegation(c, of: $0) }) {
                    error("references '\(r.path)', which exists only when condition '\(c.logicalId)' holds: give this element the same condition or wrap the reference in Fn.if")
                }
            }
            return local
        }
        guard let targetApp = (target as? Construct)?.app, targetApp === stack.app else {
            error("references '\(target.path)', which belongs to another app")
            return local
        }
        let exportName = synthesis.export(from: target.stack, value: local, target: target, attribute: attribute)
        synthesis.addDependency(stack, on: target.stack)
        return .object([("Fn::ImportValue", .string(exportName))])
    }
}

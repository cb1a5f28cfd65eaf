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
        switch value {
        case .null, .bool, .int, .double, .string:
            return value
        case .array(let items):
            return .array(items.map(resolve))
        case .object(let pairs):
            return .object(pairs.map { ($0.0, resolve($0.1)) })
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
        case .intrinsic(let name, let args):
            return .object([(name, resolve(args))])
        case .lazy(let lazy):
            return resolve(lazy.produce(self))
        }
    }

    private func reference(_ target: any Referenceable, attribute: String?) -> Value {
        let local: Value = attribute.map {
            .object([("Fn::GetAtt", .array([.string(target.logicalId), .string($0)]))])
        } ?? .object([("Ref", .string(target.logicalId))])
        if target.stack === stack {
            if let r = target as? Resource { referenced.append(r) }
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

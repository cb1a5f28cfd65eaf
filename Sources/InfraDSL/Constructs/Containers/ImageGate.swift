import InfraCore

/// The image gate: what lets a stack create an ECR repository and run an image from it in one
/// template, deployed in two phases.
///
/// A service or function cannot start from a repository the same stack creates before someone
/// pushes the image, and the image cannot be pushed before the repository exists. So an image
/// `ContainerImage.fromRepository(repository, tag:)` of a repository created in the consumer's
/// stack gets a gate: a template parameter `<Name>ImageReady` (String, `"true"`/`"false"`,
/// default `"false"`) and a condition of the same name (`Fn::Equals [Ref param, "true"]`).
/// While it is false the image's consumers are held back:
/// - an ECS service runs no task (`DesiredCount: Fn::If [<Name>ImageReady, N, 0]`);
/// - a container-image Lambda function is not created (`Condition` on the function), and with
///   it everything that references it: event source mappings, permissions, bucket
///   notifications (`Fn::If` + `AWS::NoValue`), API methods (and the API deployment that
///   includes them), outputs.
///
/// `infra deploy` sets the parameter: it looks the tag up in the repository (ECR
/// `DescribeImages`) and passes `"true"` once the image exists. The first deploy creates the
/// repository with the consumers held back and prints the push commands; the next deploy
/// starts them. The manifest lists every gate under the stack's `images`.
///
/// `<Name>` is the consumer's path below the stack, without a trailing `TaskDefinition`,
/// `Task` or `Function` (`Frontend`, `Restoration`, `Inference`); one gate per repository and
/// tag in a stack, whichever consumer came first names it.
public final class ImageGate: Construct {
    /// The `<Name>ImageReady` parameter.
    public var parameter: Parameter { parameterStorage! }
    /// The `<Name>ImageReady` condition: true once the image exists.
    public var condition: Condition { conditionStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var parameterStorage: Parameter?
    private var conditionStorage: Condition?
    public let repository: Repository
    public let tag: String

    private init(stack: Stack, name: String, repository: Repository, tag: String) {
        self.repository = repository
        self.tag = tag
        super.init(stack, name)
        let p = Parameter(self, "Parameter", type: .string, default: .string("false"),
                          description: "\"true\" once the tag \(tag) is in the repository \(repository.path) (infra deploy sets it); \"false\" holds back what runs the image",
                          allowedValues: [.string("true"), .string("false")])
        p.overrideLogicalId(name)
        parameterStorage = p
        let c = Condition(self, "Condition", Fn.equals(p.stringValue, StringValue("true")))
        c.overrideLogicalId(name)
        conditionStorage = c
    }

    /// The gate of `repository:tag` in `consumer`'s stack, created on first use; nil when the
    /// repository is not created by that stack (imported, or in another stack).
    static func gate(for repository: Repository, tag: String, consumer: Construct) -> ImageGate? {
        guard repository.stack === consumer.stack else { return nil }
        let stack = consumer.stack
        for case let g as ImageGate in stack.children where g.repository === repository && g.tag == tag { return g }
        let base = name(for: consumer)
        var n = base + "ImageReady"
        var i = 2
        while stack.child(n) != nil {
            n = base + String(i) + "ImageReady"
            i += 1
        }
        return ImageGate(stack: stack, name: n, repository: repository, tag: tag)
    }

    /// `Frontend/TaskDefinition` -> `Frontend`, `InferenceFunction` -> `Inference`.
    static func name(for consumer: Construct) -> String {
        let below = consumer.pathComponents.dropFirst(consumer.stack.pathComponents.count)
            .filter { $0 != "TaskDefinition" && $0 != "Resource" && $0 != "Default" }
        var n = LogicalID.sanitize(below.joined())
        for suffix in ["TaskDefinition", "Task", "Function"] where n.hasSuffix(suffix) && n.count > suffix.count {
            n.removeLast(suffix.count)
            break
        }
        return n.isEmpty ? "Container" : n
    }

    /// One condition that holds when all of `gates` do: the gate's own for one, else an
    /// `Fn::And` condition `<owner>/ImagesReady` (created once).
    static func combinedCondition(_ gates: [ImageGate], owner: Construct) -> Condition? {
        var unique: [ImageGate] = []
        for g in gates where !unique.contains(where: { $0 === g }) { unique.append(g) }
        if unique.isEmpty { return nil }
        if unique.count == 1 { return unique[0].condition }
        if let existing = owner.child("ImagesReady") as? Condition { return existing }
        let expression = ConditionExpression(token: .intrinsic("Fn::And", .array(unique.prefix(10).map { $0.condition.asExpression.token })))
        return Condition(owner, "ImagesReady", expression)
    }
}

import InfraCore
import InfraResources

/// A CloudFormation custom resource backed by a Lambda function: CloudFormation invokes the
/// function on create, update and delete, and the function answers on the pre-signed
/// `ResponseURL` of the event.
///
/// ```swift
/// let initDb = Function(stack, "DbInit", code: .directory("lambda/db-init"), handler: "index.handler",
///                       runtime: .nodejs20X, timeout: .minutes(5), vpc: vpc)
/// db.secret.grantRead(initDb)
/// db.connections.allow(from: initDb, port: .tcp(db.port))
/// let run = CustomResource(stack, "InitDatabase", resourceType: "DbInit", provider: initDb,
///                          properties: ["SecretArn": db.secret.secretArn.value, "DbName": "labeling"])
/// run.addDependency(db)   // wait for the instances and the security group rule
/// ```
///
/// The resource is `Custom::<resourceType>` with `ServiceToken` = the function's ARN, the
/// given properties, and `CodeHash` = the provider's `codeHash` (or `version:` when given), so
/// a change of the function's code sends an Update to the function and re-runs it. CloudFormation
/// passes every scalar property to the function as a string.
///
/// Defaults: no extra properties; `DeletionPolicy` Delete (the function gets a Delete event
/// when the resource leaves the stack).
public final class CustomResource: Construct {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Resource { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: Resource?
    /// The function that handles the events.
    public let provider: any FunctionRef

    private let resourceType: String
    private let propertyNames: [String]
    private let referenced: Set<ObjectIdentifier>

    /// - Parameters:
    ///   - resourceType: the name after `Custom::` (letters, digits and `_@-`, at most 60).
    ///   - provider: the function handling the events.
    ///   - properties: passed to the function as `ResourceProperties` (default none).
    ///   - version: the value of `CodeHash` (default: the provider's `codeHash`; without
    ///     either, `CodeHash` is left out).
    ///   - removalPolicy: default `.delete`.
    public init(
        _ scope: Construct, _ id: String,
        resourceType: String,
        provider: any FunctionRef,
        properties: [String: Value] = [:],
        version: String? = nil,
        removalPolicy: DeletionPolicy = .delete
    ) {
        self.resourceType = resourceType
        self.provider = provider
        propertyNames = Array(properties.keys)
        var refs = Set<ObjectIdentifier>()
        func collect(_ v: Value) {
            switch v {
            case .ref(let target), .getAtt(let target, _): refs.insert(ObjectIdentifier(target))
            case .array(let items): items.forEach(collect)
            case .object(let pairs): pairs.forEach { collect($0.1) }
            case .intrinsic(_, let args): collect(args)
            default: break
            }
        }
        properties.values.forEach(collect)
        collect(provider.functionArn.token)
        referenced = refs
        super.init(scope, id)
        let r = Resource(self, "Resource", type: "Custom::\(resourceType)")
        resourceStorage = r
        r.addPropertyOverride("ServiceToken", provider.functionArn.token)
        for key in properties.keys.sorted() { r.addPropertyOverride(key, properties[key]!) }
        if let hash = version ?? (provider as? Function)?.codeHash { r.addPropertyOverride("CodeHash", .string(hash)) }
        if removalPolicy != .delete {
            r.deletionPolicy = removalPolicy
            r.updateReplacePolicy = removalPolicy
        }
    }

    /// An attribute the function returned in `Data` (`Fn::GetAtt`).
    public func getAttString(_ name: String) -> StringValue { resource.getAtt(name) }

    /// The physical id the function returned (`Ref`).
    public var ref: StringValue { resource.ref }

    /// Makes the resource wait for every CloudFormation resource in `construct` (for example a
    /// database cluster, its instances and its security group rules), except those its
    /// properties already reference.
    public func addDependency(_ construct: Construct) {
        for r in ServerlessSupport.resources(in: construct)
        where r.stack === resource.stack && !referenced.contains(ObjectIdentifier(r)) {
            resource.addDependency(r)
        }
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if resourceType.isEmpty || resourceType.count > 60
            || !resourceType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_@-".contains($0)) }) {
            errors.append("resourceType '\(resourceType)' is invalid: 1-60 letters, digits and '_@-' (it becomes Custom::\(resourceType))")
        }
        for reserved in ["ServiceToken", "CodeHash"] where propertyNames.contains(reserved) {
            errors.append("property '\(reserved)' is set by the construct; choose another name")
        }
        for key in propertyNames where key.isEmpty || key.contains(".") {
            errors.append("property name '\(key)' is invalid: it must be non-empty and without '.'")
        }
        return errors
    }
}

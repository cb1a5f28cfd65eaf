import InfraCore
import InfraResources

/// An IAM role with an inline policy that `grant*` calls accumulate into.
///
/// Defaults: no permissions but those granted; the inline policy is rendered at synthesis
/// (merged, sorted statements) and left out when empty.
public final class Role: Construct, Grantable {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: IAM.Role { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: IAM.Role?
    public private(set) var policy = PolicyDocument()
    public private(set) var managedPolicyArns: [StringValue] = []

    /// A role that `service` (e.g. `lambda.amazonaws.com`) can assume.
    public init(_ scope: Construct, _ id: String, assumedBy service: String, description: String? = nil) {
        super.init(scope, id)
        resourceStorage = IAM.Role(self, "Resource")
        resource.assumeRolePolicyDocument = PolicyDocument([.assumeRole(by: service)]).value
        if let description { resource.description = StringValue(description) }
    }

    public var arn: StringValue { resource.attrArn }
    public var roleName: StringValue { resource.ref }

    public func addToPrincipalPolicy(_ statement: PolicyStatement) {
        policy.add(statement)
    }

    /// Attaches an AWS managed policy by name (`service-role/AWSLambdaBasicExecutionRole`).
    public func addManagedPolicy(_ name: String) {
        let arn: StringValue = "arn:\(Pseudo.partition):iam::aws:policy/\(name)"
        if !managedPolicyArns.contains(arn) { managedPolicyArns.append(arn) }
    }

    public override func prepare() {
        if !managedPolicyArns.isEmpty { resource.managedPolicyArns = ListValue(managedPolicyArns) }
        if !policy.isEmpty {
            resource.policies = [.init {
                $0.policyName = "default"
                $0.policyDocument = self.policy.value
            }]
        }
    }
}

import InfraCore

/// A value injected into a container's environment from a secret store at start, never
/// written into the template. The task's execution role is granted read access to it.
public struct ContainerSecret {
    enum Kind { case secretsManager(StringValue, field: String?, grant: ((Grantable) -> Void)?), ssmParameter(String) }
    let kind: Kind

    /// A Secrets Manager secret by ARN, or one JSON field of it (`field: "password"`).
    /// `grantRead` grants the execution role read access; by default it gets
    /// `secretsmanager:GetSecretValue` and `DescribeSecret` on `secretArn` as given. For a
    /// `Secret` construct pass its own grant, which also covers a customer managed key and
    /// name-imported (partial) ARNs:
    /// `.secretsManager(secret.secretArn, field: "password", grantRead: secret.grantRead)`.
    public static func secretsManager(_ secretArn: StringValue, field: String? = nil,
                                      grantRead: ((Grantable) -> Void)? = nil) -> ContainerSecret {
        ContainerSecret(kind: .secretsManager(secretArn, field: field, grant: grantRead))
    }

    /// An SSM parameter (String or SecureString) of the stack's account and region by name
    /// (`/app/db-password`).
    public static func ssmParameter(_ name: String) -> ContainerSecret {
        ContainerSecret(kind: .ssmParameter(name))
    }

    /// The `ValueFrom` of the container definition.
    var valueFrom: StringValue {
        switch kind {
        case .secretsManager(let arn, let field, _):
            guard let field else { return arn }
            return "\(arn):\(field)::"
        case .ssmParameter(let name):
            return parameterArn(name)
        }
    }

    private func parameterArn(_ name: String) -> StringValue {
        let trimmed = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return Fn.sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/\(trimmed)")
    }

    func grantRead(_ grantee: Grantable) {
        switch kind {
        case .secretsManager(_, _, let grant?):
            grant(grantee)
        case .secretsManager(let arn, _, nil):
            grantee.addToPrincipalPolicy(PolicyStatement(
                actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], resources: [arn]))
        case .ssmParameter(let name):
            grantee.addToPrincipalPolicy(PolicyStatement(actions: ["ssm:GetParameters"], resources: [parameterArn(name)]))
        }
    }
}

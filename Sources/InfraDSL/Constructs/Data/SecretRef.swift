import InfraCore

/// A Secrets Manager secret other constructs can read: one this app creates (`Secret`) or an
/// existing one (`Secret.imported(...)`, an `ImportedSecret`, also what a database's
/// attached secret is). Its ARN, dynamic references to its value and the read grant work on
/// both.
public protocol SecretRef: Construct {
    /// The secret's ARN (a partial ARN for a secret imported by name).
    var secretArn: StringValue { get }
    /// The ARN (or pattern) read grants cover.
    var grantArn: StringValue { get }
    /// The customer managed KMS key of the secret, if any (grants include `kms:Decrypt`).
    var encryptionKeyArn: StringValue? { get }
}

extension SecretRef {
    /// A dynamic reference to a field of the JSON value,
    /// `{{resolve:secretsmanager:<arn>:SecretString:<field>::}}`, resolved by CloudFormation
    /// at deploy time (the value never appears in the template).
    public func secretValue(field: String) -> StringValue {
        ServerlessSupport.flat("{{resolve:secretsmanager:\(secretArn):SecretString:\(field)::}}")
    }

    /// A dynamic reference to the whole value.
    public var secretValue: StringValue { ServerlessSupport.flat("{{resolve:secretsmanager:\(secretArn):SecretString:::}}") }

    /// Lets `grantee` read the value (`secretsmanager:GetSecretValue`, `DescribeSecret`, and
    /// `kms:Decrypt` on a customer managed key).
    public func grantRead(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "read")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            resources: [grantArn]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ["kms:Decrypt"])
    }
}

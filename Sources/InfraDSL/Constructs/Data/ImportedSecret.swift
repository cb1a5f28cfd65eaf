import InfraCore

/// An existing secret by ARN or name (`Secret.imported(...)`): creates nothing.
public final class ImportedSecret: Construct, SecretRef {
    public let secretArn: StringValue
    public let grantArn: StringValue
    public let encryptionKeyArn: StringValue?

    init(_ scope: Construct, _ id: String, secretArn: StringValue, grantArn: StringValue, encryptionKeyArn: StringValue?) {
        self.secretArn = secretArn
        self.grantArn = grantArn
        self.encryptionKeyArn = encryptionKeyArn
        super.init(scope, id)
    }
}

extension Secret {
    /// An existing secret by its full ARN (with the 6-character suffix Secrets Manager adds).
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedSecret {
        ImportedSecret(scope, id, secretArn: arn, grantArn: arn, encryptionKeyArn: encryptionKeyArn)
    }

    /// An existing secret of this account and region by name. `secretArn` is then the
    /// partial ARN (accepted by Secrets Manager, ECS and dynamic references); grants cover
    /// `<name>-??????`.
    public static func imported(_ scope: Construct, _ id: String, name: String, encryptionKeyArn: StringValue? = nil) -> ImportedSecret {
        let partial: StringValue = "arn:\(Pseudo.partition):secretsmanager:\(Pseudo.region):\(Pseudo.accountId):secret:\(name)"
        return ImportedSecret(scope, id, secretArn: partial, grantArn: ServerlessSupport.flat("\(partial)-??????"),
                              encryptionKeyArn: encryptionKeyArn)
    }
}

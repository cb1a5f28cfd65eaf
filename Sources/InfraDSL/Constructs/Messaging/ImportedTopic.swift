import InfraCore

/// An existing topic by ARN (`Topic.imported(...)`): creates nothing. It can be published to
/// and subscribed to; its policy is not managed here.
public final class ImportedTopic: Construct, TopicRef {
    public let topicArn: StringValue
    public let encryptionKeyArn: StringValue?
    /// True when the ARN ends with `.fifo` (false when the ARN is a token).
    public let isFifo: Bool

    init(_ scope: Construct, _ id: String, topicArn: StringValue, encryptionKeyArn: StringValue?) {
        self.topicArn = topicArn
        self.encryptionKeyArn = encryptionKeyArn
        isFifo = topicArn.literal?.hasSuffix(".fifo") ?? false
        super.init(scope, id)
    }

    /// The topic's name, taken from its ARN.
    public var topicName: StringValue { ServerlessSupport.arnResourceName(topicArn, tokenIndex: 5) }
}

extension Topic {
    /// An existing topic by ARN. Pass the KMS key of a topic encrypted with a customer managed
    /// key so `grantPublish` includes it.
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedTopic {
        ImportedTopic(scope, id, topicArn: arn, encryptionKeyArn: encryptionKeyArn)
    }
}

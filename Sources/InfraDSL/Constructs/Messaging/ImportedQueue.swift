import InfraCore

/// An existing queue by ARN (`Queue.imported(...)`): creates nothing. It has an ARN, a URL, a
/// name and grants, and can feed an event source; its policy is not managed here.
public final class ImportedQueue: Construct, QueueRef {
    public let queueArn: StringValue
    public let encryptionKeyArn: StringValue?
    /// True when the name in the ARN ends with `.fifo` (false when the ARN is a token).
    public let isFifo: Bool

    init(_ scope: Construct, _ id: String, queueArn: StringValue, encryptionKeyArn: StringValue?) {
        self.queueArn = queueArn
        self.encryptionKeyArn = encryptionKeyArn
        isFifo = ServerlessSupport.arnResourceName(queueArn, tokenIndex: 5).literal?.hasSuffix(".fifo") ?? false
        super.init(scope, id)
    }

    /// The queue's name, taken from its ARN.
    public var queueName: StringValue { ServerlessSupport.arnResourceName(queueArn, tokenIndex: 5) }

    /// `https://sqs.<region>.<url suffix>/<account>/<name>`, from the ARN.
    public var queueUrl: StringValue {
        let region = ServerlessSupport.arnComponent(queueArn, separator: ":", index: 3)
        let account = ServerlessSupport.arnComponent(queueArn, separator: ":", index: 4)
        return "https://sqs.\(region).\(Pseudo.urlSuffix)/\(account)/\(queueName)"
    }
}

extension Queue {
    /// An existing queue by ARN (`arn:aws:sqs:<region>:<account>:<name>`). Pass the KMS key
    /// of a queue encrypted with a customer managed key so grants include it.
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedQueue {
        ImportedQueue(scope, id, queueArn: arn, encryptionKeyArn: encryptionKeyArn)
    }
}

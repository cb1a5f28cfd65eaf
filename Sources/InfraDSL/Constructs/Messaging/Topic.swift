import InfraCore
import InfraResources

/// An SNS topic, with subscriptions of queues and functions (fan-out).
///
/// ```swift
/// let processed = Topic(stack, "Processed")
/// processed.addSubscription(queue: toLabel, rawMessageDelivery: true)
/// processed.addSubscription(function: archiver)
/// processed.grantPublish(preprocess)
/// ```
///
/// Defaults: encrypted at rest with the AWS managed key `alias/aws/sns` (publishers in the
/// account need no KMS permission; AWS services that publish to the topic, such as S3 event
/// notifications or CloudWatch alarms, need `.kms(keyArn:)` with a key policy that allows
/// them, or `.none`), a topic policy denying publishing over plain HTTP
/// (`aws:SecureTransport` false), standard (not FIFO) topic, deleted with the stack.
///
/// Subscriptions are created in the subscriber's scope (so a queue or function in another
/// stack depends on the topic's stack, never the other way round): a queue subscription adds
/// a statement to the queue's policy allowing `sqs:SendMessage` from this topic only
/// (`aws:SourceArn`), and waits for that policy; a function subscription adds a
/// `Lambda::Permission` for `sns.amazonaws.com` limited to this topic.
public final class Topic: Construct, TopicRef {
    /// Server-side encryption of the messages at rest.
    public enum Encryption {
        /// No encryption at rest.
        case none
        /// The AWS managed key `alias/aws/sns`.
        case awsManaged
        /// A customer managed KMS key (ARN or id); `grantPublish` adds the KMS actions.
        case kms(keyArn: StringValue)
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: SNS.Topic { topicResource! }
    /// The topic policy (`<path>/Policy`), present once a statement exists.
    public private(set) var policy: SNS.TopicPolicy?
    /// True for a FIFO topic.
    public let isFifo: Bool
    /// The customer managed KMS key of the topic, if any.
    public let encryptionKeyArn: StringValue?

    /// Set in `init`, right after the construct itself (its scope) exists.
    private var topicResource: SNS.Topic?
    private let topicNameLiteral: String?
    private var document = PolicyDocument()
    private var problems: [String] = []

    /// A new topic.
    /// - Parameters:
    ///   - topicName: a physical name (default: generated).
    ///   - displayName: the display name (default none).
    ///   - encryption: default `.awsManaged`.
    ///   - fifo: a FIFO topic (default false).
    ///   - enforceSSL: the TLS-only topic policy statement (default true).
    public init(
        _ scope: Construct, _ id: String,
        topicName: String? = nil,
        displayName: String? = nil,
        encryption: Encryption = .awsManaged,
        fifo: Bool = false,
        enforceSSL: Bool = true
    ) {
        isFifo = fifo
        topicNameLiteral = topicName
        if case .kms(let key) = encryption { encryptionKeyArn = key } else { encryptionKeyArn = nil }
        super.init(scope, id)
        let t = SNS.Topic(self, "Resource")
        topicResource = t
        if let topicName { t.topicName = StringValue(topicName) }
        if let displayName { t.displayName = StringValue(displayName) }
        switch encryption {
        case .none: break
        case .awsManaged: t.kmsMasterKeyId = "alias/aws/sns"
        case .kms(let key): t.kmsMasterKeyId = key
        }
        if fifo { t.fifoTopic = true }
        if enforceSSL {
            addToResourcePolicy(PolicyStatement(
                effect: .deny, actions: ["sns:Publish"], resources: [topicArn], principals: ["AWS": ["*"]],
                conditions: ["Bool": ["aws:SecureTransport": "false"]]))
        }
    }

    /// The topic's ARN.
    public var topicArn: StringValue { resource.ref }

    /// The topic's name.
    public var topicName: StringValue { resource.attrTopicName }

    /// Adds a statement to the topic policy (created on first use).
    public func addToResourcePolicy(_ statement: PolicyStatement) {
        document.add(statement)
        if policy == nil {
            let p = SNS.TopicPolicy(self, "Policy")
            p.topics = [topicArn]
            p.policyDocument = .lazy(LazyValue { [unowned self] _ in self.document.value })
            policy = p
        }
    }

    public override func validate() -> [String] {
        var errors = problems
        if let name = topicNameLiteral {
            let base = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
            if base.isEmpty || name.count > 256 || !base.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                errors.append("topicName '\(name)' is invalid: 1-256 letters, digits, '-' and '_' (and '.fifo' at the end of a FIFO topic)")
            }
            if isFifo != name.hasSuffix(".fifo") {
                errors.append("topicName '\(name)' must end with '.fifo' exactly when the topic is FIFO")
            }
        }
        return errors
    }
}

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
public final class Topic: Construct {
    /// Server-side encryption of the messages at rest.
    public enum Encryption {
        /// No encryption at rest.
        case none
        /// The AWS managed key `alias/aws/sns`.
        case awsManaged
        /// A customer managed KMS key (ARN or id); `grantPublish` adds the KMS actions.
        case kms(keyArn: StringValue)
    }

    /// The CloudFormation resource (`<path>/Resource`); nil for an imported topic.
    public private(set) var resource: SNS.Topic?
    /// The topic policy (`<path>/Policy`), present once a statement exists.
    public private(set) var policy: SNS.TopicPolicy?
    /// True for a FIFO topic.
    public let isFifo: Bool
    /// The customer managed KMS key of the topic, if any.
    public let encryptionKeyArn: StringValue?

    private let importedArn: StringValue?
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
        importedArn = nil
        isFifo = fifo
        topicNameLiteral = topicName
        if case .kms(let key) = encryption { encryptionKeyArn = key } else { encryptionKeyArn = nil }
        super.init(scope, id)
        let t = SNS.Topic(self, "Resource")
        resource = t
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

    private init(_ scope: Construct, _ id: String, importedArn: StringValue, encryptionKeyArn: StringValue?) {
        self.importedArn = importedArn
        self.encryptionKeyArn = encryptionKeyArn
        isFifo = importedArn.literal?.hasSuffix(".fifo") ?? false
        topicNameLiteral = nil
        super.init(scope, id)
    }

    /// An existing topic by ARN. Pass the KMS key of a topic encrypted with a customer managed
    /// key so `grantPublish` includes it.
    public static func fromArn(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> Topic {
        Topic(scope, id, importedArn: arn, encryptionKeyArn: encryptionKeyArn)
    }

    /// The topic's ARN.
    public var topicArn: StringValue { resource?.ref ?? importedArn! }

    /// The topic's name.
    public var topicName: StringValue {
        if let resource { return resource.attrTopicName }
        return ServerlessSupport.arnResourceName(importedArn!, tokenIndex: 5)
    }

    /// Adds a statement to the topic policy (created on first use).
    public func addToResourcePolicy(_ statement: PolicyStatement) {
        guard resource != nil else {
            problems.append("cannot change the policy of an imported topic")
            return
        }
        document.add(statement)
        if policy == nil {
            let p = SNS.TopicPolicy(self, "Policy")
            p.topics = [topicArn]
            p.policyDocument = .lazy(LazyValue { [unowned self] _ in self.document.value })
            policy = p
        }
    }

    /// Lets `grantee` publish to the topic.
    public func grantPublish(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "publish")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["sns:Publish"], resources: [topicArn]))
        if let key = encryptionKeyArn {
            grantee.addToPrincipalPolicy(PolicyStatement(actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: [key]))
        }
    }

    /// Subscribes `queue`: messages published to the topic are delivered to it.
    /// - Parameters:
    ///   - rawMessageDelivery: deliver the message body alone, without the SNS envelope
    ///     (default false).
    ///   - filterPolicy: an SNS filter policy on message attributes (default none).
    @discardableResult
    public func addSubscription(queue: Queue, rawMessageDelivery: Bool = false, filterPolicy: Value? = nil) -> SNS.Subscription {
        if queue.isFifo != isFifo {
            problems.append("queue \(queue.path) cannot subscribe: a \(isFifo ? "FIFO" : "standard") topic delivers only to \(isFifo ? "FIFO" : "standard") queues")
        }
        queue.addToResourcePolicy(PolicyStatement(
            actions: ["sqs:SendMessage"], resources: [queue.queueArn],
            principals: ["Service": ["sns.amazonaws.com"]],
            conditions: ["ArnEquals": ["aws:SourceArn": topicArn.token]]))
        app.addRelation(from: self, to: queue, .subscription, label: rawMessageDelivery ? "raw messages" : "")
        let sub = SNS.Subscription(queue, "Subscription" + ServerlessSupport.idFragment(self))
        sub.topicArn = topicArn
        sub.protocol = "sqs"
        sub.endpoint = queue.queueArn
        if rawMessageDelivery { sub.rawMessageDelivery = true }
        if let filterPolicy { sub.filterPolicy = filterPolicy }
        if let p = queue.policy { sub.addDependency(p) }
        return sub
    }

    /// Subscribes `function`: it is invoked with each message (a `Lambda::Permission` lets
    /// this topic, and only it, invoke the function).
    @discardableResult
    public func addSubscription(function: Function, filterPolicy: Value? = nil) -> SNS.Subscription {
        if isFifo { problems.append("a FIFO topic cannot deliver to a Lambda function (\(function.path))") }
        let scope: Construct = function
        app.addRelation(from: self, to: function, .subscription)
        let fragment = ServerlessSupport.idFragment(self)
        function.addPermission("InvokeBy" + fragment, principal: "sns.amazonaws.com", sourceArn: topicArn, scope: scope)
        let sub = SNS.Subscription(scope, "Subscription" + fragment)
        sub.topicArn = topicArn
        sub.protocol = "lambda"
        sub.endpoint = function.functionArn
        if let filterPolicy { sub.filterPolicy = filterPolicy }
        return sub
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

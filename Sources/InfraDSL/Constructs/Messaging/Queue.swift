import InfraCore
import InfraResources

/// An SQS queue, encrypted and reachable over TLS only.
///
/// ```swift
/// let dlq = Queue(stack, "JobsDLQ")
/// let jobs = Queue(stack, "Jobs", visibilityTimeout: .seconds(60),
///                  deadLetterQueue: .init(queue: dlq, maxReceiveCount: 5))
/// jobs.grantSendMessages(scraperTask)
/// ```
///
/// Defaults: SQS-managed server-side encryption (SSE-SQS), a queue policy denying any request
/// not made over TLS (`aws:SecureTransport` false), standard (not FIFO) queue, visibility
/// timeout 30 s, retention 4 days, no delivery delay, short polling (receive wait 0 s), no
/// dead-letter queue, deleted with the stack.
public final class Queue: Construct {
    /// Server-side encryption of the messages.
    public enum Encryption {
        /// SQS-managed keys (SSE-SQS), free and transparent to senders and consumers.
        case sqsManaged
        /// A customer managed KMS key (ARN or id); grants add the KMS actions senders and
        /// consumers need on it. A topic or an AWS service sending to the queue needs the
        /// key policy to allow it as well (managed outside this construct).
        case kms(keyArn: StringValue)
    }

    /// Where messages go after failing `maxReceiveCount` receives.
    public struct DeadLetterQueue {
        public let queue: Queue
        public let maxReceiveCount: Int
        /// `maxReceiveCount`: 1...1000 (default 3).
        public init(queue: Queue, maxReceiveCount: Int = 3) {
            self.queue = queue
            self.maxReceiveCount = maxReceiveCount
        }
    }

    /// The CloudFormation resource (`<path>/Resource`); nil for an imported queue.
    public private(set) var resource: SQS.Queue?
    /// The queue policy (`<path>/Policy`), present once a statement exists (always, with
    /// the default TLS-only statement).
    public private(set) var policy: SQS.QueuePolicy?
    /// True for a FIFO queue.
    public let isFifo: Bool
    /// The visibility timeout (nil for an imported queue).
    public let visibilityTimeout: TimeSpan?
    /// The KMS key of a queue encrypted with a customer managed key.
    public let encryptionKeyArn: StringValue?

    private let importedArn: StringValue?
    private let queueNameLiteral: String?
    private let retentionPeriod: TimeSpan
    private let deliveryDelay: TimeSpan
    private let receiveMessageWaitTime: TimeSpan
    private let deadLetterQueue: DeadLetterQueue?
    private var document = PolicyDocument()
    private var problems: [String] = []
    private var removalPolicy: DeletionPolicy = .delete

    /// A new queue.
    /// - Parameters:
    ///   - queueName: a physical name (default: generated; FIFO names end with `.fifo`).
    ///   - encryption: default `.sqsManaged`.
    ///   - fifo: a FIFO queue (default false).
    ///   - contentBasedDeduplication: FIFO only (default false).
    ///   - visibilityTimeout: up to 12 hours (default `.seconds(30)`). A Lambda consumer needs it
    ///     at least as long as its timeout.
    ///   - retentionPeriod: 1 minute to 14 days (default `.days(4)`).
    ///   - deliveryDelay: up to 15 minutes (default `.zero`).
    ///   - receiveMessageWaitTime: long polling, up to 20 seconds (default `.zero`).
    ///   - deadLetterQueue: default none.
    ///   - enforceSSL: the TLS-only queue policy statement (default true).
    ///   - removalPolicy: what happens on stack deletion (default `.delete`).
    public init(
        _ scope: Construct, _ id: String,
        queueName: String? = nil,
        encryption: Encryption = .sqsManaged,
        fifo: Bool = false,
        contentBasedDeduplication: Bool = false,
        visibilityTimeout: TimeSpan = .seconds(30),
        retentionPeriod: TimeSpan = .days(4),
        deliveryDelay: TimeSpan = .zero,
        receiveMessageWaitTime: TimeSpan = .zero,
        deadLetterQueue: DeadLetterQueue? = nil,
        enforceSSL: Bool = true,
        removalPolicy: DeletionPolicy = .delete
    ) {
        importedArn = nil
        isFifo = fifo
        self.visibilityTimeout = visibilityTimeout
        self.queueNameLiteral = queueName
        self.retentionPeriod = retentionPeriod
        self.deliveryDelay = deliveryDelay
        self.receiveMessageWaitTime = receiveMessageWaitTime
        self.deadLetterQueue = deadLetterQueue
        if case .kms(let key) = encryption { encryptionKeyArn = key } else { encryptionKeyArn = nil }
        super.init(scope, id)

        let q = SQS.Queue(self, "Resource")
        resource = q
        if let queueName { q.queueName = StringValue(queueName) }
        switch encryption {
        case .sqsManaged: q.sqsManagedSseEnabled = true
        case .kms(let key): q.kmsMasterKeyId = key
        }
        if fifo {
            q.fifoQueue = true
            if contentBasedDeduplication { q.contentBasedDeduplication = true }
        } else if contentBasedDeduplication {
            problems.append("contentBasedDeduplication needs a FIFO queue")
        }
        q.visibilityTimeout = NumberValue(visibilityTimeout.seconds)
        q.messageRetentionPeriod = NumberValue(retentionPeriod.seconds)
        if deliveryDelay != .zero { q.delaySeconds = NumberValue(deliveryDelay.seconds) }
        if receiveMessageWaitTime != .zero { q.receiveMessageWaitTimeSeconds = NumberValue(receiveMessageWaitTime.seconds) }
        if let dlq = deadLetterQueue {
            app.addRelation(from: self, to: dlq.queue, .deadLetter, label: "after \(dlq.maxReceiveCount) receives")
            q.redrivePolicy = .object([
                ("deadLetterTargetArn", dlq.queue.queueArn.token),
                ("maxReceiveCount", .int(dlq.maxReceiveCount)),
            ])
        }
        q.deletionPolicy = removalPolicy
        q.updateReplacePolicy = removalPolicy
        self.removalPolicy = removalPolicy
        if enforceSSL {
            addToResourcePolicy(PolicyStatement(
                effect: .deny, actions: ["sqs:*"], resources: [queueArn], principals: ["AWS": ["*"]],
                conditions: ["Bool": ["aws:SecureTransport": "false"]]))
        }
    }

    private init(_ scope: Construct, _ id: String, importedArn: StringValue, encryptionKeyArn: StringValue?) {
        self.importedArn = importedArn
        self.encryptionKeyArn = encryptionKeyArn
        let name = ServerlessSupport.arnResourceName(importedArn, tokenIndex: 5)
        isFifo = name.literal?.hasSuffix(".fifo") ?? false
        visibilityTimeout = nil
        queueNameLiteral = nil
        retentionPeriod = .days(4)
        deliveryDelay = .zero
        receiveMessageWaitTime = .zero
        deadLetterQueue = nil
        super.init(scope, id)
    }

    /// An existing queue by ARN (`arn:aws:sqs:<region>:<account>:<name>`). Pass the KMS key
    /// of a queue encrypted with a customer managed key so grants include it.
    public static func fromArn(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> Queue {
        Queue(scope, id, importedArn: arn, encryptionKeyArn: encryptionKeyArn)
    }

    /// The queue's ARN.
    public var queueArn: StringValue { resource?.attrArn ?? importedArn! }

    /// The queue's URL.
    public var queueUrl: StringValue {
        if let resource { return resource.ref }
        let arn = importedArn!
        let region = ServerlessSupport.arnComponent(arn, separator: ":", index: 3)
        let account = ServerlessSupport.arnComponent(arn, separator: ":", index: 4)
        return "https://sqs.\(region).\(Pseudo.urlSuffix)/\(account)/\(queueName)"
    }

    /// The queue's name.
    public var queueName: StringValue {
        if let resource { return resource.attrQueueName }
        return ServerlessSupport.arnResourceName(importedArn!, tokenIndex: 5)
    }

    /// True for a queue imported by ARN.
    public var isImported: Bool { resource == nil }

    /// Adds a statement to the queue policy (created on first use).
    public func addToResourcePolicy(_ statement: PolicyStatement) {
        guard resource != nil else {
            problems.append("cannot change the policy of an imported queue")
            return
        }
        document.add(statement)
        if policy == nil {
            let p = SQS.QueuePolicy(self, "Policy")
            p.queues = [queueUrl]
            p.policyDocument = .lazy(LazyValue { [unowned self] _ in self.document.value })
            policy = p
        }
    }

    /// Lets `grantee` send messages.
    public func grantSendMessages(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "send")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"], resources: [queueArn]))
        grantKey(grantee, ServerlessSupport.kmsEncryptDecryptActions)
    }

    /// Lets `grantee` receive, delete and change the visibility of messages.
    public func grantConsumeMessages(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "consume")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                      "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            resources: [queueArn]))
        grantKey(grantee, ServerlessSupport.kmsDecryptActions)
    }

    /// Lets `grantee` purge the queue.
    public func grantPurge(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "purge")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:PurgeQueue"], resources: [queueArn]))
    }

    private func grantKey(_ grantee: Grantable, _ actions: [String]) {
        if let key = encryptionKeyArn {
            grantee.addToPrincipalPolicy(PolicyStatement(actions: actions, resources: [key]))
        }
    }

    public override func validate() -> [String] {
        var errors = problems + ServerlessSupport.checkNoSnapshot(removalPolicy, "SQS queues")
        guard resource != nil else { return errors }
        errors += [visibilityTimeout?.problem("visibilityTimeout", in: .zero...(.hours(12))),
                   retentionPeriod.problem("retentionPeriod", in: .minutes(1)...(.days(14))),
                   deliveryDelay.problem("deliveryDelay", in: .zero...(.minutes(15))),
                   receiveMessageWaitTime.problem("receiveMessageWaitTime", in: .zero...(.seconds(20)))].compactMap { $0 }
        if let name = queueNameLiteral {
            let base = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
            if base.isEmpty || name.count > 80 || !base.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                errors.append("queueName '\(name)' is invalid: 1-80 letters, digits, '-' and '_' (and '.fifo' at the end of a FIFO queue)")
            }
            if isFifo && !name.hasSuffix(".fifo") { errors.append("the name of a FIFO queue must end with '.fifo' (got '\(name)')") }
            if !isFifo && name.hasSuffix(".fifo") { errors.append("queueName '\(name)' ends with '.fifo' but the queue is not FIFO (fifo: true)") }
        }
        if let dlq = deadLetterQueue {
            errors += ServerlessSupport.check(dlq.maxReceiveCount, in: 1...1000, "maxReceiveCount of the dead-letter queue")
            if dlq.queue.isFifo != isFifo {
                errors.append("the dead-letter queue \(dlq.queue.path) must be \(isFifo ? "a FIFO" : "a standard") queue like this one")
            }
            if dlq.queue === self { errors.append("a queue cannot be its own dead-letter queue") }
        }
        return errors
    }
}

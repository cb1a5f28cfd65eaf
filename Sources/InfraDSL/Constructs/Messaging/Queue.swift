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
public final class Queue: Construct, QueueRef {
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
        public let queue: any QueueRef
        public let maxReceiveCount: Int
        /// `maxReceiveCount`: 1...1000 (default 3).
        public init(queue: any QueueRef, maxReceiveCount: Int = 3) {
            self.queue = queue
            self.maxReceiveCount = maxReceiveCount
        }
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: SQS.Queue { queueResource! }
    /// The queue policy (`<path>/Policy`), present once a statement exists (always, with
    /// the default TLS-only statement).
    public private(set) var policy: SQS.QueuePolicy?
    /// True for a FIFO queue.
    public let isFifo: Bool
    /// The visibility timeout.
    public let visibilityTimeout: TimeSpan
    /// The KMS key of a queue encrypted with a customer managed key.
    public let encryptionKeyArn: StringValue?

    /// Set in `init`, right after the construct itself (its scope) exists.
    private var queueResource: SQS.Queue?
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
        queueResource = q
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

    /// The queue's ARN.
    public var queueArn: StringValue { resource.attrArn }

    /// The queue's URL.
    public var queueUrl: StringValue { resource.ref }

    /// The queue's name.
    public var queueName: StringValue { resource.attrQueueName }

    /// Adds a statement to the queue policy (created on first use).
    public func addToResourcePolicy(_ statement: PolicyStatement) {
        document.add(statement)
        if policy == nil {
            let p = SQS.QueuePolicy(self, "Policy")
            p.queues = [queueUrl]
            p.policyDocument = .lazy(LazyValue { [unowned self] _ in self.document.value })
            policy = p
        }
    }

    public override func validate() -> [String] {
        var errors = problems + ServerlessSupport.checkNoSnapshot(removalPolicy, "SQS queues")
        errors += [visibilityTimeout.problem("visibilityTimeout", in: .zero...(.hours(12))),
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

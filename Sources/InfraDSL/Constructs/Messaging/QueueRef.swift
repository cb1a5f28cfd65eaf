import InfraCore
import InfraResources

/// An SQS queue other constructs can use: one this app creates (`Queue`) or an existing one
/// (`Queue.imported(...)`, an `ImportedQueue`).
///
/// Its ARN, URL and name, and the grants, work on both; so do event sources and dead-letter
/// targets. What needs the queue's own resource (its policy, hence topic subscriptions) exists
/// only on `Queue`, so asking an imported queue for it does not compile.
public protocol QueueRef: Construct {
    /// The queue's ARN.
    var queueArn: StringValue { get }
    /// The queue's URL.
    var queueUrl: StringValue { get }
    /// The queue's name.
    var queueName: StringValue { get }
    /// True for a FIFO queue.
    var isFifo: Bool { get }
    /// The KMS key of a queue encrypted with a customer managed key.
    var encryptionKeyArn: StringValue? { get }
}

extension QueueRef {
    /// Lets `grantee` send messages.
    public func grantSendMessages(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "send")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"], resources: [queueArn]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsEncryptDecryptActions)
    }

    /// Lets `grantee` receive, delete and change the visibility of messages.
    public func grantConsumeMessages(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "consume")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                      "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            resources: [queueArn]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsDecryptActions)
    }

    /// Lets `grantee` purge the queue.
    public func grantPurge(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "purge")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:PurgeQueue"], resources: [queueArn]))
    }
}

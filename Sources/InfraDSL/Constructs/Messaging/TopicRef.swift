import InfraCore
import InfraResources

/// An SNS topic other constructs can use: one this app creates (`Topic`) or an existing one
/// (`Topic.imported(...)`, an `ImportedTopic`).
///
/// Publishing grants and subscriptions (created in the subscriber's scope) work on both. What
/// needs the topic's own resource (its policy) exists only on `Topic`, so asking an imported
/// topic for it does not compile.
public protocol TopicRef: Construct {
    /// The topic's ARN.
    var topicArn: StringValue { get }
    /// The topic's name.
    var topicName: StringValue { get }
    /// True for a FIFO topic.
    var isFifo: Bool { get }
    /// The customer managed KMS key of the topic, if any.
    var encryptionKeyArn: StringValue? { get }
}

extension TopicRef {
    /// Lets `grantee` publish to the topic.
    public func grantPublish(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "publish")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["sns:Publish"], resources: [topicArn]))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ["kms:Decrypt", "kms:GenerateDataKey*"])
    }

    /// Subscribes `queue`: messages published to the topic are delivered to it.
    /// - Parameters:
    ///   - rawMessageDelivery: deliver the message body alone, without the SNS envelope
    ///     (default false).
    ///   - filterPolicy: an SNS filter policy on message attributes (default none).
    @discardableResult
    public func addSubscription(queue: Queue, rawMessageDelivery: Bool = false, filterPolicy: Value? = nil) -> SNS.Subscription {
        if queue.isFifo != isFifo {
            app.report(path: path, "queue \(queue.path) cannot subscribe: a \(isFifo ? "FIFO" : "standard") topic delivers only to \(isFifo ? "FIFO" : "standard") queues")
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
    public func addSubscription(function: any FunctionRef, filterPolicy: Value? = nil) -> SNS.Subscription {
        if isFifo { app.report(path: path, "a FIFO topic cannot deliver to a Lambda function (\(function.path))") }
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
}

import InfraDSL
import InfraTesting
import XCTest

final class MessagingTests: XCTestCase {
    // MARK: Queue

    func testQueueDefaults() throws {
        let app = App()
        _ = Queue(Stack(app, "S"), "Jobs")
        let t = try DTTemplate(app)
        let q = t.one("AWS::SQS::Queue")
        XCTAssertEqual(q.body["DeletionPolicy"], "Delete")
        XCTAssertEqual(q.body["Properties"], ["MessageRetentionPeriod": 345600, "SqsManagedSseEnabled": true, "VisibilityTimeout": 30])
        let policy = t.props("AWS::SQS::QueuePolicy")
        XCTAssertEqual(policy["Queues"], [dtRef(q.id)])
        XCTAssertEqual(policy["PolicyDocument"]?["Statement"], [[
            "Effect": "Deny", "Principal": ["AWS": "*"], "Action": "sqs:*", "Resource": dtGetAtt(q.id, "Arn"),
            "Condition": ["Bool": ["aws:SecureTransport": "false"]],
        ]])
    }

    func testQueueOptions() throws {
        let app = App()
        let stack = Stack(app, "S")
        let dlq = Queue(stack, "Dead", queueName: "jobs-dlq.fifo", fifo: true)
        _ = Queue(stack, "Jobs", queueName: "jobs.fifo", encryption: .kms(keyArn: "arn:key"), fifo: true,
                  contentBasedDeduplication: true, visibilityTimeout: .seconds(120), retentionPeriod: .seconds(86400),
                  deadLetterQueue: .init(queue: dlq, maxReceiveCount: 5))
        // by construct path instead of a search on a property (InfraTesting)
        let t = try DTTemplate(app).template
        let dlqId = try XCTUnwrap(t.logicalId(at: "Dead"))
        t.hasProperties(at: "Jobs", .exact([
            "ContentBasedDeduplication": true, "FifoQueue": true, "KmsMasterKeyId": "arn:key", "MessageRetentionPeriod": 86400,
            "QueueName": "jobs.fifo", "RedrivePolicy": ["deadLetterTargetArn": dtGetAtt(dlqId, "Arn"), "maxReceiveCount": 5],
            "VisibilityTimeout": 120,
        ]))
    }

    func testQueueGrants() throws {
        let app = App()
        let stack = Stack(app, "S")
        let q = Queue(stack, "Jobs", encryption: .kms(keyArn: "arn:key"))
        let producer = Role(stack, "Producer", assumedBy: "lambda.amazonaws.com")
        q.grantSendMessages(producer)
        let consumer = Role(stack, "Consumer", assumedBy: "lambda.amazonaws.com")
        q.grantConsumeMessages(consumer)
        let t = try DTTemplate(app)
        let arn = dtGetAtt(t.one("AWS::SQS::Queue").id, "Arn")
        XCTAssertEqual(t.roleStatements("Producer"), [
            ["Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"], "Resource": arn],
            ["Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"], "Resource": "arn:key"],
        ])
        XCTAssertEqual(t.roleStatements("Consumer"), [
            ["Effect": "Allow", "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                           "sqs:GetQueueUrl", "sqs:ReceiveMessage"], "Resource": arn],
            ["Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:key"],
        ])
    }

    func testImportedQueueByArn() throws {
        let app = App()
        let stack = Stack(app, "S")
        let q = Queue.imported(stack, "Existing", arn: "arn:aws:sqs:eu-west-1:123456789012:orders.fifo")
        XCTAssertEqual(q.queueName, "orders.fifo")
        XCTAssertTrue(q.isFifo)
        XCTAssertEqual(q.queueUrl.token, .intrinsic("Fn::Join", ["", ["https://sqs.eu-west-1.", .pseudo("AWS::URLSuffix"), "/123456789012/orders.fifo"]]))
        let role = Role(stack, "R", assumedBy: "lambda.amazonaws.com")
        q.grantSendMessages(role)
        let t = try DTTemplate(app)
        XCTAssertTrue(t.all("AWS::SQS::Queue").isEmpty)
        XCTAssertEqual(t.roleStatements("R").first?["Resource"], "arn:aws:sqs:eu-west-1:123456789012:orders.fifo")
    }

    func testQueueValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Queue(stack, "Fifo", queueName: "orders", fifo: true)
        _ = Queue(stack, "Slow", visibilityTimeout: .seconds(50_000))
        let standardDlq = Queue(stack, "Dlq")
        _ = Queue(stack, "Mixed", fifo: true, deadLetterQueue: .init(queue: standardDlq, maxReceiveCount: 0))
        dtAssertError(app, path: "S/Fifo", contains: "must end with '.fifo'")
        dtAssertError(app, path: "S/Slow", contains: "visibilityTimeout must be between 0 seconds and 12 hours (got 50000 seconds)")
        dtAssertError(app, path: "S/Mixed", contains: "must be a FIFO queue like this one")
        dtAssertError(app, path: "S/Mixed", contains: "maxReceiveCount of the dead-letter queue must be between 1 and 1000")
    }

    // MARK: Topic

    func testTopicDefaultsAndPublishGrant() throws {
        let app = App()
        let stack = Stack(app, "S")
        let topic = Topic(stack, "Processed")
        let role = Role(stack, "R", assumedBy: "lambda.amazonaws.com")
        topic.grantPublish(role)
        let t = try DTTemplate(app)
        let tp = t.one("AWS::SNS::Topic")
        XCTAssertEqual(tp.body["Properties"], ["KmsMasterKeyId": "alias/aws/sns"])
        XCTAssertEqual(t.props("AWS::SNS::TopicPolicy")["PolicyDocument"]?["Statement"], [[
            "Effect": "Deny", "Principal": ["AWS": "*"], "Action": "sns:Publish", "Resource": dtRef(tp.id),
            "Condition": ["Bool": ["aws:SecureTransport": "false"]],
        ]])
        XCTAssertEqual(t.roleStatements("R"), [["Effect": "Allow", "Action": "sns:Publish", "Resource": dtRef(tp.id)]])
    }

    func testTopicWithCustomerKeyGrantsKms() throws {
        let app = App()
        let stack = Stack(app, "S")
        let topic = Topic(stack, "T", encryption: .kms(keyArn: "arn:key"))
        let role = Role(stack, "R", assumedBy: "lambda.amazonaws.com")
        topic.grantPublish(role)
        XCTAssertEqual(try DTTemplate(app).roleStatements("R").last,
                       ["Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "arn:key"])
    }

    func testQueueSubscriptionAllowsOnlyTheTopicAndWaitsForThePolicy() throws {
        let app = App()
        let stack = Stack(app, "S")
        let topic = Topic(stack, "Processed")
        let queue = Queue(stack, "ToLabel")
        topic.addSubscription(queue: queue, rawMessageDelivery: true)
        let t = try DTTemplate(app)
        let topicId = t.one("AWS::SNS::Topic").id
        let queueId = t.one("AWS::SQS::Queue").id
        let sub = t.one("AWS::SNS::Subscription")
        XCTAssertEqual(sub.body["Properties"], [
            "Endpoint": dtGetAtt(queueId, "Arn"), "Protocol": "sqs", "RawMessageDelivery": true, "TopicArn": dtRef(topicId),
        ])
        let queuePolicy = t.one("AWS::SQS::QueuePolicy")
        XCTAssertEqual(sub.body["DependsOn"], [.string(queuePolicy.id)])
        guard case .array(let statements)? = queuePolicy.body["Properties"]?["PolicyDocument"]?["Statement"] else { return XCTFail() }
        XCTAssertTrue(statements.contains([
            "Effect": "Allow", "Principal": ["Service": "sns.amazonaws.com"], "Action": "sqs:SendMessage",
            "Resource": dtGetAtt(queueId, "Arn"), "Condition": ["ArnEquals": ["aws:SourceArn": dtRef(topicId)]],
        ]))
    }

    func testFunctionSubscriptionAddsScopedPermission() throws {
        let app = App()
        let stack = Stack(app, "S")
        let topic = Topic(stack, "Processed")
        let fn = Function(stack, "Archive", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        topic.addSubscription(function: fn)
        let t = try DTTemplate(app)
        let topicId = t.one("AWS::SNS::Topic").id
        let fnId = t.one("AWS::Lambda::Function").id
        XCTAssertEqual(t.props("AWS::SNS::Subscription"), ["Endpoint": dtGetAtt(fnId, "Arn"), "Protocol": "lambda", "TopicArn": dtRef(topicId)])
        XCTAssertEqual(t.props("AWS::Lambda::Permission"), [
            "Action": "lambda:InvokeFunction", "FunctionName": dtGetAtt(fnId, "Arn"), "Principal": "sns.amazonaws.com",
            "SourceArn": dtRef(topicId),
        ])
    }

    func testSubscriptionsLiveInTheSubscriberStack() throws {
        let app = App()
        let producer = Stack(app, "Producer")
        let consumer = Stack(app, "Consumer")
        let topic = Topic(producer, "T")
        topic.addSubscription(queue: Queue(consumer, "Q"))
        let assembly = try app.synthesize()
        XCTAssertEqual(assembly.stacks[1].dependencies, ["Producer"])
        XCTAssertTrue(assembly.stacks[0].dependencies.isEmpty)
    }

    func testImportedTopicAndFifoMismatch() throws {
        let app = App()
        let stack = Stack(app, "S")
        let imported = Topic.imported(stack, "Existing", arn: "arn:aws:sns:eu-west-1:123456789012:alerts")
        XCTAssertEqual(imported.topicName, "alerts")
        let fifo = Topic(stack, "Fifo", topicName: "events.fifo", fifo: true)
        fifo.addSubscription(queue: Queue(stack, "Standard"))
        dtAssertError(app, path: "S/Fifo", contains: "a FIFO topic delivers only to FIFO queues")
    }
}

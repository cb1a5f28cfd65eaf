// InfraBench: builds a generated app of N resources and synthesizes it into an assembly, as
// `infra synth` does, so that `/usr/bin/time` can measure the whole process (scripts/bench).
//
//   InfraBench --resources N [--per-stack 500] [--output DIR] [--format json|yaml] [--phases]
//
// The app is made of "workers" of 10 resources each, wired the way real stacks are: a queue with
// a dead-letter queue (GetAtt in a JSON redrive policy), a topic subscribed by the queue (Ref,
// GetAtt), a queue policy (IAM document with Ref/GetAtt), an encrypted bucket, a role whose
// policy uses Fn::Join and Fn::Sub, a function (environment of Refs), an event source mapping and
// a permission. Workers fill stacks of up to --per-stack resources; worker w of stack k > 0 reads
// the topic of worker w of stack k - 1 (a cross-stack reference: an export and an import, and a
// stack dependency). Tags are applied on the app's stacks and on every worker.
import Foundation
import InfraDSL

struct Options {
    var resources = 1_000
    var perStack = 500
    var output = "infra-bench.out"
    var format = TemplateFormat.json
    var phases = false

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--resources", "-n":
                guard let n = Int(value()), n > 0 else { fail("--resources needs a positive integer") }
                o.resources = n
            case "--per-stack":
                guard let n = Int(value()), n >= Worker.size, n <= TemplateLimits.maxResources else {
                    fail("--per-stack needs an integer from \(Worker.size) to \(TemplateLimits.maxResources)")
                }
                o.perStack = n
            case "--output", "-o": o.output = value()
            case "--format":
                guard let f = TemplateFormat(rawValue: value()) else { fail("--format must be json or yaml") }
                o.format = f
            case "--phases": o.phases = true
            case "-h", "--help":
                print("usage: InfraBench --resources N [--per-stack 500] [--output DIR] [--format json|yaml] [--phases]")
                exit(0)
            default: fail("unknown argument '\(args[i])'")
            }
            i += 1
        }
        return o
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("InfraBench: \(message)\n".utf8))
    exit(2)
}

/// One worker: 10 resources under a construct of its own (so logical IDs are hashed paths).
final class Worker: Construct {
    static let size = 10
    private(set) var topic: SNS.Topic?

    /// Adds the first `count` (at most `size`) resources; `upstream` is a topic of another stack.
    init(_ scope: Construct, _ id: String, count: Int, upstream: SNS.Topic?) {
        super.init(scope, id)
        tag("worker", id)
        var left = count
        func more() -> Bool {
            left -= 1
            return left >= 0
        }

        guard more() else { return }
        let dlq = SQS.Queue(self, "DeadLetters") {
            $0.messageRetentionPeriod = 1_209_600
            $0.sqsManagedSseEnabled = true
        }
        guard more() else { return }
        let queue = SQS.Queue(self, "Queue") {
            $0.visibilityTimeout = 180
            $0.sqsManagedSseEnabled = true
            $0.redrivePolicy = ["deadLetterTargetArn": dlq.attrArn.value, "maxReceiveCount": 5]
        }
        guard more() else { return }
        let topic = SNS.Topic(self, "Topic") {
            $0.displayName = "\(id) events"
            $0.kmsMasterKeyId = "alias/aws/sns"
        }
        self.topic = topic
        guard more() else { return }
        _ = SNS.Subscription(self, "Subscription") {
            $0.topicArn = topic.ref
            $0.endpoint = queue.attrArn
            $0.protocol = "sqs"
            $0.rawMessageDelivery = true
        }
        guard more() else { return }
        _ = SQS.QueuePolicy(self, "QueuePolicy") {
            $0.queues = [queue.ref]
            $0.policyDocument = [
                "Version": "2012-10-17",
                "Statement": [[
                    "Effect": "Allow",
                    "Principal": ["Service": "sns.amazonaws.com"],
                    "Action": "sqs:SendMessage",
                    "Resource": queue.attrArn.value,
                    "Condition": ["ArnEquals": ["aws:SourceArn": topic.ref.value]],
                ]],
            ]
        }
        guard more() else { return }
        let bucket = S3.Bucket(self, "Bucket") {
            $0.bucketEncryption = .init {
                $0.serverSideEncryptionConfiguration = [.init {
                    $0.serverSideEncryptionByDefault = .init { $0.sseAlgorithm = "aws:kms" }
                    $0.bucketKeyEnabled = true
                }]
            }
            $0.publicAccessBlockConfiguration = .init {
                $0.blockPublicAcls = true
                $0.blockPublicPolicy = true
                $0.ignorePublicAcls = true
                $0.restrictPublicBuckets = true
            }
            $0.versioningConfiguration = .init { $0.status = "Enabled" }
        }
        guard more() else { return }
        let role = IAM.Role(self, "Role") {
            $0.assumeRolePolicyDocument = [
                "Version": "2012-10-17",
                "Statement": [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]],
            ]
            $0.managedPolicyArns = ["arn:\(Pseudo.partition):iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
            $0.policies = [.init {
                $0.policyName = "worker"
                $0.policyDocument = [
                    "Version": "2012-10-17",
                    "Statement": [
                        ["Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                         "Resource": queue.attrArn.value],
                        ["Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "\(bucket.attrArn)/*"],
                        ["Effect": "Allow", "Action": "sns:Publish",
                         "Resource": Fn.sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:\(topic.attrTopicName)").value],
                    ],
                ]
            }]
        }
        guard more() else { return }
        let function = Lambda.Function(self, "Function") {
            $0.runtime = "python3.12"
            $0.handler = "index.handler"
            $0.memorySize = 256
            $0.timeout = 60
            $0.role = role.attrArn
            $0.code = .init { $0.zipFile = "def handler(event, context):\n    return {'records': len(event.get('Records', []))}\n" }
            var variables: [String: Value] = [
                "QUEUE_URL": queue.ref.value, "BUCKET": bucket.ref.value, "TOPIC_ARN": topic.ref.value,
            ]
            if let upstream { variables["UPSTREAM_TOPIC_ARN"] = upstream.ref.value }
            $0.environment = .init { $0.variables = MapValue(variables) }
        }
        guard more() else { return }
        _ = Lambda.EventSourceMapping(self, "Trigger") {
            $0.eventSourceArn = queue.attrArn
            $0.functionName = function.ref
            $0.batchSize = 10
            $0.enabled = true
        }
        guard more() else { return }
        _ = Lambda.Permission(self, "BucketInvoke") {
            $0.action = "lambda:InvokeFunction"
            $0.functionName = function.attrArn
            $0.principal = "s3.amazonaws.com"
            $0.sourceArn = bucket.attrArn
            $0.sourceAccount = Pseudo.accountId
        }
    }
}

/// The generated app: ceil(resources / perStack) stacks, filled in order.
func buildApp(resources: Int, perStack: Int) -> App {
    let app = App()
    var left = resources
    var previous: [SNS.Topic?] = []
    var k = 0
    while left > 0 {
        let stack = Stack(app, "bench-\(k)", region: "eu-west-1",
                          description: "InfraBench stack \(k)", tags: ["project": "infra-bench", "stack": "\(k)"])
        var inStack = min(left, perStack)
        left -= inStack
        var topics: [SNS.Topic?] = []
        var w = 0
        while inStack > 0 {
            let count = min(inStack, Worker.size)
            let upstream = w < previous.count ? previous[w] : nil
            topics.append(Worker(stack, "Worker\(w)", count: count, upstream: upstream).topic)
            inStack -= count
            w += 1
        }
        _ = Output(stack, "FirstTopicArn", value: topics.first.flatMap { $0?.ref } ?? "none")
        previous = topics
        k += 1
    }
    return app
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let clock = ContinuousClock()
let t0 = clock.now
let app = buildApp(resources: options.resources, perStack: options.perStack)
let t1 = clock.now
let assembly: CloudAssembly
do {
    assembly = try app.synthesize()
} catch {
    fail("\(error)")
}
let t2 = clock.now
do {
    try assembly.write(to: URL(fileURLWithPath: options.output), format: options.format)
} catch {
    fail("\(error)")
}
let t3 = clock.now

var resourceCount = 0
for s in assembly.stacks {
    if case .object(let p)? = s.template["Resources"] { resourceCount += p.count }
}
print("\(assembly.stacks.count) stacks, \(resourceCount) resources -> \(options.output)")
if options.phases {
    func ms(_ d: Duration) -> String {
        String(format: "%.1f ms", Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
    }
    print("build \(ms(t1 - t0)), synthesize \(ms(t2 - t1)), render+write \(ms(t3 - t2))")
}

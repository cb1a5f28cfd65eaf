// Imported resources where the APIs take the reference protocols: all of this must compile.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let fn = Function(stack, "Worker", code: .inline("def handler(e, c): pass"), handler: "index.handler", runtime: .python3_12,
                  memory: .mebibytes(256), timeout: .seconds(30))

let bucket = Bucket.imported(stack, "Bucket", name: "legacy-bucket")
let bucketByArn = Bucket.imported(stack, "BucketByArn", arn: "arn:aws:s3:::other-bucket")
bucket.grantReadWrite(fn)
bucketByArn.grantPut(fn, objectsKeyPattern: "incoming/*")
let refs: [any BucketRef] = [bucket, bucketByArn, Bucket(stack, "Owned")]
for b in refs { b.grantRead(fn) }

let queue = Queue.imported(stack, "Queue", arn: "arn:aws:sqs:eu-west-1:123456789012:jobs")
fn.addEventSource(queue: queue)
let dlqOfOwned = Queue(stack, "Owned", deadLetterQueue: .init(queue: queue, maxReceiveCount: 3))
queue.grantSendMessages(fn)

let topic = Topic.imported(stack, "Topic", arn: "arn:aws:sns:eu-west-1:123456789012:alerts")
topic.grantPublish(fn)
topic.addSubscription(function: fn)
topic.addSubscription(queue: dlqOfOwned)

let other = Function.imported(stack, "Other", arn: "arn:aws:lambda:eu-west-1:123456789012:function:resize")
other.grantInvoke(fn)
Topic(stack, "OwnedTopic").addSubscription(function: other)
Bucket(stack, "Uploads", bucketName: "uploads-bucket-example").addEventNotification(function: other)
_ = CustomResource(stack, "Seed", resourceType: "Seed", provider: other)

let table = Table.imported(stack, "Table", name: "jobs")
table.grantReadWriteData(fn)
let secret = Secret.imported(stack, "Secret", name: "legacy/db")
secret.grantRead(fn)
_ = secret.secretValue(field: "password")
let pool = UserPool.imported(stack, "Pool", userPoolId: "eu-west-1_AbC123")
pool.addClient("Client")

let vpc = Vpc.imported(stack, "Vpc", vpcId: "vpc-0abc", publicSubnetIds: ["subnet-a", "subnet-b"],
                       privateSubnetIds: ["subnet-c", "subnet-d"])
let cluster = Cluster.imported(stack, "Cluster", clusterName: "apps", vpc: vpc)
let zone = HostedZone.imported(stack, "Zone", hostedZoneId: "Z0123456789ABC", zoneName: "example.org")
let certificate = Certificate.imported(stack, "Cert", arn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc")
let repository = Repository.imported(stack, "Repo", name: "team/web")
let web = ApplicationLoadBalancedFargateService(
    stack, "Web", cluster: cluster, image: .fromRepository(repository, tag: "v1"),
    certificate: .certificate(certificate), domainName: "www", hostedZone: zone)
_ = Certificate(stack, "Api", domainName: "api.example.org", hostedZone: zone)
_ = ARecord(stack, "Apex", zone: zone, target: .alias(web.loadBalancer))

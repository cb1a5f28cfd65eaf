import InfraDSL

/// The smallest end-to-end stack: a VPC with two subnets, an encrypted bucket, a queue and a
/// function that reads the queue and writes the bucket, wired only by tokens.
///
/// Context keys (config/example.json): `VPC_CIDR` (default 10.0.0.0/16, /16 to /23),
/// `LOG_RETENTION_DAYS` (default 14), `FUNCTION_MEMORY` (default 256).
///
/// The two /24 subnets are computed at synth time from `VPC_CIDR` (the first two /24 blocks,
/// what `Fn::Cidr [VPC_CIDR, 4, 8]` would select, as CDK computes them), so the template holds
/// literal blocks: readable in a diff, checked before deploying, and deployable where
/// `Fn::Cidr` is not supported (moto). A malformed or too small block is a config error naming
/// `VPC_CIDR`.
public enum ExampleStack {
    /// The example's settings, declared once (`infra context` lists them).
    public struct Settings: Equatable, Sendable {
        public static let vpcCidr = Setting<String>(
            "VPC_CIDR", default: "10.0.0.0/16", "the VPC's block, /16 to /23 (the two /24 subnets are its first two /24 blocks)",
            check: { ExampleStack.subnetCidrProblem($0) })
        public static let logRetentionDays = Setting<Int>(
            "LOG_RETENTION_DAYS", default: 14, "days the function's log group keeps events (a value CloudWatch Logs accepts)",
            check: Validate.logRetentionProblem)
        public static let functionMemory = Setting<Int>(
            "FUNCTION_MEMORY", default: 256, "the function's memory, MiB (128-10240)", range: 128...10240)
        public static let schema = SettingsSchema("example", [vpcCidr.any, logRetentionDays.any, functionMemory.any])

        public var vpcCidr: String
        /// `LOG_RETENTION_DAYS`.
        public var logRetention: TimeSpan
        /// `FUNCTION_MEMORY` (MiB).
        public var functionMemory: MemorySize

        /// Reads and checks a config's context; all problems are reported together.
        public init(config: StackConfig) throws {
            let r = SettingsReader(config, Self.schema)
            vpcCidr = r[Self.vpcCidr]
            logRetention = .days(r[Self.logRetentionDays])
            functionMemory = .mebibytes(r[Self.functionMemory])
            try r.finish()
        }
    }

    /// The context keys the stack reads.
    public static let contextKeys = Settings.schema.keys

    /// Why a block cannot be the VPC's (nil when it can).
    static func subnetCidrProblem(_ vpcCidr: String) -> String? {
        if let problem = Validate.cidrProblem(vpcCidr) { return problem }
        let block = IPv4Cidr(vpcCidr)!
        guard (16...28).contains(block.prefixLength) else {
            return "'\(vpcCidr)': a VPC block has a prefix length between /16 and /28"
        }
        guard block.split(count: 2, prefixLength: 24) != nil else {
            return "'\(vpcCidr)' is too small for the stack's two /24 subnets (use /23 or larger, such as 10.0.0.0/16)"
        }
        return nil
    }

    /// The two subnets' blocks: the first two /24 blocks of the VPC block (nil when it has none).
    static func subnetCidrs(_ vpcCidr: String) -> [IPv4Cidr]? {
        IPv4Cidr(vpcCidr)?.split(count: 2, prefixLength: 24)
    }

    public static func build(_ app: App, config: StackConfig) throws {
        let settings = try Settings(config: config)
        let stack = Stack(app, config: config)
        let cidr = settings.vpcCidr
        let subnetBlocks = subnetCidrs(cidr)!
        let retention = settings.logRetention.count(of: .days)
        let memory = settings.functionMemory.mebibytes

        let vpc = EC2.VPC(stack, "Vpc") {
            $0.cidrBlock = StringValue(cidr)
            $0.enableDnsHostnames = true
            $0.enableDnsSupport = true
        }
        let subnets = (0..<2).map { i in
            EC2.Subnet(stack, "PrivateSubnet\(i + 1)") {
                $0.vpcId = vpc.ref
                $0.cidrBlock = StringValue(subnetBlocks[i].description)
                $0.availabilityZone = Fn.select(i, Fn.getAZs())
            }
        }
        let securityGroup = EC2.SecurityGroup(stack, "WorkerSecurityGroup") {
            $0.groupDescription = "Worker function"
            $0.vpcId = vpc.ref
            $0.securityGroupEgress = [.init {
                $0.ipProtocol = "tcp"
                $0.fromPort = 443
                $0.toPort = 443
                $0.cidrIp = "0.0.0.0/0"
                $0.description = "HTTPS to AWS APIs"
            }]
        }

        let bucket = S3.Bucket(stack, "Uploads") {
            $0.bucketEncryption = .init {
                $0.serverSideEncryptionConfiguration = [.init {
                    $0.serverSideEncryptionByDefault = .init { $0.sseAlgorithm = "AES256" }
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
        let queue = SQS.Queue(stack, "Jobs") {
            $0.sqsManagedSseEnabled = true
            $0.visibilityTimeout = 60
        }

        let role = IAM.Role(stack, "WorkerRole") {
            $0.assumeRolePolicyDocument = [
                "Version": "2012-10-17",
                "Statement": [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]],
            ]
            $0.managedPolicyArns = ["arn:\(Pseudo.partition):iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]
            $0.policies = [.init {
                $0.policyName = "worker"
                $0.policyDocument = [
                    "Version": "2012-10-17",
                    "Statement": [
                        ["Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": queue.attrArn.value],
                        ["Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "\(bucket.attrArn)/*"],
                    ],
                ]
            }]
        }
        let function = Lambda.Function(stack, "Worker") {
            $0.runtime = "python3.12"
            $0.handler = "index.handler"
            $0.memorySize = NumberValue(memory)
            $0.timeout = 30
            $0.role = role.attrArn
            $0.code = .init {
                $0.zipFile = """
                import os
                def handler(event, context):
                    return {"bucket": os.environ["BUCKET"], "records": len(event.get("Records", []))}
                """
            }
            $0.environment = .init { $0.variables = ["BUCKET": "\(bucket.ref)", "QUEUE_URL": "\(queue.ref)"] }
            $0.vpcConfig = .init {
                $0.subnetIds = ListValue(subnets.map(\.ref))
                $0.securityGroupIds = [securityGroup.attrGroupId]
            }
        }
        _ = Logs.LogGroup(stack, "WorkerLogs") {
            $0.logGroupName = "/aws/lambda/\(function.ref)"
            $0.retentionInDays = NumberValue(retention)
        }
        _ = Lambda.EventSourceMapping(stack, "WorkerJobs") {
            $0.eventSourceArn = queue.attrArn
            $0.functionName = function.ref
            $0.batchSize = 10
        }

        _ = Output(stack, "BucketName", value: bucket.ref, description: "Uploads bucket")
        _ = Output(stack, "QueueUrl", value: queue.ref, description: "Jobs queue")
        _ = Output(stack, "FunctionArn", value: function.attrArn)
    }
}

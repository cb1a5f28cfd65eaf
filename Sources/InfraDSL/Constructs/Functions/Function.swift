import Foundation
import InfraCore
import InfraResources

/// A Lambda function with its own least-privilege role and log group.
///
/// ```swift
/// let fn = Function(stack, "Preprocess", code: .directory("lambda/preprocess"),
///                   handler: "app.handler", runtime: .python3_12,
///                   environment: ["TABLE": table.tableName])
/// table.grantReadWriteData(fn)
/// fn.addEventSource(queue: jobs, batchSize: 10)
/// ```
///
/// Defaults: 128 MB, 3 s timeout, x86_64, no VPC, no reserved concurrency, no tracing, no
/// dead-letter queue. The role (`<path>/ServiceRole`) can only write to the function's own
/// log group (`<path>/LogGroup`, 30 days retention, deleted with the stack), plus the
/// network-interface actions Lambda needs in a VPC, plus whatever `grant*` calls add. The log
/// group is `/aws/lambda/<functionName>` when the function is named, otherwise
/// `/aws/lambda/<stackName>/<construct path below the stack>`; the function's `LoggingConfig`
/// points at it either way.
///
/// Code from a directory is zipped deterministically (`DeterministicZip`), registered as an
/// asset (`asset.<hash>.zip` in the assembly) and read by Lambda from the bootstrap asset
/// bucket `infra-assets-<account>-<region>` under `<hash>.zip` (created by `infra bootstrap`,
/// filled by `infra deploy`). A directory with a Dockerfile becomes an image asset pushed to
/// the bootstrap repository `infra-assets` with tag `<hash>`.
public final class Function: Construct, FunctionRef, Grantable, Connectable, AssetUser {
    /// Where the function's code comes from.
    public enum Code {
        /// A local directory, zipped deterministically and published as an asset (a relative
        /// path is resolved against the working directory of the synthesizing process).
        case directory(String)
        /// Inline source (Python or Node.js only): CloudFormation writes it to `index.py` /
        /// `index.js`, so the handler is `index.<function>`. At most 4 MB.
        case inline(String)
        /// A container image already in ECR (a literal URI or a token). For an image of a
        /// repository the same stack creates use `.containerImage(.fromRepository(...))`, which
        /// adds the image gate (a URI alone cannot tell the deployer what to wait for).
        case image(uri: StringValue)
        /// A local Docker build context (a directory with a `Dockerfile`), built and pushed by
        /// the deployer as a container image asset.
        case imageDirectory(String)
        /// A container image: `.fromRepository(repository, tag:)` (an ECR repository of the app or
        /// imported by name) or `.fromAsset(directory:)`. An image of a repository the function's
        /// stack creates is gated (see `ImageGate`): the function, and everything that references
        /// it, exists only once the image does.
        case containerImage(ContainerImage)

        var isImage: Bool {
            switch self {
            case .image, .imageDirectory, .containerImage: return true
            case .directory, .inline: return false
            }
        }
    }

    /// The instruction set of the function.
    public enum Architecture: String, Sendable { case x86_64, arm64 }

    /// X-Ray tracing mode.
    public enum Tracing: String, Sendable { case active = "Active", passThrough = "PassThrough" }

    /// Largest inline source CloudFormation accepts (the template limits usually bite first).
    public static let inlineCodeLimit = 4 * 1024 * 1024
    /// The retention periods CloudWatch Logs accepts, in days.
    public static var allowedLogRetentionDays: [Int] { Validate.logRetentionDays }
    static let reservedEnvironmentKeys: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Lambda.Function { parts!.resource }
    /// The execution role.
    public var role: Role { parts!.role }
    /// The function's log group.
    public var logGroup: Logs.LogGroup { parts!.logGroup }
    /// The security groups of a function in a VPC (empty otherwise).
    public private(set) var securityGroups: [any SecurityGroupRef] = []
    /// The timeout.
    public let timeout: TimeSpan
    /// A hash of the code (asset id, or SHA-256 of the inline source or literal image URI);
    /// nil when the code is only known at deploy time. Custom resources use it to re-run
    /// when the code changes.
    public private(set) var codeHash: String?
    /// The assets the function uses (its code), for the manifest.
    public private(set) var assetIds: [String] = []
    /// The gate of its image (see `ImageGate`), when it runs an image of a repository its stack creates.
    public private(set) var imageGate: ImageGate?
    /// The condition under which the function exists (its image gate's), nil when it always does.
    /// Resources that reference the function must carry it too (or reference it inside `Fn.if`);
    /// the function's own permissions and event sources do so by themselves.
    public var condition: Condition? { imageGate?.condition }

    /// Set in `init`, right after the construct itself (their scope) exists.
    private var parts: (resource: Lambda.Function, role: Role, logGroup: Logs.LogGroup)?
    private let code: Code
    private let handler: String?
    private let runtime: Lambda.Function.Runtime?
    private let explicitName: String?
    private let memory: MemorySize
    private let logRetention: TimeSpan
    private let reservedConcurrency: Int?
    private var environment: [String: StringValue]
    private var vpcConnections: Connections?
    private var publicSubnetsRequested = false
    private var noSubnets = false
    private var connectionsUsedWithoutVpc = false
    private var problems: [String] = []
    private var queueSources: [(queue: any QueueRef, batchSize: Int, window: TimeSpan?)] = []

    /// A new function.
    /// - Parameters:
    ///   - code: where the code comes from (directory, inline, image URI, Docker directory).
    ///   - handler: the entry point, required for zip and inline code, not allowed for images.
    ///   - runtime: e.g. `.python3_12`, required for zip and inline code, not allowed for images.
    ///   - functionName: a physical name (default: generated by CloudFormation).
    ///   - memory: 128 MiB to 10 GiB (default `.mebibytes(128)`; Lambda's `MemorySize`).
    ///   - timeout: 1 second to 15 minutes (default `.seconds(3)`).
    ///   - architecture: default `.x86_64`.
    ///   - environment: environment variables (default none; add more with `addEnvironment`).
    ///   - vpc: places the function in the VPC (default: no VPC).
    ///   - subnetType: the subnets in `vpc` (default: private with egress, else isolated).
    ///   - securityGroups: the function's security groups in `vpc` (default: a new group
    ///     allowing all outbound traffic and no inbound).
    ///   - logRetention: retention of the log group (default `.days(30)`; whole days, one of
    ///     `allowedLogRetentionDays`).
    ///   - reservedConcurrency: reserved concurrent executions (default none).
    ///   - tracing: X-Ray tracing (default off).
    ///   - deadLetterQueue: a queue for failed asynchronous invocations (default none); the
    ///     role is granted `sqs:SendMessage` on it.
    ///   - imageCommand: overrides the image's CMD (images only).
    public init(
        _ scope: Construct, _ id: String,
        code: Code,
        handler: String? = nil,
        runtime: Lambda.Function.Runtime? = nil,
        functionName: String? = nil,
        description: String? = nil,
        memory: MemorySize = .mebibytes(128),
        timeout: TimeSpan = .seconds(3),
        architecture: Architecture = .x86_64,
        environment: [String: StringValue] = [:],
        vpc: VpcRef? = nil,
        subnetType: SubnetType? = nil,
        securityGroups: [any SecurityGroupRef] = [],
        logRetention: TimeSpan = .days(30),
        reservedConcurrency: Int? = nil,
        tracing: Tracing? = nil,
        deadLetterQueue: (any QueueRef)? = nil,
        imageCommand: [String]? = nil
    ) {
        self.code = code
        self.handler = handler
        self.runtime = runtime
        self.explicitName = functionName
        self.memory = memory
        self.timeout = timeout
        self.logRetention = logRetention
        self.reservedConcurrency = reservedConcurrency
        self.environment = environment
        super.init(scope, id)

        let fn = Lambda.Function(self, "Resource")
        let role = Role(self, "ServiceRole", assumedBy: "lambda.amazonaws.com")
        fn.role = role.arn
        if let functionName { fn.functionName = StringValue(functionName) }
        if let description { fn.description = StringValue(description) }
        fn.memorySize = NumberValue(memory.mebibytes)
        fn.timeout = NumberValue(timeout.seconds)
        fn.architectures = [Lambda.Function.Architectures(architecture.rawValue)]
        if let reservedConcurrency { fn.reservedConcurrentExecutions = NumberValue(reservedConcurrency) }

        // Code.
        let lambdaCode = Lambda.Function.Code()
        switch code {
        case .directory(let dir):
            do {
                let asset = try AssetLocations.zipAsset(self, directory: dir)
                lambdaCode.s3Bucket = AssetLocations.bucketName
                lambdaCode.s3Key = StringValue(AssetLocations.objectKey(asset.id))
                codeHash = asset.id
                assetIds = [asset.id]
            } catch {
                app.report(path: path, "cannot package the code of the function: \(error)")
            }
        case .inline(let source):
            lambdaCode.zipFile = StringValue(source)
            codeHash = Hash.sha256Hex(source)
        case .image(let uri):
            lambdaCode.imageUri = uri
            codeHash = uri.literal.map(Hash.sha256Hex)
        case .imageDirectory(let dir):
            do {
                let asset = try AssetLocations.imageAsset(self, directory: dir)
                lambdaCode.imageUri = AssetLocations.imageUri(asset.id)
                codeHash = asset.id
                assetIds = [asset.id]
            } catch {
                app.report(path: path, "cannot package the image of the function: \(error)")
            }
        case .containerImage(let image):
            switch image.source {
            case .repository(let repo, let tag, _, _):
                lambdaCode.imageUri = repo.imageUri(tag: tag)
                if let gate = image.register(consumer: self) {
                    imageGate = gate
                    fn.condition = gate.condition
                }
            case .registry(let name):
                lambdaCode.imageUri = StringValue(name)
                problems.append("Lambda runs container images from ECR only ('\(name)' is another registry): use ContainerImage.fromRepository")
            case .asset(let dir):
                do {
                    let asset = try AssetLocations.imageAsset(self, directory: dir)
                    lambdaCode.imageUri = AssetLocations.imageUri(asset.id)
                    codeHash = asset.id
                    assetIds = [asset.id]
                } catch {
                    app.report(path: path, "cannot package the image of the function: \(error)")
                }
            }
        }
        fn.code = lambdaCode
        if code.isImage {
            fn.packageType = .image
            if let imageCommand { fn.imageConfig = .init { $0.command = ListValue(imageCommand.map { StringValue($0) }) } }
        } else {
            if let handler { fn.handler = StringValue(handler) }
            if let runtime { fn.runtime = runtime }
            if imageCommand != nil { problems.append("imageCommand is only for container image functions") }
        }

        // Logging: its own log group, the only one the role can write to.
        let logGroup = Logs.LogGroup(self, "LogGroup")
        parts = (fn, role, logGroup)
        let groupName: String
        if let functionName {
            groupName = "/aws/lambda/\(functionName)"
        } else {
            groupName = "/aws/lambda/" + ServerlessSupport.physicalName(
                for: self, allowed: { $0.isASCII && ($0.isLetter || $0.isNumber || "._-#/".contains($0)) },
                maxLength: 500, separator: "/")
        }
        logGroup.logGroupName = StringValue(groupName)
        logGroup.retentionInDays = NumberValue(logRetention.count(of: .days))
        logGroup.deletionPolicy = .delete
        logGroup.updateReplacePolicy = .delete
        fn.loggingConfig = .init {
            $0.logGroup = logGroup.ref
        }
        role.addToPrincipalPolicy(PolicyStatement(
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroup.attrArn]))

        // Network.
        if let vpc {
            let subnets: [StringValue]
            if let subnetType {
                subnets = vpc.subnetIds(subnetType)
                publicSubnetsRequested = subnetType == .public
            } else {
                subnets = vpc.subnetIds(preferring: [.privateWithEgress, .isolated])
            }
            noSubnets = subnets.isEmpty
            if let v = vpc as? Construct {
                let tier = subnetType ?? (vpc.subnetIds(.privateWithEgress).isEmpty ? .isolated : .privateWithEgress)
                app.addRelation(from: self, to: v, .placement, label: tier.rawValue)
            }
            let groups = securityGroups.isEmpty
                ? [SecurityGroup(self, "SecurityGroup", vpc: vpc, description: "Security group of function \(path)")]
                : securityGroups
            self.securityGroups = groups
            vpcConnections = Connections(securityGroups: groups)
            fn.vpcConfig = .init {
                $0.subnetIds = ListValue(subnets)
                $0.securityGroupIds = ListValue(groups.map(\.groupId))
            }
            role.addToPrincipalPolicy(PolicyStatement(
                actions: ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                          "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"],
                resources: ["*"]))
        } else if subnetType != nil || !securityGroups.isEmpty {
            problems.append("subnetType and securityGroups need a vpc")
        }

        if let tracing {
            fn.tracingConfig = .init { $0.mode = Lambda.Function.TracingConfig.Mode(tracing.rawValue) }
            if tracing == .active {
                role.addToPrincipalPolicy(PolicyStatement(actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], resources: ["*"]))
            }
        }
        if let deadLetterQueue {
            app.addRelation(from: self, to: deadLetterQueue, .deadLetter, label: "failed events")
            fn.deadLetterConfig = .init { $0.targetArn = deadLetterQueue.queueArn }
            role.addToPrincipalPolicy(PolicyStatement(actions: ["sqs:SendMessage"], resources: [deadLetterQueue.queueArn]))
            if let key = deadLetterQueue.encryptionKeyArn {
                role.addToPrincipalPolicy(PolicyStatement(actions: ServerlessSupport.kmsEncryptDecryptActions, resources: [key]))
            }
        }
    }

    /// The function's ARN.
    public var functionArn: StringValue { resource.attrArn }

    /// The function's name (`Ref`).
    public var functionName: StringValue { resource.ref }

    /// Adds an environment variable.
    public func addEnvironment(_ key: String, _ value: StringValue) {
        environment[key] = value
    }

    /// The function's security groups, for `connections.allow(from:port:)`. A function that
    /// is not in a VPC has none: using them is reported at synthesis.
    public var connections: Connections {
        if let vpcConnections { return vpcConnections }
        connectionsUsedWithoutVpc = true
        return Connections(securityGroups: [])
    }

    /// Adds a statement to the execution role's policy.
    public func addToPrincipalPolicy(_ statement: PolicyStatement) {
        role.addToPrincipalPolicy(statement)
    }

    /// Invokes the function with batches of messages from `queue` (an event source mapping),
    /// and grants the role the actions to consume them.
    /// - Parameters:
    ///   - batchSize: 1...10 for FIFO queues, 1...10000 otherwise (default 10; above 10 needs a
    ///     batching window).
    ///   - maxBatchingWindow: how long to gather a batch, up to 5 minutes in whole seconds (default none).
    ///   - reportBatchItemFailures: lets the function report partial failures (default false).
    @discardableResult
    public func addEventSource(
        queue: any QueueRef, batchSize: Int = 10, maxBatchingWindow: TimeSpan? = nil, reportBatchItemFailures: Bool = false
    ) -> Lambda.EventSourceMapping {
        let esm = Lambda.EventSourceMapping(self, "SqsEventSource" + ServerlessSupport.idFragment(queue))
        esm.condition = condition
        esm.functionName = functionName
        esm.eventSourceArn = queue.queueArn
        esm.batchSize = NumberValue(batchSize)
        if let maxBatchingWindow { esm.maximumBatchingWindowInSeconds = NumberValue(maxBatchingWindow.seconds) }
        if reportBatchItemFailures { esm.functionResponseTypes = [.reportBatchItemFailures] }
        queueSources.append((queue, batchSize, maxBatchingWindow))
        app.addRelation(from: queue, to: self, .eventSource, label: "batch \(batchSize)")
        queue.grantConsumeMessages(self)
        return esm
    }

    public override func prepare() {
        guard !environment.isEmpty else { return }
        let vars = environment
        resource.environment = .init {
            $0.variables = MapValue(vars.mapValues { $0.token })
        }
    }

    public override func validate() -> [String] {
        var errors = problems
        if connectionsUsedWithoutVpc {
            errors.append("the function is not in a VPC, so it has no security group to allow traffic from or to; pass vpc:")
        }
        errors += [memory.problem("memory", in: .mebibytes(128)...(.mebibytes(10240))),
                   timeout.problem("timeout", in: .seconds(1)...(.minutes(15))),
                   logRetention.logRetentionProblem("logRetention")].compactMap { $0 }
        if let reservedConcurrency, reservedConcurrency < 0 {
            errors.append("reservedConcurrency must not be negative (got \(reservedConcurrency))")
        }
        if let name = explicitName,
           name.isEmpty || name.count > 64 || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            errors.append("functionName '\(name)' is invalid: 1-64 letters, digits, '-' and '_'")
        }
        if code.isImage {
            if handler != nil || runtime != nil { errors.append("handler and runtime are set by the image; do not pass them for a container image function") }
        } else {
            if handler == nil { errors.append("a function with zip or inline code needs a handler") }
            if runtime == nil { errors.append("a function with zip or inline code needs a runtime") }
        }
        if case .inline(let source) = code {
            if source.isEmpty { errors.append("inline code must not be empty") }
            if source.utf8.count > Self.inlineCodeLimit {
                errors.append("inline code is \(source.utf8.count) bytes; CloudFormation accepts at most \(Self.inlineCodeLimit): use .directory")
            }
            if let r = runtime?.token.stringLiteral, !(r.hasPrefix("python") || r.hasPrefix("nodejs")) {
                errors.append("inline code works only with Python and Node.js runtimes (got \(r))")
            }
        }
        if publicSubnetsRequested {
            errors.append("a function in public subnets gets no public IP and cannot reach the internet: use private subnets")
        }
        if noSubnets { errors.append("the VPC has no subnets of the requested kind for the function") }
        var envSize = 0
        for (key, value) in environment {
            let validKey = key.count >= 2 && key.first!.isASCII && key.first!.isLetter
                && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !validKey { errors.append("environment variable name '\(key)' is invalid: a letter, then letters, digits and '_'") }
            if Self.reservedEnvironmentKeys.contains(key) { errors.append("environment variable '\(key)' is reserved by Lambda") }
            envSize += key.utf8.count + (value.literal?.utf8.count ?? 0)
        }
        if envSize > 4096 { errors.append("environment variables take \(envSize) bytes; Lambda allows 4096 in total") }
        for source in queueSources {
            let maxBatch = source.queue.isFifo ? 10 : 10000
            errors += ServerlessSupport.check(source.batchSize, in: 1...maxBatch, "batchSize of the event source \(source.queue.path)")
            if source.batchSize > 10 && (source.window ?? .zero) == .zero {
                errors.append("a batchSize above 10 (event source \(source.queue.path)) needs a maxBatchingWindow above zero")
            }
            if let w = source.window, let problem = w.problem("maxBatchingWindow", in: .zero...(.minutes(5))) { errors.append(problem) }
            if let vt = (source.queue as? Queue)?.visibilityTimeout, vt < timeout {
                errors.append("the visibility timeout of queue \(source.queue.path) (\(vt)) is shorter than the function timeout (\(timeout)); Lambda refuses the event source")
            }
        }
        return errors
    }
}

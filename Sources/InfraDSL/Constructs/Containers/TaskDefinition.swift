import InfraCore
import InfraResources

/// An ECS task definition: containers, sizes, roles and logging.
///
/// Defaults:
/// - Fargate compatibility, `awsvpc` network mode, Linux on x86_64;
/// - 256 CPU units and 512 MiB on Fargate (validated against Fargate's allowed combinations);
///   none at task level on EC2 (containers then need a memory limit or reservation);
/// - a task role (for the application; `grant*` calls go to it) and an execution role (for
///   ECS: pulling images, writing logs, reading the secrets containers reference), both with
///   only the permissions that are granted;
/// - one log group for all containers, kept 365 days (and kept when the stack is deleted),
///   streams prefixed with the container name;
/// - family `<stack name>-<path below the stack>`.
public final class TaskDefinition: Construct, Grantable, AssetUser {
    /// Where a task definition's tasks run.
    public enum Compatibility: String, Sendable {
        case fargate = "FARGATE"
        case ec2 = "EC2"
    }

    /// The Docker network mode of a task.
    public enum NetworkMode: String, Sendable {
        /// Each task has its own network interface and security groups (required on Fargate).
        case awsvpc
        /// Docker's bridge on the instance (EC2 only); ports map to dynamic host ports.
        case bridge
        /// The instance's network (EC2 only).
        case host
    }

    /// The CPU architecture tasks run on.
    public enum CpuArchitecture: String, Sendable {
        case x86_64 = "X86_64"
        case arm64 = "ARM64"
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ECS.TaskDefinition { resourceStorage! }
    public let compatibility: Compatibility
    public let networkMode: NetworkMode
    /// Task CPU units (nil on EC2 when not given).
    public let cpu: Int?
    /// Task memory (nil on EC2 when not given).
    public let memory: MemorySize?
    /// The role the application runs as (`grant*` calls on the task definition go to it).
    public var taskRole: Role { taskRoleStorage! }
    /// The role ECS uses to pull images, write logs and read secrets.
    public var executionRole: Role { executionRoleStorage! }
    public var logGroup: Logs.LogGroup { logGroupStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: ECS.TaskDefinition?
    private var taskRoleStorage: Role?
    private var executionRoleStorage: Role?
    private var logGroupStorage: Logs.LogGroup?
    public private(set) var containers: [ContainerDefinition] = []
    /// The gates of its containers' images (see `ImageGate`): services of this task
    /// definition run no task until they hold.
    public internal(set) var imageGates: [ImageGate] = []
    private let logRetention: TimeSpan
    private let ephemeralStorage: DataSize?

    /// - Parameters:
    ///   - compatibility: `.fargate` (default) or `.ec2`.
    ///   - cpu: CPU units (Fargate default 256; 256, 512, 1024, 2048, 4096, 8192 or 16384).
    ///   - memory: Fargate default `.mebibytes(512)`; must fit the CPU size, e.g. 1024 CPU: 2-8 GiB.
    ///   - networkMode: default `.awsvpc` (the only mode Fargate supports).
    ///   - cpuArchitecture: default `.x86_64`.
    ///   - family: default `<stack name>-<path>`.
    ///   - logRetention: the log group's retention (default `.days(365)`; whole days CloudWatch Logs accepts).
    ///   - ephemeralStorage: Fargate task storage, whole GiB from `.gibibytes(21)` to `.gibibytes(200)`
    ///     (default nil: 20 GiB).
    ///   - logEncryptionKeyArn: a KMS key for the log group (default nil: CloudWatch Logs' own
    ///     encryption); its key policy must allow `logs.<region>.amazonaws.com`.
    public init(
        _ scope: Construct, _ id: String, compatibility: Compatibility = .fargate, cpu: Int? = nil, memory: MemorySize? = nil,
        networkMode: NetworkMode = .awsvpc, cpuArchitecture: CpuArchitecture = .x86_64, family: String? = nil,
        logRetention: TimeSpan = .days(365), ephemeralStorage: DataSize? = nil, logEncryptionKeyArn: StringValue? = nil
    ) {
        self.compatibility = compatibility
        self.networkMode = networkMode
        self.cpu = cpu ?? (compatibility == .fargate ? 256 : nil)
        self.memory = memory ?? (compatibility == .fargate ? .mebibytes(512) : nil)
        self.logRetention = logRetention
        self.ephemeralStorage = ephemeralStorage
        super.init(scope, id)
        taskRoleStorage = Role(self, "TaskRole", assumedBy: "ecs-tasks.amazonaws.com")
        executionRoleStorage = Role(self, "ExecutionRole", assumedBy: "ecs-tasks.amazonaws.com")
        logGroupStorage = Logs.LogGroup(self, "LogGroup") {
            $0.retentionInDays = NumberValue(logRetention.count(of: .days))
            $0.kmsKeyId = logEncryptionKeyArn
        }
        logGroup.deletionPolicy = .retain
        logGroup.updateReplacePolicy = .retain
        executionRole.addToPrincipalPolicy(PolicyStatement(
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroup.attrArn]))
        let familyName = family ?? Repository.sanitize(
            ([stack.stackName] + pathComponents.dropFirst(stack.pathComponents.count)).joined(separator: "-"))
        resourceStorage = ECS.TaskDefinition(self, "Resource") {
            $0.family = StringValue(familyName)
            $0.requiresCompatibilities = [.init(compatibility.rawValue)]
            $0.networkMode = .init(networkMode.rawValue)
            if let c = self.cpu { $0.cpu = StringValue(String(c)) }
            if let m = self.memory { $0.memory = StringValue(String(m.mebibytes)) }
            $0.taskRoleArn = self.taskRole.arn
            $0.executionRoleArn = self.executionRole.arn
            if compatibility == .fargate {
                $0.runtimePlatform = .init {
                    $0.cpuArchitecture = .init(cpuArchitecture.rawValue)
                    $0.operatingSystemFamily = .linux
                }
            }
            if let s = ephemeralStorage { $0.ephemeralStorage = .init { $0.sizeInGiB = NumberValue(s.count(of: .gibibytes)) } }
        }
    }

    /// The task definition ARN (`Ref`).
    public var arn: StringValue { resource.ref }
    /// The family name.
    public var family: StringValue { resource.family ?? "" }

    /// Adds a container. `image` is bound right away (execution role grants, asset registration).
    @discardableResult
    public func addContainer(
        _ name: String, image: ContainerImage, portMappings: [PortMapping] = [], environment: [String: StringValue] = [:],
        secrets: [String: ContainerSecret] = [:], essential: Bool = true, memoryLimit: MemorySize? = nil, cpu: Int? = nil,
        healthCheck: ContainerHealthCheck? = nil, command: [StringValue]? = nil
    ) -> ContainerDefinition {
        let c = ContainerDefinition(task: self, name: name, image: image, essential: essential, portMappings: portMappings,
                                    environment: environment)
        c.memoryLimit = memoryLimit
        c.cpu = cpu
        c.healthCheck = healthCheck
        c.command = command
        for key in secrets.keys.sorted() { c.addSecret(key, secrets[key]!) }
        containers.append(c)
        return c
    }

    /// The first essential container (what services put behind load balancers by default).
    public var defaultContainer: ContainerDefinition? { containers.first(where: \.essential) ?? containers.first }

    public var assetIds: [String] { containers.compactMap(\.bound.assetId) }

    /// Grants go to the task role.
    public func addToPrincipalPolicy(_ statement: PolicyStatement) { taskRole.addToPrincipalPolicy(statement) }

    public override func prepare() {
        resource.containerDefinitions = ListValue(containers.map { $0.render(logGroup: logGroup) })
    }

    /// Fargate's CPU sizes and the memory (MiB) each allows.
    public static let fargateSizes: [Int: [Int]] = [
        256: [512, 1024, 2048],
        512: Array(stride(from: 1024, through: 4096, by: 1024)),
        1024: Array(stride(from: 2048, through: 8192, by: 1024)),
        2048: Array(stride(from: 4096, through: 16384, by: 1024)),
        4096: Array(stride(from: 8192, through: 30720, by: 1024)),
        8192: Array(stride(from: 16384, through: 61440, by: 4096)),
        16384: Array(stride(from: 32768, through: 122880, by: 8192)),
    ]

    public override func validate() -> [String] {
        var errors: [String] = []
        if containers.isEmpty { errors.append("the task definition has no container (use addContainer)") }
        if !containers.isEmpty && !containers.contains(where: \.essential) {
            errors.append("at least one container must be essential")
        }
        var names = Set<String>()
        for c in containers where !names.insert(c.name).inserted { errors.append("container name '\(c.name)' is used twice") }
        for c in containers { errors += c.validate() }
        if let problem = logRetention.logRetentionProblem("logRetention") { errors.append(problem) }

        if compatibility == .fargate {
            if networkMode != .awsvpc { errors.append("Fargate tasks need the awsvpc network mode (got \(networkMode.rawValue))") }
            if let cpu, let memory = memory?.mebibytes {
                if let allowed = Self.fargateSizes[cpu] {
                    if !allowed.contains(memory) {
                        errors.append("Fargate does not offer \(memory) MiB with \(cpu) CPU units; allowed: \(Self.describe(allowed)) MiB")
                    }
                } else {
                    errors.append("\(cpu) is not a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192, 16384)")
                }
            }
            if let problem = ephemeralStorage?.problem("ephemeralStorage", unit: .gibibytes, in: .gibibytes(21)...(.gibibytes(200))) {
                errors.append(problem)
            }
        } else {
            if ephemeralStorage != nil { errors.append("ephemeralStorage applies to Fargate tasks only") }
            if memory == nil {
                for c in containers where c.memoryLimit == nil && c.memoryReservation == nil {
                    errors.append("container '\(c.name)' needs memoryLimit or memoryReservation when the task has no memory size")
                }
            }
        }
        if let memory = memory?.mebibytes {
            let sum = containers.compactMap { ($0.memoryLimit ?? $0.memoryReservation)?.mebibytes }.reduce(0, +)
            if sum > memory { errors.append("the containers reserve \(sum) MiB, more than the task's \(memory) MiB") }
        }
        if let cpu {
            let sum = containers.compactMap(\.cpu).reduce(0, +)
            if sum > cpu { errors.append("the containers reserve \(sum) CPU units, more than the task's \(cpu)") }
        }
        return errors
    }

    private static func describe(_ sizes: [Int]) -> String {
        sizes.count <= 3 ? sizes.map(String.init).joined(separator: ", ") : "\(sizes.first!)-\(sizes.last!) in steps of \(sizes[1] - sizes[0])"
    }
}

extension TaskDefinition {
    /// Checks a CPU/memory pair against `fargateSizes`, for settings that validate it before any
    /// construct exists (so the message can name the setting).
    public static func fargateSizeProblem(cpu: Int, memory: MemorySize) -> FargateSizeProblem? {
        let memoryMiB = memory.mebibytes
        guard let sizes = fargateSizes[cpu] else {
            return .cpu("\(cpu) is not a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192, 16384)")
        }
        if !sizes.contains(memoryMiB) {
            let list = sizes.count <= 3 ? sizes.map(String.init).joined(separator: ", ")
                : "\(sizes.first!)-\(sizes.last!) in steps of \(sizes[1] - sizes[0])"
            return .memory("Fargate does not offer \(memoryMiB) MiB with \(cpu) CPU units (\(list) MiB)")
        }
        return nil
    }
}

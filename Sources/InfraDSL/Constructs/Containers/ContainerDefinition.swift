import InfraCore
import InfraResources

/// A container health check run by the ECS agent.
public struct ContainerHealthCheck: Sendable, Equatable {
    /// `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]` or `["CMD", "executable", "arg"]`.
    public var command: [String]
    /// Seconds between checks (default 30; 5-300).
    public var intervalSeconds: Int
    /// Seconds before a check fails (default 5; 2-60).
    public var timeoutSeconds: Int
    /// Failures before the container is unhealthy (default 3; 1-10).
    public var retries: Int
    /// Grace period in seconds during which failures do not count (default nil: none; 0-300).
    public var startPeriodSeconds: Int?

    public init(command: [String], intervalSeconds: Int = 30, timeoutSeconds: Int = 5, retries: Int = 3,
                startPeriodSeconds: Int? = nil) {
        self.command = command
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.retries = retries
        self.startPeriodSeconds = startPeriodSeconds
    }

    /// A shell command (`CMD-SHELL`), e.g. `.shell("curl -f http://localhost:8000/health || exit 1")`.
    public static func shell(_ command: String, intervalSeconds: Int = 30, timeoutSeconds: Int = 5, retries: Int = 3,
                             startPeriodSeconds: Int? = nil) -> Self {
        Self(command: ["CMD-SHELL", command], intervalSeconds: intervalSeconds, timeoutSeconds: timeoutSeconds,
             retries: retries, startPeriodSeconds: startPeriodSeconds)
    }
}

/// A container of a `TaskDefinition` (created by `TaskDefinition.addContainer`). Its settings
/// may change until synthesis, which renders it into the task definition.
///
/// Defaults: essential; logs to the task definition's log group with the container name as
/// stream prefix; no health check; writable root file system (most images write to it; set
/// `readonlyRootFilesystem = true` when the image allows); not privileged.
public final class ContainerDefinition {
    public let name: String
    public let image: ContainerImage
    /// A task stops when an essential container stops (default true).
    public var essential: Bool
    /// CPU units reserved for the container (default nil: shares the task's).
    public var cpu: Int?
    /// The hard memory limit in MiB (default nil: the task's memory).
    public var memoryLimitMiB: Int?
    /// The soft memory limit in MiB (default nil).
    public var memoryReservationMiB: Int?
    public var command: [StringValue]?
    public var entryPoint: [StringValue]?
    public var workingDirectory: String?
    public var user: String?
    public var healthCheck: ContainerHealthCheck?
    public var readonlyRootFilesystem: Bool = false
    /// Seconds to wait after SIGTERM before SIGKILL (default nil: 30 s, ECS's default).
    public var stopTimeoutSeconds: Int?
    /// Sends stdout and stderr to the task definition's log group (default true).
    public var logging: Bool = true
    public private(set) var portMappings: [PortMapping]
    public private(set) var environment: [String: StringValue]
    public private(set) var secrets: [String: ContainerSecret] = [:]

    let bound: ContainerImage.Bound
    unowned let taskDefinition: TaskDefinition

    init(task: TaskDefinition, name: String, image: ContainerImage, essential: Bool, portMappings: [PortMapping],
         environment: [String: StringValue]) {
        self.taskDefinition = task
        self.name = name
        self.image = image
        self.essential = essential
        self.portMappings = portMappings
        self.environment = environment
        self.bound = image.bind(to: task)
    }

    /// The first port mapping's container port (what load balancers target by default).
    public var containerPort: Int? { portMappings.first?.containerPort }

    public func addPortMapping(_ mapping: PortMapping) { portMappings.append(mapping) }

    public func addPortMapping(containerPort: Int, networkProtocol: PortMapping.NetworkProtocol = .tcp) {
        portMappings.append(PortMapping(containerPort: containerPort, networkProtocol: networkProtocol))
    }

    public func addEnvironment(_ name: String, _ value: StringValue) { environment[name] = value }

    /// Injects a secret as environment variable `name`; grants the execution role read access.
    public func addSecret(_ name: String, _ secret: ContainerSecret) {
        secrets[name] = secret
        secret.grantRead(taskDefinition.executionRole)
    }

    func render(logGroup: Logs.LogGroup) -> ECS.TaskDefinition.ContainerDefinition {
        .init { c in
            c.name = StringValue(name)
            c.image = bound.uri
            c.essential = BoolValue(essential)
            if let v = cpu { c.cpu = NumberValue(v) }
            if let v = memoryLimitMiB { c.memory = NumberValue(v) }
            if let v = memoryReservationMiB { c.memoryReservation = NumberValue(v) }
            if let v = command { c.command = ListValue(v) }
            if let v = entryPoint { c.entryPoint = ListValue(v) }
            if let v = workingDirectory { c.workingDirectory = StringValue(v) }
            if let v = user { c.user = StringValue(v) }
            if let v = stopTimeoutSeconds { c.stopTimeout = NumberValue(v) }
            c.readonlyRootFilesystem = BoolValue(readonlyRootFilesystem)
            c.privileged = false
            if !portMappings.isEmpty {
                let awsvpc = taskDefinition.networkMode == .awsvpc
                c.portMappings = ListValue(portMappings.map { m in
                    .init {
                        $0.containerPort = NumberValue(m.containerPort)
                        if let h = m.hostPort ?? (awsvpc ? m.containerPort : nil) { $0.hostPort = NumberValue(h) }
                        $0.protocol = .init(m.networkProtocol.rawValue)
                        if let n = m.name { $0.name = StringValue(n) }
                    }
                })
            }
            if !environment.isEmpty {
                c.environment = ListValue(environment.keys.sorted().map { key in
                    .init { $0.name = StringValue(key); $0.value = self.environment[key]! }
                })
            }
            if !secrets.isEmpty {
                c.secrets = ListValue(secrets.keys.sorted().map { key in
                    .init { $0.name = StringValue(key); $0.valueFrom = self.secrets[key]!.valueFrom }
                })
            }
            if let h = healthCheck {
                c.healthCheck = .init {
                    $0.command = ListValue(h.command.map { StringValue($0) })
                    $0.interval = NumberValue(h.intervalSeconds)
                    $0.timeout = NumberValue(h.timeoutSeconds)
                    $0.retries = NumberValue(h.retries)
                    if let s = h.startPeriodSeconds { $0.startPeriod = NumberValue(s) }
                }
            }
            if logging {
                c.logConfiguration = .init {
                    $0.logDriver = "awslogs"
                    $0.options = [
                        "awslogs-group": logGroup.ref,
                        "awslogs-region": Pseudo.region,
                        "awslogs-stream-prefix": StringValue(name),
                    ]
                }
            }
        }
    }

    func validate() -> [String] {
        var errors: [String] = []
        let prefix = "container '\(name)'"
        if name.isEmpty || name.count > 255 || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            errors.append("\(prefix): the name must be 1-255 letters, digits, '-' and '_'")
        }
        if case .registry(let image) = image.source, image.isEmpty { errors.append("\(prefix): the image name is empty") }
        for key in environment.keys.sorted() where secrets[key] != nil {
            errors.append("\(prefix): '\(key)' is both an environment variable and a secret")
        }
        var ports = Set<String>()
        for m in portMappings {
            if !Validate.ports.contains(m.containerPort) { errors.append("\(prefix): port \(m.containerPort) is out of range") }
            if !ports.insert("\(m.containerPort)/\(m.networkProtocol.rawValue)").inserted {
                errors.append("\(prefix): port \(m.containerPort)/\(m.networkProtocol.rawValue) is mapped twice")
            }
            if taskDefinition.networkMode == .awsvpc, let h = m.hostPort, h != m.containerPort {
                errors.append("\(prefix): with the awsvpc network mode the host port (\(h)) must equal the container port (\(m.containerPort))")
            }
        }
        if let r = memoryReservationMiB, let l = memoryLimitMiB, r > l {
            errors.append("\(prefix): memoryReservationMiB (\(r)) exceeds memoryLimitMiB (\(l))")
        }
        if let h = healthCheck {
            if h.command.isEmpty { errors.append("\(prefix): the health check command is empty") }
            if let first = h.command.first, !["CMD", "CMD-SHELL", "NONE"].contains(first) {
                errors.append("\(prefix): a health check command starts with CMD or CMD-SHELL (got '\(first)')")
            }
            if !(5...300).contains(h.intervalSeconds) { errors.append("\(prefix): health check interval must be 5-300 seconds") }
            if !(2...60).contains(h.timeoutSeconds) { errors.append("\(prefix): health check timeout must be 2-60 seconds") }
            if !(1...10).contains(h.retries) { errors.append("\(prefix): health check retries must be 1-10") }
            if let s = h.startPeriodSeconds, !(0...300).contains(s) { errors.append("\(prefix): health check start period must be 0-300 seconds") }
            if h.timeoutSeconds >= h.intervalSeconds { errors.append("\(prefix): health check timeout must be shorter than its interval") }
        }
        return errors
    }
}

import InfraCore
import InfraResources

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
    /// The hard memory limit (default nil: the task's memory).
    public var memoryLimit: MemorySize?
    /// The soft memory limit (default nil).
    public var memoryReservation: MemorySize?
    public var command: [StringValue]?
    public var entryPoint: [StringValue]?
    public var workingDirectory: String?
    public var user: String?
    public var healthCheck: ContainerHealthCheck?
    public var readonlyRootFilesystem: Bool = false
    /// Time to wait after SIGTERM before SIGKILL (default nil: 30 seconds, ECS's default; up to 2 minutes).
    public var stopTimeout: TimeSpan?
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
            if let v = memoryLimit { c.memory = NumberValue(v.mebibytes) }
            if let v = memoryReservation { c.memoryReservation = NumberValue(v.mebibytes) }
            if let v = command { c.command = ListValue(v) }
            if let v = entryPoint { c.entryPoint = ListValue(v) }
            if let v = workingDirectory { c.workingDirectory = StringValue(v) }
            if let v = user { c.user = StringValue(v) }
            if let v = stopTimeout { c.stopTimeout = NumberValue(v.seconds) }
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
                    $0.interval = NumberValue(h.interval.seconds)
                    $0.timeout = NumberValue(h.timeout.seconds)
                    $0.retries = NumberValue(h.retries)
                    if let s = h.startPeriod { $0.startPeriod = NumberValue(s.seconds) }
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
        if let r = memoryReservation, let l = memoryLimit, r > l {
            errors.append("\(prefix): memoryReservation (\(r)) exceeds memoryLimit (\(l))")
        }
        if let problem = stopTimeout?.problem("\(prefix): stopTimeout", in: .zero...(.minutes(2))) { errors.append(problem) }
        if let h = healthCheck {
            if h.command.isEmpty { errors.append("\(prefix): the health check command is empty") }
            if let first = h.command.first, !["CMD", "CMD-SHELL", "NONE"].contains(first) {
                errors.append("\(prefix): a health check command starts with CMD or CMD-SHELL (got '\(first)')")
            }
            if let problem = h.interval.problem("\(prefix): health check interval", in: .seconds(5)...(.minutes(5))) { errors.append(problem) }
            if let problem = h.timeout.problem("\(prefix): health check timeout", in: .seconds(2)...(.seconds(60))) { errors.append(problem) }
            if !(1...10).contains(h.retries) { errors.append("\(prefix): health check retries must be 1-10") }
            if let problem = h.startPeriod?.problem("\(prefix): health check start period", in: .zero...(.minutes(5))) { errors.append(problem) }
            if h.timeout >= h.interval { errors.append("\(prefix): health check timeout must be shorter than its interval") }
        }
        return errors
    }
}

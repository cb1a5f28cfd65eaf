import InfraCore
import InfraResources

/// What the two service constructs share: the ECS service resource, load balancer targets and
/// dependencies.
final class ServiceCore {
    let resource: ECS.Service
    let taskDefinition: TaskDefinition
    var targets: [(group: ApplicationTargetGroup, container: String, port: Int)] = []
    let healthCheckGracePeriod: TimeSpan?
    let deployment: DeploymentOptions
    let desiredCount: Int

    init(owner: Construct, cluster: any ClusterRef, taskDefinition: TaskDefinition, desiredCount: Int, serviceName: String?,
         deployment: DeploymentOptions, healthCheckGracePeriod: TimeSpan?, enableExecuteCommand: Bool) {
        self.taskDefinition = taskDefinition
        self.healthCheckGracePeriod = healthCheckGracePeriod
        self.deployment = deployment
        self.desiredCount = desiredCount
        resource = ECS.Service(owner, "Resource") {
            $0.cluster = cluster.clusterName
            $0.taskDefinition = taskDefinition.arn
            $0.desiredCount = NumberValue(desiredCount)
            if let n = serviceName { $0.serviceName = StringValue(n) }
            $0.deploymentController = .init { $0.type = .ecs }
            $0.deploymentConfiguration = .init {
                $0.deploymentCircuitBreaker = .init {
                    $0.enable = BoolValue(deployment.circuitBreakerRollback)
                    $0.rollback = BoolValue(deployment.circuitBreakerRollback)
                }
                $0.minimumHealthyPercent = NumberValue(deployment.minHealthyPercent)
                $0.maximumPercent = NumberValue(deployment.maxHealthyPercent)
            }
            $0.enableECSManagedTags = true
            $0.propagateTags = .service
            $0.enableExecuteCommand = BoolValue(enableExecuteCommand)
        }
        if enableExecuteCommand {
            taskDefinition.addToPrincipalPolicy(PolicyStatement(
                actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                          "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
                resources: ["*"]))
        }
    }

    /// Registers the service's tasks in `group` and lets the group's load balancers reach them.
    func attach(_ group: ApplicationTargetGroup, containerName: String?, containerPort: Int?, connectable: Connectable) {
        let container = containerName ?? taskDefinition.defaultContainer?.name ?? ""
        let port = containerPort
            ?? taskDefinition.containers.first(where: { $0.name == container })?.containerPort
            ?? group.port
        targets.append((group, container, port))
        // The load balancer reaches awsvpc tasks on the container port, bridge tasks on their
        // host port: the mapped one, or one of the dynamic range when none is given.
        var trafficPort = Port.tcp(port)
        if taskDefinition.networkMode == .bridge {
            let mapping = taskDefinition.containers.first(where: { $0.name == container })?
                .portMappings.first(where: { $0.containerPort == port })
            trafficPort = mapping?.hostPort.map { Port.tcp($0) } ?? .tcpRange(32768, 65535)
        }
        group.registerTargets(connectable, port: trafficPort)
    }

    func prepare() {
        // Held back at zero tasks until the images the stack's repositories serve exist.
        if desiredCount > 0, let owner = resource.scope,
           let ready = ImageGate.combinedCondition(taskDefinition.imageGates, owner: owner) {
            resource.desiredCount = Fn.if(ready, NumberValue(desiredCount), NumberValue(0))
        }
        guard !targets.isEmpty else { return }
        resource.loadBalancers = ListValue(targets.map { t in
            .init {
                $0.targetGroupArn = t.group.arn
                $0.containerName = StringValue(t.container)
                $0.containerPort = NumberValue(t.port)
            }
        })
        resource.healthCheckGracePeriodSeconds = NumberValue((healthCheckGracePeriod ?? .seconds(60)).seconds)
        // ECS rejects a target group that no listener uses yet.
        for t in targets { for r in t.group.routingResources { resource.addDependency(r) } }
    }

    func validate(expected: TaskDefinition.Compatibility) -> [String] {
        var errors: [String] = []
        if taskDefinition.compatibility != expected {
            errors.append("the task definition '\(taskDefinition.path)' is for \(taskDefinition.compatibility.rawValue), not \(expected.rawValue)")
        }
        if desiredCount < 0 { errors.append("desiredCount must not be negative") }
        let d = deployment
        if !(0...100).contains(d.minHealthyPercent) { errors.append("minHealthyPercent must be 0-100") }
        if d.maxHealthyPercent < 100 || d.maxHealthyPercent > 200 { errors.append("maxHealthyPercent must be 100-200") }
        if d.maxHealthyPercent == 100 && d.minHealthyPercent == 100 {
            errors.append("with minHealthyPercent and maxHealthyPercent both 100 a deployment can neither start nor stop a task")
        }
        if let problem = healthCheckGracePeriod?.problem("healthCheckGracePeriod", in: .zero...(.seconds(2_147_483_647))) {
            errors.append(problem)
        }
        if healthCheckGracePeriod != nil && targets.isEmpty {
            errors.append("healthCheckGracePeriod applies only to services behind a load balancer")
        }
        for t in targets {
            guard let c = taskDefinition.containers.first(where: { $0.name == t.container }) else {
                errors.append("no container '\(t.container)' in the task definition for the target group '\(t.group.path)'")
                continue
            }
            if !c.portMappings.contains(where: { $0.containerPort == t.port }) {
                errors.append("container '\(c.name)' does not map port \(t.port), which the target group '\(t.group.path)' targets")
            }
            if taskDefinition.networkMode == .awsvpc && t.group.targetType != .ip {
                errors.append("tasks with the awsvpc network mode register as 'ip' targets; '\(t.group.path)' expects '\(t.group.targetType.rawValue)'")
            }
            if taskDefinition.networkMode != .awsvpc && t.group.targetType != .instance {
                errors.append("tasks with the \(taskDefinition.networkMode.rawValue) network mode register as 'instance' targets; '\(t.group.path)' expects 'ip'")
            }
        }
        return errors
    }
}

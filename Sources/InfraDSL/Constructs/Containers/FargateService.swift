import InfraCore
import InfraResources

/// An ECS service running a Fargate task definition.
///
/// Defaults: 1 task; private subnets with NAT (else public subnets, where tasks get a public IP
/// to reach registries); a new security group with no inbound rule and all outbound;
/// platform version `LATEST`; the deployment circuit breaker with rollback, 100 % minimum and
/// 200 % maximum healthy; ECS managed tags propagated from the service; ECS Exec off. Behind a
/// load balancer, a 60-second health check grace period unless given.
///
/// `Connectable`: `database.connections.allow(from: service, port: .tcp(5432))`.
public final class FargateService: Construct, Connectable {
    public let cluster: any ClusterRef
    public let taskDefinition: TaskDefinition
    /// The service's security groups; the default port is the first container port.
    public var connections: Connections { connectionsStorage }
    private var connectionsStorage: Connections!
    private var core: ServiceCore!
    private let subnetIds: [StringValue]
    private let subnetType: SubnetType?
    private let assignPublicIp: Bool
    private let platformVersion: String

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ECS.Service { core.resource }

    /// - Parameters:
    ///   - desiredCount: default 1.
    ///   - subnetType: default nil: private with NAT, else public.
    ///   - assignPublicIp: default nil: true in public subnets only.
    ///   - securityGroups: default nil: a new group (`<path>/SecurityGroup`).
    ///   - serviceName: default nil (generated).
    ///   - platformVersion: default `LATEST`.
    ///   - deployment: default `DeploymentOptions()`.
    ///   - healthCheckGracePeriod: default nil (60 seconds behind a load balancer).
    ///   - enableExecuteCommand: ECS Exec (default false).
    public init(_ scope: Construct, _ id: String, cluster: any ClusterRef, taskDefinition: TaskDefinition, desiredCount: Int = 1,
                subnetType: SubnetType? = nil, assignPublicIp: Bool? = nil, securityGroups: [any SecurityGroupRef]? = nil,
                serviceName: String? = nil, platformVersion: String = "LATEST", deployment: DeploymentOptions = DeploymentOptions(),
                healthCheckGracePeriod: TimeSpan? = nil, enableExecuteCommand: Bool = false) {
        self.cluster = cluster
        self.taskDefinition = taskDefinition
        self.subnetType = subnetType
        let vpc = cluster.vpc
        let placement: SubnetType = subnetType ?? (vpc.subnetIds(.privateWithEgress).isEmpty ? .public : .privateWithEgress)
        subnetIds = vpc.subnetIds(placement)
        self.assignPublicIp = assignPublicIp ?? (placement == .public)
        self.platformVersion = platformVersion
        super.init(scope, id)
        if let v = vpc as? Construct { app.addRelation(from: self, to: v, .placement, label: placement.rawValue) }
        let sgs = securityGroups ?? [SecurityGroup(self, "SecurityGroup", vpc: vpc, description: "Service \(path)")]
        connectionsStorage = Connections(securityGroups: sgs, defaultPort: taskDefinition.defaultContainer?.containerPort.map { .tcp($0) })
        core = ServiceCore(owner: self, cluster: cluster, taskDefinition: taskDefinition, desiredCount: desiredCount,
                           serviceName: serviceName, deployment: deployment,
                           healthCheckGracePeriod: healthCheckGracePeriod, enableExecuteCommand: enableExecuteCommand)
        let publicIp = self.assignPublicIp
        core.resource.launchType = .fargate
        core.resource.platformVersion = StringValue(platformVersion)
        core.resource.networkConfiguration = .init {
            $0.awsvpcConfiguration = .init {
                $0.subnets = ListValue(self.subnetIds)
                $0.securityGroups = ListValue(sgs.map(\.groupId))
                $0.assignPublicIp = publicIp ? .enabled : .disabled
            }
        }
        if placement == .privateWithEgress, let v = vpc as? Vpc {
            for r in v.internetConnectivityEstablished { core.resource.addDependency(r) }
        }
    }

    /// The service's security groups.
    public var securityGroups: [any SecurityGroupRef] { connections.securityGroups }

    /// The service name (`Fn::GetAtt Name`).
    public var serviceName: StringValue { core.resource.attrName }
    /// The service ARN (`Ref`).
    public var serviceArn: StringValue { core.resource.ref }

    /// Registers the tasks in a target group (default container: the first essential one; default
    /// port: its first port mapping) and lets the group's load balancers reach them on that port.
    public func attachToTargetGroup(_ targetGroup: ApplicationTargetGroup, containerName: String? = nil, containerPort: Int? = nil) {
        core.attach(targetGroup, containerName: containerName, containerPort: containerPort, connectable: self)
    }

    public override func prepare() { core.prepare() }

    public override func validate() -> [String] {
        var errors = core.validate(expected: .fargate)
        if subnetIds.isEmpty {
            errors.append("the VPC has no \(subnetType.map { "\($0.rawValue) " } ?? "private or public ")subnets for the service")
        }
        if assignPublicIp && subnetType != nil && subnetType != .public {
            errors.append("assignPublicIp needs public subnets (tasks in private subnets reach the internet through NAT)")
        }
        if platformVersion != "LATEST", !platformVersion.split(separator: ".").allSatisfy({ Int($0) != nil }) {
            errors.append("platformVersion '\(platformVersion)' must be LATEST or a version such as 1.4.0")
        }
        return errors
    }
}

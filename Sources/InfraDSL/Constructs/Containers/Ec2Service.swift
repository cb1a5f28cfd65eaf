import InfraCore
import InfraResources

/// An ECS service running an EC2 task definition on a cluster's instances.
///
/// Defaults: 1 task; the cluster's capacity provider when it has one (else the `EC2` launch
/// type); tasks spread over availability zones, then packed by memory. With the `awsvpc`
/// network mode: private subnets with NAT (else public) and a new security group with no
/// inbound rule; with `bridge`/`host`: the tasks share the instances' security group. The
/// deployment circuit breaker with rollback, 100 % / 200 %; 60-second grace period behind a
/// load balancer unless given.
public final class Ec2Service: Construct, Connectable {
    public let cluster: any ClusterRef
    public let taskDefinition: TaskDefinition
    /// The tasks' security groups (the instances' group for `bridge` and `host` tasks).
    public var connections: Connections { connectionsStorage }
    private var connectionsStorage: Connections!
    private var core: ServiceCore!
    /// The cluster when this app creates it (its capacity is known), nil for an imported one.
    private var ownedCluster: Cluster? { cluster as? Cluster }
    private let subnetIds: [StringValue]
    private let subnetType: SubnetType?

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: ECS.Service { core.resource }

    /// - Parameters:
    ///   - desiredCount: default 1.
    ///   - subnetType: `awsvpc` only; default nil: private with NAT, else public.
    ///   - securityGroups: `awsvpc` only; default nil: a new group.
    ///   - serviceName: default nil (generated).
    ///   - deployment: default `DeploymentOptions()`.
    ///   - healthCheckGracePeriod: default nil (60 seconds behind a load balancer).
    ///   - enableExecuteCommand: ECS Exec (default false).
    public init(_ scope: Construct, _ id: String, cluster: any ClusterRef, taskDefinition: TaskDefinition, desiredCount: Int = 1,
                subnetType: SubnetType? = nil, securityGroups: [any SecurityGroupRef]? = nil, serviceName: String? = nil,
                deployment: DeploymentOptions = DeploymentOptions(), healthCheckGracePeriod: TimeSpan? = nil,
                enableExecuteCommand: Bool = false) {
        self.cluster = cluster
        self.taskDefinition = taskDefinition
        self.subnetType = subnetType
        let vpc = cluster.vpc
        let placement: SubnetType = subnetType ?? (vpc.subnetIds(.privateWithEgress).isEmpty ? .public : .privateWithEgress)
        let awsvpc = taskDefinition.networkMode == .awsvpc
        subnetIds = awsvpc ? vpc.subnetIds(placement) : []
        super.init(scope, id)
        if let v = vpc as? Construct {
            // Bridge and host tasks run on the cluster's instances.
            let tier = awsvpc ? placement.rawValue
                : app.relations.last(where: { $0.kind == .placement && $0.from.construct === cluster })?.label ?? ""
            app.addRelation(from: self, to: v, .placement, label: tier)
        }
        let defaultPort = taskDefinition.defaultContainer?.containerPort.map { Port.tcp($0) }
        var sgs: [any SecurityGroupRef] = []
        if awsvpc {
            sgs = securityGroups ?? [SecurityGroup(self, "SecurityGroup", vpc: vpc, description: "Service \(path)")]
        } else if let instances = ownedCluster?.instanceSecurityGroup {
            sgs = [instances]
        }
        connectionsStorage = Connections(securityGroups: sgs, defaultPort: defaultPort)
        core = ServiceCore(owner: self, cluster: cluster, taskDefinition: taskDefinition, desiredCount: desiredCount,
                           serviceName: serviceName, deployment: deployment,
                           healthCheckGracePeriod: healthCheckGracePeriod, enableExecuteCommand: enableExecuteCommand)
        let service = core.resource
        if let provider = ownedCluster?.capacityProvider {
            service.capacityProviderStrategy = [.init {
                $0.capacityProvider = provider.ref
                $0.weight = 1
            }]
            if let association = cluster.child("CapacityProviderAssociations") as? Resource { service.addDependency(association) }
        } else {
            service.launchType = .ec2
        }
        service.placementStrategies = [
            .init { $0.type = .spread; $0.field = "attribute:ecs.availability-zone" },
            .init { $0.type = .binpack; $0.field = "memory" },
        ]
        if awsvpc {
            service.networkConfiguration = .init {
                $0.awsvpcConfiguration = .init {
                    $0.subnets = ListValue(self.subnetIds)
                    $0.securityGroups = ListValue(sgs.map(\.groupId))
                    $0.assignPublicIp = .disabled
                }
            }
        }
        if let asg = ownedCluster?.autoScalingGroup { service.addDependency(asg) }
    }

    /// The service name (`Fn::GetAtt Name`).
    public var serviceName: StringValue { core.resource.attrName }
    /// The service ARN (`Ref`).
    public var serviceArn: StringValue { core.resource.ref }

    /// Registers the tasks in a target group (`ip` targets for `awsvpc` tasks, `instance`
    /// targets otherwise) and lets the group's load balancers reach them.
    public func attachToTargetGroup(_ targetGroup: ApplicationTargetGroup, containerName: String? = nil, containerPort: Int? = nil) {
        core.attach(targetGroup, containerName: containerName, containerPort: containerPort, connectable: self)
    }

    public override func prepare() { core.prepare() }

    public override func validate() -> [String] {
        var errors = core.validate(expected: .ec2)
        if let ownedCluster, !ownedCluster.hasEc2Capacity {
            errors.append("the cluster '\(cluster.path)' has no EC2 capacity (create it with ec2Capacity:)")
        }
        if taskDefinition.networkMode == .awsvpc {
            if subnetIds.isEmpty { errors.append("the VPC has no subnets for the service") }
        } else {
            if subnetType != nil { errors.append("subnetType applies to awsvpc tasks only") }
            if connections.securityGroups.isEmpty {
                errors.append("bridge and host tasks use the instances' security group, and the cluster has none")
            }
        }
        return errors
    }
}

import InfraCore

/// EC2 instances for a cluster: an auto scaling group of ECS-optimized instances.
public struct Ec2CapacityOptions: Sendable, Equatable {
    /// Default `t3.medium`.
    public var instanceType: String
    /// Default 1.
    public var minCapacity: Int
    /// Default 2.
    public var maxCapacity: Int
    /// Default nil: the auto scaling group (and ECS managed scaling) decide.
    public var desiredCapacity: Int?
    /// The subnets of the instances (default nil: private with NAT, else public).
    public var subnetType: SubnetType?
    /// The public SSM parameter with the AMI id (default: the recommended ECS-optimized Amazon
    /// Linux 2023 image, `/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`).
    public var amiParameterName: String
    /// The encrypted gp3 root volume's size, whole GiB from 30 GiB (the AMI's minimum) to 16 TiB
    /// (default `.gibibytes(30)`).
    public var rootVolumeSize: DataSize
    /// Let ECS scale the group to what tasks need (a capacity provider with managed scaling,
    /// target 100 %) (default true).
    public var managedScaling: Bool

    public init(instanceType: String = "t3.medium", minCapacity: Int = 1, maxCapacity: Int = 2, desiredCapacity: Int? = nil,
                subnetType: SubnetType? = nil,
                amiParameterName: String = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
                rootVolumeSize: DataSize = .gibibytes(30), managedScaling: Bool = true) {
        self.instanceType = instanceType
        self.minCapacity = minCapacity
        self.maxCapacity = maxCapacity
        self.desiredCapacity = desiredCapacity
        self.subnetType = subnetType
        self.amiParameterName = amiParameterName
        self.rootVolumeSize = rootVolumeSize
        self.managedScaling = managedScaling
    }
}

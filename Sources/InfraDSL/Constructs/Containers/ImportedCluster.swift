import InfraCore

/// An existing cluster by name (`Cluster.imported(...)`): creates nothing. Services run in it;
/// its EC2 capacity is not known here, so an `Ec2Service` in it assumes the cluster has some.
public final class ImportedCluster: Construct, ClusterRef {
    public let clusterName: StringValue
    public let vpc: VpcRef

    init(_ scope: Construct, _ id: String, clusterName: StringValue, vpc: VpcRef) {
        self.clusterName = clusterName
        self.vpc = vpc
        super.init(scope, id)
    }

    public var arn: StringValue { Fn.sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/\(clusterName)") }
}

extension Cluster {
    /// An existing cluster by name (its services run in `vpc`).
    public static func imported(_ scope: Construct, _ id: String, clusterName: StringValue, vpc: VpcRef) -> ImportedCluster {
        ImportedCluster(scope, id, clusterName: clusterName, vpc: vpc)
    }
}

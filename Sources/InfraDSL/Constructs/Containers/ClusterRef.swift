import InfraCore

/// An ECS cluster services can run in: one this app creates (`Cluster`) or an existing one
/// (`Cluster.imported(...)`, an `ImportedCluster`).
public protocol ClusterRef: Construct {
    /// The cluster name.
    var clusterName: StringValue { get }
    /// The cluster ARN.
    var arn: StringValue { get }
    /// The VPC its services run in.
    var vpc: VpcRef { get }
}

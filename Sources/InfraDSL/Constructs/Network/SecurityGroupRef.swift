import InfraCore

/// A security group rules can name: one this app creates (`SecurityGroup`) or an existing one
/// (`SecurityGroup.imported(...)`, an `ImportedSecurityGroup`). `Connections` work with both;
/// ingress rules into an imported group are created in the stack that allows the traffic.
public protocol SecurityGroupRef: Construct {
    /// The group id.
    var groupId: StringValue { get }
}

import InfraCore

/// An existing security group by id (`SecurityGroup.imported(...)`): creates nothing.
public final class ImportedSecurityGroup: Construct, SecurityGroupRef {
    public let groupId: StringValue

    init(_ scope: Construct, _ id: String, groupId: StringValue) {
        self.groupId = groupId
        super.init(scope, id)
    }
}

extension SecurityGroup {
    /// An existing security group by id (`sg-...`).
    public static func imported(_ scope: Construct, _ id: String, groupId: StringValue) -> ImportedSecurityGroup {
        ImportedSecurityGroup(scope, id, groupId: groupId)
    }
}

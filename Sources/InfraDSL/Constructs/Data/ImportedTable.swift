import InfraCore

/// An existing table by name or ARN (`Table.imported(...)`): creates nothing. It has a name, an
/// ARN and data grants (covering its indexes, which may exist); indexes and streams are not
/// managed here.
public final class ImportedTable: Construct, TableRef {
    public let tableArn: StringValue
    public let encryptionKeyArn: StringValue?

    init(_ scope: Construct, _ id: String, tableArn: StringValue, encryptionKeyArn: StringValue?) {
        self.tableArn = tableArn
        self.encryptionKeyArn = encryptionKeyArn
        super.init(scope, id)
    }

    /// The table's name, taken from its ARN.
    public var tableName: StringValue { ServerlessSupport.arnComponent(tableArn, separator: "/", index: 1) }

    /// The table and its indexes (an imported table may have some).
    public var grantArns: [StringValue] { [tableArn, ServerlessSupport.flat("\(tableArn)/index/*")] }
}

extension Table {
    /// An existing table of this account and region by name.
    public static func imported(_ scope: Construct, _ id: String, name: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedTable {
        let arn: StringValue = "arn:\(Pseudo.partition):dynamodb:\(Pseudo.region):\(Pseudo.accountId):table/\(name)"
        return ImportedTable(scope, id, tableArn: arn, encryptionKeyArn: encryptionKeyArn)
    }

    /// An existing table by ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`).
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue, encryptionKeyArn: StringValue? = nil) -> ImportedTable {
        ImportedTable(scope, id, tableArn: arn, encryptionKeyArn: encryptionKeyArn)
    }
}

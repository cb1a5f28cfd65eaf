import InfraCore
import InfraResources

/// A DynamoDB table other constructs can use: one this app creates (`Table`) or an existing
/// one (`Table.imported(...)`, an `ImportedTable`).
///
/// Its name, ARN and the data grants work on both. What needs the table's own resource
/// (indexes, its stream) exists only on `Table`, so asking an imported table for it does not
/// compile.
public protocol TableRef: Construct {
    /// The table's name.
    var tableName: StringValue { get }
    /// The table's ARN.
    var tableArn: StringValue { get }
    /// The customer managed KMS key of the table, if any.
    var encryptionKeyArn: StringValue? { get }
    /// The ARNs the data grants cover: the table, and its indexes when it has (or, imported,
    /// may have) some.
    var grantArns: [StringValue] { get }
}

private let tableReadActions = [
    "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
    "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query", "dynamodb:Scan",
]
private let tableWriteActions = [
    "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem",
]

extension TableRef {
    /// Lets `grantee` read items (get, batch get, query, scan, condition checks).
    public func grantReadData(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "read")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: tableReadActions, resources: grantArns))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ["kms:Decrypt", "kms:DescribeKey"])
    }

    /// Lets `grantee` write items (put, update, delete, batch write).
    public func grantWriteData(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "write")
        grantee.addToPrincipalPolicy(PolicyStatement(actions: tableWriteActions, resources: grantArns))
        ServerlessSupport.grantKey(grantee, encryptionKeyArn, ServerlessSupport.kmsEncryptDecryptActions + ["kms:DescribeKey"])
    }

    /// `grantReadData` and `grantWriteData`.
    public func grantReadWriteData(_ grantee: Grantable) {
        grantReadData(grantee)
        grantWriteData(grantee)
    }
}

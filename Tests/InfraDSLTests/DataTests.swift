import Foundation
import InfraDSL
import InfraTesting
import XCTest

// MARK: - Helpers shared by the Data, Messaging, Functions, API, Auth and Custom tests

/// A synthesized template, with lookups by resource type (InfraTesting's `Template` underneath;
/// new tests can use its matchers directly: `t.template.hasResourceProperties(...)`).
struct DTTemplate {
    let template: Template
    var value: Value { template.json }

    init(_ app: App, stack: Int = 0) throws {
        template = try Template(stack: app.stacks[stack])
    }

    var resources: [(id: String, body: Value)] {
        template.resources.map { (id: $0.logicalId, body: $0.body) }
    }

    func all(_ type: String) -> [(id: String, body: Value)] {
        template.resources(ofType: type).map { (id: $0.logicalId, body: $0.body) }
    }

    /// The only resource of `type` (fails the test otherwise).
    func one(_ type: String, file: StaticString = #filePath, line: UInt = #line) -> (id: String, body: Value) {
        let found = all(type)
        XCTAssertEqual(found.count, 1, "expected one \(type), found \(found.count)", file: file, line: line)
        return found.first ?? (id: "", body: .null)
    }

    /// The properties of the only resource of `type`.
    func props(_ type: String, file: StaticString = #filePath, line: UInt = #line) -> Value {
        one(type, file: file, line: line).body["Properties"] ?? .null
    }

    /// The statements of the inline policy of the only role whose logical id starts with `prefix`.
    func roleStatements(_ prefix: String, file: StaticString = #filePath, line: UInt = #line) -> [Value] {
        let roles = all("AWS::IAM::Role").filter { $0.id.hasPrefix(prefix) }
        XCTAssertEqual(roles.count, 1, "expected one role \(prefix)*", file: file, line: line)
        guard case .array(let policies)? = roles.first?.body["Properties"]?["Policies"],
              case .array(let statements)? = policies.first?["PolicyDocument"]?["Statement"] else { return [] }
        return statements
    }

    /// The rendered JSON, for substring checks.
    var json: String { JSONRenderer.render(value) }
}

/// The messages of a failed synthesis (`path: message`), or [] when it succeeds.
func dtSynthesisErrors(_ app: App) -> [String] {
    do {
        _ = try app.synthesize()
        return []
    } catch let e as SynthesisError {
        return e.diagnostics.map(\.description)
    } catch {
        return ["\(error)"]
    }
}

/// Asserts that synthesis fails with a message at `path` containing `fragment`.
func dtAssertError(_ app: App, path: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    let errors = dtSynthesisErrors(app)
    XCTAssertTrue(errors.contains { $0.hasPrefix(path + ":") && $0.contains(fragment) },
                  "no error at \(path) containing '\(fragment)' in \(errors)", file: file, line: line)
}

/// A VPC with literal subnet ids.
final class DTStubVpc: VpcRef {
    let vpcId: StringValue = "vpc-0123456789abcdef0"
    let vpcCidrBlock: StringValue? = "10.0.0.0/16"
    let subnets: [SubnetType: [StringValue]]

    init(_ subnets: [SubnetType: [StringValue]] = [
        .public: ["subnet-pub1", "subnet-pub2"],
        .privateWithEgress: ["subnet-priv1", "subnet-priv2"],
        .isolated: ["subnet-iso1", "subnet-iso2"],
    ]) {
        self.subnets = subnets
    }

    func subnetIds(_ type: SubnetType) -> [StringValue] { subnets[type] ?? [] }
}

/// A temporary directory removed at the end of the test.
func dtTempDir(_ test: XCTestCase, files: [String: String] = [:]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-dt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    for (name, content) in files {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }
    return dir.path
}

func dtRef(_ id: String) -> Value { ["Ref": .string(id)] }
func dtGetAtt(_ id: String, _ attribute: String) -> Value { ["Fn::GetAtt": [.string(id), .string(attribute)]] }

// MARK: - Data

final class DataTests: XCTestCase {
    // MARK: Bucket

    func testBucketDefaultsAreSecure() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = Bucket(stack, "Data")
        let t = try DTTemplate(app)
        let bucket = t.one("AWS::S3::Bucket")
        XCTAssertEqual(bucket.body["DeletionPolicy"], "Retain")
        XCTAssertEqual(bucket.body["UpdateReplacePolicy"], "Retain")
        let p = bucket.body["Properties"]!
        XCTAssertEqual(p["BucketEncryption"], ["ServerSideEncryptionConfiguration": [["ServerSideEncryptionByDefault": ["SSEAlgorithm": "AES256"]]]])
        XCTAssertEqual(p["PublicAccessBlockConfiguration"], [
            "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
        ])
        XCTAssertEqual(p["OwnershipControls"], ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]])
        XCTAssertNil(p["VersioningConfiguration"])
        XCTAssertNil(p["BucketName"])

        let policy = t.props("AWS::S3::BucketPolicy")
        XCTAssertEqual(policy["Bucket"], dtRef(bucket.id))
        XCTAssertEqual(policy["PolicyDocument"]?["Statement"], [[
            "Effect": "Deny", "Principal": ["AWS": "*"], "Action": "s3:*",
            "Resource": [dtGetAtt(bucket.id, "Arn"), ["Fn::Join": ["", [dtGetAtt(bucket.id, "Arn"), "/*"]]]],
            "Condition": ["Bool": ["aws:SecureTransport": "false"]],
        ]])
    }

    func testBucketOptionsKmsVersioningLifecycleAndLogs() throws {
        let app = App()
        let stack = Stack(app, "S")
        let logs = Bucket(stack, "Logs")
        _ = Bucket(stack, "Data", bucketName: "my-data-bucket", encryption: .kms(keyArn: "arn:aws:kms:eu-west-1:123456789012:key/k"),
                   versioned: true, lifecycleRules: [.init(prefix: "tmp/", expiration: .days(30), transitions: [(.glacier, .days(10))])],
                   accessLogs: (logs, "data/"), removalPolicy: .delete)
        let t = try DTTemplate(app)
        let data = t.all("AWS::S3::Bucket").first { $0.body["Properties"]?["BucketName"] != nil }!
        let p = data.body["Properties"]!
        XCTAssertEqual(p["BucketName"], "my-data-bucket")
        XCTAssertEqual(data.body["DeletionPolicy"], "Delete")
        XCTAssertEqual(p["BucketEncryption"]?["ServerSideEncryptionConfiguration"], [[
            "BucketKeyEnabled": true,
            "ServerSideEncryptionByDefault": ["KMSMasterKeyID": "arn:aws:kms:eu-west-1:123456789012:key/k", "SSEAlgorithm": "aws:kms"],
        ]])
        XCTAssertEqual(p["VersioningConfiguration"], ["Status": "Enabled"])
        XCTAssertEqual(p["LifecycleConfiguration"], ["Rules": [[
            "AbortIncompleteMultipartUpload": ["DaysAfterInitiation": 7], "ExpirationInDays": 30, "Prefix": "tmp/",
            "Status": "Enabled", "Transitions": [["StorageClass": "GLACIER", "TransitionInDays": 10]],
        ]]])
        let logsId = t.all("AWS::S3::Bucket").first { $0.body["Properties"]?["BucketName"] == nil }!.id
        XCTAssertEqual(p["LoggingConfiguration"], ["DestinationBucketName": dtRef(logsId), "LogFilePrefix": "data/"])
        // The log bucket lets S3 logging write under the prefix, for this bucket only.
        let logPolicy = t.all("AWS::S3::BucketPolicy").first { $0.body["Properties"]?["Bucket"] == dtRef(logsId) }!
        guard case .array(let statements)? = logPolicy.body["Properties"]?["PolicyDocument"]?["Statement"] else { return XCTFail() }
        XCTAssertEqual(statements.last, [
            "Effect": "Allow", "Principal": ["Service": "logging.s3.amazonaws.com"], "Action": "s3:PutObject",
            "Resource": ["Fn::Join": ["", [dtGetAtt(logsId, "Arn"), "/data/*"]]],
            "Condition": [
                "ArnLike": ["aws:SourceArn": ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":s3:::my-data-bucket"]]]],
                "StringEquals": ["aws:SourceAccount": ["Ref": "AWS::AccountId"]],
            ],
        ])
    }

    func testBucketGrantsExactActionsAndResources() throws {
        let app = App()
        let stack = Stack(app, "S")
        let bucket = Bucket(stack, "Data")
        let role = Role(stack, "Reader", assumedBy: "lambda.amazonaws.com")
        bucket.grantRead(role)
        let writer = Role(stack, "Writer", assumedBy: "lambda.amazonaws.com")
        bucket.grantPut(writer, objectsKeyPattern: "uploads/*")
        bucket.grantDelete(writer, objectsKeyPattern: "uploads/*")
        let t = try DTTemplate(app)
        let id = t.one("AWS::S3::Bucket").id
        let arn = dtGetAtt(id, "Arn")
        XCTAssertEqual(t.roleStatements("Reader"), [
            ["Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": arn],
            ["Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": ["Fn::Join": ["", [arn, "/*"]]]],
        ])
        XCTAssertEqual(t.roleStatements("Writer"), [
            ["Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"],
             "Resource": ["Fn::Join": ["", [arn, "/uploads/*"]]]],
        ])
    }

    func testBucketKmsGrantsIncludeTheKey() throws {
        let app = App()
        let stack = Stack(app, "S")
        let bucket = Bucket(stack, "Data", encryption: .kms(keyArn: "arn:key"))
        let role = Role(stack, "Writer", assumedBy: "lambda.amazonaws.com")
        bucket.grantReadWrite(role)
        let statements = try DTTemplate(app).roleStatements("Writer")
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"], "Resource": "arn:key"]))
    }

    func testImportedBucketByNameAndArn() throws {
        let app = App()
        let stack = Stack(app, "S")
        let byName = Bucket.imported(stack, "Existing", name: "legacy-bucket")
        let byArn = Bucket.imported(stack, "ExistingArn", arn: "arn:aws:s3:::other-bucket")
        XCTAssertEqual(byArn.bucketName, "other-bucket")
        let role = Role(stack, "R", assumedBy: "lambda.amazonaws.com")
        byName.grantRead(role)
        let t = try DTTemplate(app)
        XCTAssertTrue(t.all("AWS::S3::Bucket").isEmpty)
        let arn: Value = ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":s3:::legacy-bucket"]]]
        XCTAssertEqual(t.roleStatements("R").first?["Resource"], arn)
    }

    func testBucketValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Bucket(stack, "Bad", bucketName: "Not_Valid")
        _ = Bucket(stack, "Rules", lifecycleRules: [.init(abortIncompleteMultipartUpload: nil)])
        _ = Bucket(stack, "Snap", removalPolicy: .snapshot)
        _ = Table(stack, "SnapTable", partitionKey: .init("id", .string), removalPolicy: .snapshot)
        dtAssertError(app, path: "S/Snap", contains: "removalPolicy .snapshot is not supported by S3 buckets")
        dtAssertError(app, path: "S/SnapTable", contains: "removalPolicy .snapshot is not supported by DynamoDB tables")
        dtAssertError(app, path: "S/Bad", contains: "bucketName 'Not_Valid' is invalid")
        dtAssertError(app, path: "S/Rules", contains: "lifecycle rule 0 does nothing")
    }

    func testNotificationWithGeneratedNameUsesCustomResourceWithoutCycle() throws {
        let app = App()
        let stack = Stack(app, "S")
        let bucket = Bucket(stack, "Raw")
        let fn = Function(stack, "Restore", code: .inline("def handler(e, c): pass"), handler: "index.handler", runtime: .python3_12,
                          environment: ["BUCKET": bucket.bucketName])
        bucket.grantRead(fn)   // the function reads the bucket that notifies it: the classic cycle
        bucket.addEventNotification(.objectCreated, function: fn, prefix: "in/", suffix: ".jpg")
        let t = try DTTemplate(app)   // no "dependency cycle" error
        let bucketRes = t.one("AWS::S3::Bucket")
        XCTAssertNil(bucketRes.body["Properties"]?["NotificationConfiguration"])
        let fnId = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("Restore") }!.id
        let permission = t.one("AWS::Lambda::Permission")
        XCTAssertEqual(permission.body["Properties"], [
            "Action": "lambda:InvokeFunction", "FunctionName": dtGetAtt(fnId, "Arn"), "Principal": "s3.amazonaws.com",
            "SourceAccount": ["Ref": "AWS::AccountId"], "SourceArn": dtGetAtt(bucketRes.id, "Arn"),
        ])
        let cr = t.one("Custom::S3BucketNotifications")
        XCTAssertEqual(cr.body["DependsOn"], [.string(permission.id)])
        XCTAssertEqual(cr.body["Properties"]?["BucketName"], dtRef(bucketRes.id))
        XCTAssertEqual(cr.body["Properties"]?["NotificationConfiguration"], ["LambdaFunctionConfigurations": [[
            "Events": ["s3:ObjectCreated:*"],
            "Filter": ["Key": ["FilterRules": [["Name": "prefix", "Value": "in/"], ["Name": "suffix", "Value": ".jpg"]]]],
            "LambdaFunctionArn": dtGetAtt(fnId, "Arn"),
        ]]])
        // One handler per stack, allowed to configure this bucket only.
        let handlerId = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("BucketNotificationsHandler") }!.id
        XCTAssertEqual(cr.body["Properties"]?["ServiceToken"], dtGetAtt(handlerId, "Arn"))
        XCTAssertTrue(t.roleStatements("BucketNotificationsHandler").contains(
            ["Effect": "Allow", "Action": "s3:PutBucketNotification", "Resource": dtGetAtt(bucketRes.id, "Arn")]))
    }

    func testNotificationsShareOneHandlerPerStack() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        for i in 1...3 { Bucket(stack, "B\(i)").addEventNotification(function: fn) }
        let t = try DTTemplate(app)
        XCTAssertEqual(t.all("Custom::S3BucketNotifications").count, 3)
        XCTAssertEqual(t.all("AWS::Lambda::Function").count, 2)
        let allowed = t.roleStatements("BucketNotificationsHandler").filter { $0["Action"] == "s3:PutBucketNotification" }.map { $0["Resource"] }
        XCTAssertEqual(allowed, t.all("AWS::S3::Bucket").map { dtGetAtt($0.id, "Arn") })
    }

    func testNotificationWithLiteralNameIsNativeAndDependsOnPermission() throws {
        let app = App()
        let stack = Stack(app, "S")
        let bucket = Bucket(stack, "Raw", bucketName: "coral-raw-images")
        let fn = Function(stack, "Restore", code: .inline("x"), handler: "index.handler", runtime: .python3_12,
                          environment: ["BUCKET": bucket.bucketName])
        bucket.grantRead(fn)
        bucket.addEventNotification(.objectCreatedPut, function: fn)
        let t = try DTTemplate(app)
        XCTAssertTrue(t.all("Custom::S3BucketNotifications").isEmpty)
        let b = t.one("AWS::S3::Bucket")
        let permission = t.one("AWS::Lambda::Permission")
        XCTAssertEqual(b.body["DependsOn"], [.string(permission.id)])
        let fnId = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("Restore") }!.id
        XCTAssertEqual(b.body["Properties"]?["NotificationConfiguration"], ["LambdaConfigurations": [[
            "Event": "s3:ObjectCreated:Put", "Function": dtGetAtt(fnId, "Arn"),
        ]]])
        let literalArn: Value = ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":s3:::coral-raw-images"]]]
        XCTAssertEqual(permission.body["Properties"]?["SourceArn"], literalArn)
        XCTAssertEqual(t.roleStatements("Restore").first { $0["Action"] == ["s3:GetBucketLocation", "s3:ListBucket"] }?["Resource"], literalArn)
    }

    func testDuplicateNotificationIsReported() {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        let b = Bucket(stack, "B")
        b.addEventNotification(function: fn, prefix: "a/")
        b.addEventNotification(function: fn, prefix: "a/")
        dtAssertError(app, path: "S/B", contains: "S3 rejects overlapping configurations")
    }

    // MARK: StaticSite

    func testStaticSiteServesPrivateBucketThroughCloudFront() throws {
        let app = App()
        let stack = Stack(app, "S")
        let site = StaticSite(stack, "Web", singlePageApp: true)
        XCTAssertEqual(site.aliasHostedZoneId, "Z2FDTNDATAQYW2")
        let t = try DTTemplate(app)
        let bucket = t.one("AWS::S3::Bucket")
        XCTAssertEqual(bucket.body["Properties"]?["PublicAccessBlockConfiguration"]?["BlockPublicPolicy"], true)
        let oac = t.one("AWS::CloudFront::OriginAccessControl")
        XCTAssertEqual(oac.body["Properties"]?["OriginAccessControlConfig"]?["SigningBehavior"], "always")
        let dist = t.one("AWS::CloudFront::Distribution")
        let config = dist.body["Properties"]!["DistributionConfig"]!
        XCTAssertEqual(config["DefaultRootObject"], "index.html")
        XCTAssertEqual(config["DefaultCacheBehavior"]?["ViewerProtocolPolicy"], "redirect-to-https")
        XCTAssertEqual(config["Origins"], [[
            "DomainName": dtGetAtt(bucket.id, "RegionalDomainName"), "Id": "S3Origin",
            "OriginAccessControlId": dtGetAtt(oac.id, "Id"), "S3OriginConfig": ["OriginAccessIdentity": ""],
        ]])
        XCTAssertEqual(config["CustomErrorResponses"], [
            ["ErrorCachingMinTTL": 10, "ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"],
            ["ErrorCachingMinTTL": 10, "ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"],
        ])
        XCTAssertEqual(config["ViewerCertificate"], ["CloudFrontDefaultCertificate": true])
        // The bucket policy lets this distribution, and only it, read objects.
        let statements = t.props("AWS::S3::BucketPolicy")["PolicyDocument"]?["Statement"]
        guard case .array(let list)? = statements else { return XCTFail() }
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(list[1], [
            "Effect": "Allow", "Principal": ["Service": "cloudfront.amazonaws.com"], "Action": "s3:GetObject",
            "Resource": ["Fn::Join": ["", [dtGetAtt(bucket.id, "Arn"), "/*"]]],
            "Condition": ["StringEquals": ["AWS:SourceArn": ["Fn::Join": ["", [
                "arn:", ["Ref": "AWS::Partition"], ":cloudfront::", ["Ref": "AWS::AccountId"], ":distribution/", dtRef(dist.id),
            ]]]]],
        ])
    }

    func testStaticSiteWithDomainNeedsUsEast1Certificate() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = StaticSite(stack, "NoCert", domainNames: ["app.example.com"])
        _ = StaticSite(stack, "WrongRegion", domainNames: ["app.example.com"],
                       certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        dtAssertError(app, path: "S/NoCert", contains: "domainNames need a certificateArn")
        dtAssertError(app, path: "S/WrongRegion", contains: "only accepts ACM certificates from us-east-1")

        let ok = App()
        let site = StaticSite(Stack(ok, "S"), "Web", domainNames: ["app.example.com"],
                              certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc")
        XCTAssertEqual(site.url, "https://app.example.com")
        let config = try DTTemplate(ok).props("AWS::CloudFront::Distribution")["DistributionConfig"]!
        XCTAssertEqual(config["Aliases"], ["app.example.com"])
        XCTAssertEqual(config["ViewerCertificate"], [
            "AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only",
        ])
    }

    // MARK: Table

    func testTableDefaults() throws {
        let app = App()
        _ = Table(Stack(app, "S"), "Jobs", partitionKey: .init("id", .string))
        let t = try DTTemplate(app)
        let table = t.one("AWS::DynamoDB::Table")
        XCTAssertEqual(table.body["DeletionPolicy"], "Retain")
        let p = table.body["Properties"]!
        XCTAssertEqual(p["BillingMode"], "PAY_PER_REQUEST")
        XCTAssertEqual(p["SSESpecification"], ["SSEEnabled": true, "SSEType": "KMS"])
        XCTAssertEqual(p["PointInTimeRecoverySpecification"], ["PointInTimeRecoveryEnabled": true])
        XCTAssertEqual(p["KeySchema"], [["AttributeName": "id", "KeyType": "HASH"]])
        XCTAssertEqual(p["AttributeDefinitions"], [["AttributeName": "id", "AttributeType": "S"]])
        XCTAssertNil(p["StreamSpecification"])
        XCTAssertNil(p["TimeToLiveSpecification"])
    }

    func testTableOptions() throws {
        let app = App()
        let table = Table(Stack(app, "S"), "Jobs", partitionKey: .init("pk", .string), sortKey: .init("sk", .number),
                          encryption: .customerManaged(keyArn: "arn:key"), timeToLiveAttribute: "expires",
                          stream: .newAndOldImages, deletionProtection: true)
        table.addGlobalSecondaryIndex(name: "byStatus", partitionKey: .init("status", .string), sortKey: .init("sk", .number))
        XCTAssertNotNil(table.streamArn)
        let p = try DTTemplate(app).props("AWS::DynamoDB::Table")
        XCTAssertEqual(p["KeySchema"], [["AttributeName": "pk", "KeyType": "HASH"], ["AttributeName": "sk", "KeyType": "RANGE"]])
        XCTAssertEqual(p["AttributeDefinitions"], [
            ["AttributeName": "pk", "AttributeType": "S"], ["AttributeName": "sk", "AttributeType": "N"],
            ["AttributeName": "status", "AttributeType": "S"],
        ])
        XCTAssertEqual(p["SSESpecification"], ["KMSMasterKeyId": "arn:key", "SSEEnabled": true, "SSEType": "KMS"])
        XCTAssertEqual(p["TimeToLiveSpecification"], ["AttributeName": "expires", "Enabled": true])
        XCTAssertEqual(p["StreamSpecification"], ["StreamViewType": "NEW_AND_OLD_IMAGES"])
        XCTAssertEqual(p["DeletionProtectionEnabled"], true)
        XCTAssertEqual(p["GlobalSecondaryIndexes"], [[
            "IndexName": "byStatus",
            "KeySchema": [["AttributeName": "status", "KeyType": "HASH"], ["AttributeName": "sk", "KeyType": "RANGE"]],
            "Projection": ["ProjectionType": "ALL"],
        ]])
    }

    func testTableGrants() throws {
        let app = App()
        let stack = Stack(app, "S")
        let table = Table(stack, "Jobs", partitionKey: .init("id", .string))
        let reader = Role(stack, "Reader", assumedBy: "lambda.amazonaws.com")
        table.grantReadData(reader)
        let writer = Role(stack, "Writer", assumedBy: "lambda.amazonaws.com")
        table.grantWriteData(writer)
        let t = try DTTemplate(app)
        let arn = dtGetAtt(t.one("AWS::DynamoDB::Table").id, "Arn")
        XCTAssertEqual(t.roleStatements("Reader"), [[
            "Effect": "Allow",
            "Action": ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
                       "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query", "dynamodb:Scan"],
            "Resource": arn,
        ]])
        XCTAssertEqual(t.roleStatements("Writer"), [[
            "Effect": "Allow",
            "Action": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Resource": arn,
        ]])
    }

    func testImportedTableGrantsCoverIndexes() throws {
        let app = App()
        let stack = Stack(app, "S")
        let table = Table.imported(stack, "Existing", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs")
        XCTAssertEqual(table.tableName, "jobs")
        let role = Role(stack, "R", assumedBy: "lambda.amazonaws.com")
        table.grantReadWriteData(role)
        // Read and write merge into one statement (same resources), covering the indexes.
        let statements = try DTTemplate(app).roleStatements("R")
        XCTAssertEqual(statements.count, 1)
        XCTAssertEqual(statements[0]["Resource"], [
            "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs", "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs/index/*",
        ])
        guard case .array(let actions)? = statements[0]["Action"] else { return XCTFail() }
        XCTAssertEqual(actions.count, 12)
    }

    func testTableValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Table(stack, "Same", partitionKey: .init("id", .string), sortKey: .init("id", .string))
        let t = Table(stack, "Conflict", partitionKey: .init("id", .string))
        t.addGlobalSecondaryIndex(name: "i", partitionKey: .init("id", .number))
        dtAssertError(app, path: "S/Same", contains: "must be different attributes")
        dtAssertError(app, path: "S/Conflict", contains: "attribute 'id' is used as both S and N")
    }

    // MARK: Secret

    func testSecretIsGeneratedNeverWritten() throws {
        let app = App()
        let stack = Stack(app, "S")
        let secret = Secret(stack, "ApiKey", generate: .json(["user": "app"], generateKey: "token"))
        let role = Role(stack, "R", assumedBy: "ecs-tasks.amazonaws.com")
        secret.grantRead(role)
        let t = try DTTemplate(app)
        let s = t.one("AWS::SecretsManager::Secret")
        XCTAssertNil(s.body["Properties"]?["SecretString"])
        XCTAssertEqual(s.body["Properties"]?["GenerateSecretString"], [
            "ExcludeCharacters": .string(Secret.defaultExcludedCharacters), "GenerateStringKey": "token",
            "PasswordLength": 32, "SecretStringTemplate": "{\"user\":\"app\"}",
        ])
        XCTAssertEqual(t.roleStatements("R"), [[
            "Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], "Resource": dtRef(s.id),
        ]])
    }

    func testImportedSecretGrants() throws {
        let app = App()
        let stack = Stack(app, "S")
        let byArn = Secret.imported(stack, "A", arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
                                   encryptionKeyArn: "arn:key")
        let byName = Secret.imported(stack, "B", name: "legacy/db")
        let role = Role(stack, "R", assumedBy: "ecs-tasks.amazonaws.com")
        byArn.grantRead(role)
        byName.grantRead(role)
        let statements = try DTTemplate(app).roleStatements("R")
        XCTAssertEqual(statements[0]["Resource"], "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")
        XCTAssertEqual(statements[1], ["Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:key"])
        XCTAssertEqual(statements[2]["Resource"], ["Fn::Join": ["", [
            "arn:", ["Ref": "AWS::Partition"], ":secretsmanager:", ["Ref": "AWS::Region"], ":", ["Ref": "AWS::AccountId"],
            ":secret:legacy/db-??????",
        ]]])
        XCTAssertEqual(byArn.secretValue(field: "password"),
                       "{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:SecretString:password::}}")
    }

    // MARK: DatabaseCluster

    func testDatabaseClusterDefaults() throws {
        let app = App()
        let stack = Stack(app, "S")
        let db = DatabaseCluster(stack, "Db", engine: .auroraPostgres(), vpc: DTStubVpc(), databaseName: "labeling")
        XCTAssertEqual(db.port, 5432)
        let t = try DTTemplate(app)
        let cluster = t.one("AWS::RDS::DBCluster")
        XCTAssertEqual(cluster.body["DeletionPolicy"], "Snapshot")
        XCTAssertEqual(cluster.body["UpdateReplacePolicy"], "Snapshot")
        let p = cluster.body["Properties"]!
        XCTAssertEqual(p["Engine"], "aurora-postgresql")
        XCTAssertEqual(p["StorageEncrypted"], true)
        XCTAssertEqual(p["DatabaseName"], "labeling")
        XCTAssertEqual(p["Port"], 5432)
        XCTAssertEqual(p["BackupRetentionPeriod"], 7)
        XCTAssertEqual(p["DeletionProtection"], false)
        XCTAssertEqual(p["ServerlessV2ScalingConfiguration"], ["MaxCapacity": 4, "MinCapacity": 0.5])
        // Credentials only as dynamic references to the generated secret.
        let secret = t.one("AWS::SecretsManager::Secret")
        XCTAssertEqual(secret.body["DeletionPolicy"], "Retain")
        XCTAssertEqual(p["MasterUsername"], ["Fn::Join": ["", ["{{resolve:secretsmanager:", dtRef(secret.id), ":SecretString:username::}}"]]])
        XCTAssertEqual(p["MasterUserPassword"], ["Fn::Join": ["", ["{{resolve:secretsmanager:", dtRef(secret.id), ":SecretString:password::}}"]]])
        XCTAssertEqual(secret.body["Properties"]?["GenerateSecretString"]?["SecretStringTemplate"], "{\"username\":\"postgres\"}")
        XCTAssertFalse(t.json.contains("MasterUserPassword\": \"")) // never a literal password
        let attachment = t.props("AWS::SecretsManager::SecretTargetAttachment")
        XCTAssertEqual(attachment, ["SecretId": dtRef(secret.id), "TargetId": dtRef(cluster.id), "TargetType": "AWS::RDS::DBCluster"])
        // Isolated subnets by default.
        XCTAssertEqual(t.props("AWS::RDS::DBSubnetGroup")["SubnetIds"], ["subnet-iso1", "subnet-iso2"])
        let instance = t.one("AWS::RDS::DBInstance").body["Properties"]!
        XCTAssertEqual(instance["DBInstanceClass"], "db.serverless")
        XCTAssertEqual(instance["PubliclyAccessible"], false)
        XCTAssertEqual(instance["DBClusterIdentifier"], dtRef(cluster.id))
        // Its own security group, no ingress, no egress.
        let sg = t.one("AWS::EC2::SecurityGroup")
        XCTAssertNil(sg.body["Properties"]?["SecurityGroupIngress"])
        XCTAssertEqual(p["VpcSecurityGroupIds"], [dtGetAtt(sg.id, "GroupId")])
        XCTAssertTrue(t.all("AWS::EC2::SecurityGroupIngress").isEmpty)
    }

    func testDatabaseClusterMysqlProvisionedAndConnections() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = DTStubVpc([.privateWithEgress: ["subnet-a", "subnet-b"]])
        let db = DatabaseCluster(stack, "Db", engine: .auroraMysql(), vpc: vpc, capacity: .provisioned(instanceClass: "db.r6g.large"),
                                 removalPolicy: .retain)
        let fn = Function(stack, "Init", code: .inline("x"), handler: "index.handler", runtime: .python3_12, vpc: vpc)
        db.connections.allow(from: fn, port: .tcp(db.port))
        db.secret.grantRead(fn)
        let t = try DTTemplate(app)
        XCTAssertEqual(t.props("AWS::RDS::DBSubnetGroup")["SubnetIds"], ["subnet-a", "subnet-b"])
        XCTAssertEqual(t.props("AWS::RDS::DBCluster")["Port"], 3306)
        XCTAssertEqual(t.props("AWS::RDS::DBCluster")["Engine"], "aurora-mysql")
        XCTAssertNil(t.props("AWS::RDS::DBCluster")["ServerlessV2ScalingConfiguration"])
        let instances = t.all("AWS::RDS::DBInstance")
        XCTAssertEqual(instances.count, 2)
        XCTAssertEqual(instances[0].body["Properties"]?["DBInstanceClass"], "db.r6g.large")
        XCTAssertEqual(instances[0].body["DeletionPolicy"], "Retain")
        let ingress = t.one("AWS::EC2::SecurityGroupIngress").body["Properties"]!
        XCTAssertEqual(ingress["FromPort"], 3306)
        XCTAssertEqual(ingress["ToPort"], 3306)
        // Grants on the secret go through the attachment, so they wait for the host details.
        let attachmentId = t.one("AWS::SecretsManager::SecretTargetAttachment").id
        XCTAssertTrue(t.roleStatements("Init").contains(
            ["Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], "Resource": dtRef(attachmentId)]))
    }

    func testDatabaseClusterValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = DatabaseCluster(stack, "OneSubnet", engine: .auroraPostgres(), vpc: DTStubVpc([.isolated: ["subnet-1"]]))
        _ = DatabaseCluster(stack, "Public", engine: .auroraPostgres(), vpc: DTStubVpc(), subnetType: .public)
        _ = DatabaseCluster(stack, "Bad", engine: .auroraMysql(), vpc: DTStubVpc(),
                            capacity: .serverlessV2(minCapacity: 8, maxCapacity: 4), databaseName: "1db",
                            masterUsername: "a_very_long_mysql_user", backupRetention: .days(40))
        dtAssertError(app, path: "S/OneSubnet", contains: "at least two Availability Zones")
        dtAssertError(app, path: "S/Public", contains: "must not be placed in public subnets")
        dtAssertError(app, path: "S/Bad", contains: "minCapacity (8) exceeds maxCapacity (4)")
        dtAssertError(app, path: "S/Bad", contains: "databaseName '1db' is invalid")
        dtAssertError(app, path: "S/Bad", contains: "masterUsername 'a_very_long_mysql_user' is invalid")
        dtAssertError(app, path: "S/Bad", contains: "backupRetention must be between 1 day and 35 days (got 40 days)")
    }
}

import DataLabel
import Foundation
import InfraCLI
import InfraDSL
import XCTest

/// Golden templates of the data-label stack (config/data-label.json and its variants), the
/// security relationships that matter, and configuration errors.
final class DataLabelSnapshotTests: XCTestCase {
    static let certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    static let domain: [(String, String)] = [("SITE_DOMAIN", "labels.example.com"), ("SITE_CERTIFICATE_ARN", certificate)]

    func testGoldenTemplates() throws {
        try Snapshot.check(config: "data-label.json")
        try Snapshot.check(config: "data-label.json", variant: "existing-vpc", overrides: [
            ("VPC_ID", "vpc-0123456789abcdef0"),
            ("PRIVATE_SUBNET_IDS", "subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f"),
        ])
        try Snapshot.check(config: "data-label.json", variant: "custom-domain", overrides: Self.domain)
        try Snapshot.check(config: "data-label.json", variant: "route53", overrides: Self.domain + [
            ("HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"), ("HOSTED_ZONE_NAME", "example.com"),
        ])
        try Snapshot.check(config: "data-label.json", variant: "existing-repository", overrides: [
            ("SCRAPER_REPOSITORY_NAME", "team/scraper"), ("SCRAPER_IMAGE_TAG", "2024-06-01"), ("SCRAPER_TASK_COUNT", "1"),
            ("API_CORS_ORIGINS", "https://labels.example.com,http://localhost:5173"), ("DEDUP_TTL_ATTRIBUTE", "null"),
            ("ACCESS_LOG_RETENTION_DAYS", "null"), ("API_ACCESS_LOGS", "true"), ("API_CLOUDWATCH_ROLE", "true"),
        ])
    }

    // MARK: Security relationships

    func testEachPrincipalHasOnlyItsGrants() throws {
        let t = try DLTemplate.synthesize()
        let table = try t.id(prefix: "JobPostsTable", type: "AWS::DynamoDB::Table")
        let jobs = try t.id(prefix: "DeduplicatedJobPostsQueue", type: "AWS::SQS::Queue")
        let toLabel = try t.id(prefix: "PreprocessedJobPostsQueue", type: "AWS::SQS::Queue")
        let dlq = try t.id(prefix: "DeadLetterQueue", type: "AWS::SQS::Queue")
        let topic = try t.id(prefix: "PreprocessedJobPostsTopic", type: "AWS::SNS::Topic")
        let data = try t.id(prefix: "DataBucket", type: "AWS::S3::Bucket")

        // Scraper task role: the table (read/write) and queue 1 (send), nothing else.
        let taskDef = try t.id(prefix: "ScraperTask", type: "AWS::ECS::TaskDefinition")
        let taskRole = try XCTUnwrap(DLTemplate.getAttTarget(t.properties(taskDef)["TaskRoleArn"]))
        let scraper = t.statements(ofRole: taskRole)
        XCTAssertEqual(Set(scraper.flatMap(\.actions)), Set([
            "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
            "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
            "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage",
        ]))
        for s in scraper {
            XCTAssertEqual(s.effect, "Allow")
            if s.actions.contains(where: { $0.hasPrefix("dynamodb:") }) { XCTAssertEqual(s.resourceTargets, [table]) }
            if s.actions.contains(where: { $0.hasPrefix("sqs:") }) { XCTAssertEqual(s.resourceTargets, [jobs]) }
        }

        // Preprocess: consumes queue 1, publishes to the topic, writes its logs.
        let preprocess = t.statements(ofRole: try t.functionRole("PreprocessFunction"))
        XCTAssertEqual(Set(preprocess.filter { $0.actions.contains { $0.hasPrefix("sqs:") } }.flatMap(\.resourceTargets)), [jobs])
        XCTAssertTrue(preprocess.contains { $0.actions == ["sqs:ReceiveMessage"] || $0.actions.contains("sqs:ReceiveMessage") })
        XCTAssertEqual(preprocess.filter { $0.actions.contains("sns:Publish") }.flatMap(\.resourceRefs), [topic])
        XCTAssertEqual(Set(preprocess.flatMap(\.actions).map { String($0.split(separator: ":")[0]) }), ["sqs", "sns", "logs"])

        // Archive: puts under the preprocessed prefix only, and may send failures to the DLQ.
        let archive = t.statements(ofRole: try t.functionRole("ArchiveFunction"))
        let archivePut = try XCTUnwrap(archive.first { $0.actions.contains("s3:PutObject") })
        XCTAssertEqual(Set(archivePut.actions), ["s3:AbortMultipartUpload", "s3:PutObject"])
        XCTAssertEqual(archivePut.resourceTargets, [data])
        XCTAssertTrue(archivePut.resourceTexts.allSatisfy { $0.contains("/preprocessed_posts/*") }, "\(archivePut.resourceTexts)")
        XCTAssertEqual(archive.filter { $0.actions.contains("sqs:SendMessage") }.flatMap(\.resourceTargets), [dlq])
        XCTAssertEqual(Set(archive.flatMap(\.actions).map { String($0.split(separator: ":")[0]) }), ["s3", "sqs", "logs"])

        // API backend: fetch consumes queue 2 only; save puts under the labeled prefix only.
        let fetch = t.statements(ofRole: try t.functionRole("FetchJobsFunction"))
        XCTAssertEqual(Set(fetch.flatMap(\.actions).map { String($0.split(separator: ":")[0]) }), ["sqs", "logs"])
        XCTAssertEqual(Set(fetch.filter { $0.actions.contains { $0.hasPrefix("sqs:") } }.flatMap(\.resourceTargets)), [toLabel])
        let save = t.statements(ofRole: try t.functionRole("SaveLabelsFunction"))
        XCTAssertEqual(Set(save.flatMap(\.actions).map { String($0.split(separator: ":")[0]) }), ["s3", "logs"])
        let savePut = try XCTUnwrap(save.first { $0.actions.contains("s3:PutObject") })
        XCTAssertFalse(savePut.actions.contains("s3:GetObject"))
        XCTAssertTrue(savePut.resourceTexts.allSatisfy { $0.contains("/labeled_posts/*") }, "\(savePut.resourceTexts)")

        // No role anywhere is granted a wildcard action.
        for (id, r) in t.resources where r["Type"] as? String == "AWS::IAM::Role" {
            for s in t.statements(ofRole: id) {
                XCTAssertFalse(s.actions.contains { $0 == "*" || $0.hasSuffix(":*") }, "\(id): \(s.actions)")
            }
        }
    }

    func testBucketsArePrivateAndTheSiteIsReadOnlyByItsDistribution() throws {
        let t = try DLTemplate.synthesize()
        let buckets = t.ids(type: "AWS::S3::Bucket")
        XCTAssertEqual(buckets.count, 3)
        for b in buckets {
            let block = try XCTUnwrap(t.properties(b)["PublicAccessBlockConfiguration"] as? [String: Any])
            for key in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
                XCTAssertEqual(block[key] as? Bool, true, "\(b).\(key)")
            }
            XCTAssertNotNil(t.properties(b)["BucketEncryption"])
        }
        let siteBucket = try t.id(prefix: "SiteBucket", type: "AWS::S3::Bucket")
        let distribution = try t.id(prefix: "SiteDistribution", type: "AWS::CloudFront::Distribution")
        let policy = try XCTUnwrap(t.ids(type: "AWS::S3::BucketPolicy").first {
            DLTemplate.refTarget(t.properties($0)["Bucket"]) == siteBucket
        })
        let statements = t.statementsOf((t.properties(policy)["PolicyDocument"] as? [String: Any]) ?? [:])
        let allows = statements.filter { $0.effect == "Allow" }
        XCTAssertEqual(allows.count, 1)
        XCTAssertEqual(allows.first?.actions, ["s3:GetObject"])
        XCTAssertEqual(allows.first?.raw["Principal"] as? [String: String], ["Service": "cloudfront.amazonaws.com"])
        XCTAssertTrue(DLTemplate.json(allows.first?.raw["Condition"]).contains(distribution))
        // Everything else in the bucket policies denies plain HTTP.
        for p in t.ids(type: "AWS::S3::BucketPolicy") {
            for s in t.statementsOf((t.properties(p)["PolicyDocument"] as? [String: Any]) ?? [:]) where s.effect == "Deny" {
                XCTAssertTrue(DLTemplate.json(s.raw["Condition"]).contains("aws:SecureTransport"))
            }
        }
    }

    func testScraperInstancesAcceptNoInboundTrafficAndQueuesOnlyTheirTopic() throws {
        let t = try DLTemplate.synthesize()
        XCTAssertTrue(t.ids(type: "AWS::EC2::SecurityGroupIngress").isEmpty)
        for sg in t.ids(type: "AWS::EC2::SecurityGroup") {
            XCTAssertNil(t.properties(sg)["SecurityGroupIngress"], sg)
        }
        let topic = try t.id(prefix: "PreprocessedJobPostsTopic", type: "AWS::SNS::Topic")
        let toLabel = try t.id(prefix: "PreprocessedJobPostsQueue", type: "AWS::SQS::Queue")
        let policy = try XCTUnwrap(t.ids(type: "AWS::SQS::QueuePolicy").first {
            DLTemplate.json(t.properties($0)["Queues"]).contains(toLabel)
        })
        let allows = t.statementsOf((t.properties(policy)["PolicyDocument"] as? [String: Any]) ?? [:]).filter { $0.effect == "Allow" }
        XCTAssertEqual(allows.count, 1)
        XCTAssertEqual(allows.first?.raw["Principal"] as? [String: String], ["Service": "sns.amazonaws.com"])
        XCTAssertTrue(DLTemplate.json(allows.first?.raw["Condition"]).contains(topic))
        // The instances run in the private subnets, and the launch template demands IMDSv2.
        let asg = try t.id(prefix: "ClusterAutoScalingGroup", type: "AWS::AutoScaling::AutoScalingGroup")
        XCTAssertTrue(DLTemplate.json(t.properties(asg)["VPCZoneIdentifier"]).contains("VpcPrivateSubnet"))
        let lt = try t.id(prefix: "ClusterLaunchTemplate", type: "AWS::EC2::LaunchTemplate")
        XCTAssertTrue(DLTemplate.json(t.properties(lt)["LaunchTemplateData"]).contains("\"HttpTokens\":\"required\""))
    }

    func testApiRoutesAndCors() throws {
        let t = try DLTemplate.synthesize()
        let methods = t.ids(type: "AWS::ApiGateway::Method").map { t.properties($0) }
        let verbs = methods.compactMap { $0["HttpMethod"] as? String }.sorted()
        XCTAssertEqual(verbs, ["GET", "OPTIONS", "OPTIONS", "POST"])
        for m in methods where m["HttpMethod"] as? String != "OPTIONS" {
            XCTAssertEqual(DLTemplate.json(m["Integration"]).contains("AWS_PROXY"), true)
        }
        XCTAssertTrue(try DLTemplate.synthesize(overrides: DataLabelSnapshotTests.domain).text
            .contains("'https://labels.example.com'"))
        XCTAssertTrue(t.text.contains("\"Access-Control-Allow-Origin\":\"'*'\"") || t.text.contains("'*'"))
    }

    func testFunctionCodeIsZipAssetsInTheManifest() throws {
        let (assembly, _) = try DLTemplate.assembly()
        let manifest = try JSONRenderer.render(encoding: assembly.manifest(format: .json))
        XCTAssertEqual(assembly.assets.filter { $0.kind == .zip }.count, 4)
        for a in assembly.assets {
            XCTAssertTrue(manifest.contains(a.id))
            XCTAssertTrue(a.sourcePath.hasSuffix(DataLabelStack.functionNames.first { a.sourcePath.hasSuffix("/\($0)") }.map { "/\($0)" } ?? "?"))
        }
        XCTAssertEqual(Set(assembly.stacks[0].assets), Set(assembly.assets.map(\.id)))
    }

    func testTypedSettingsBuildTheSameTemplateAsTheConfigFile() throws {
        let app = App()
        try DataLabelStack.build(app, stackName: "data-label", settings: .init(), region: "eu-west-1",
                                 description: "Data label: scraper on ECS/EC2, DynamoDB de-duplication, SQS -> Lambda -> SNS fan-out to S3 and a labeling queue, SPA on CloudFront, API Gateway backend",
                                 tags: ["project": "data-label"])
        let typed = try app.synthesize()
        let (fromConfig, _) = try DLTemplate.assembly()
        XCTAssertEqual(try typed.render(typed.stacks[0], format: .json), try fromConfig.render(fromConfig.stacks[0], format: .json))
        XCTAssertEqual(try DataLabelStack.Settings(config: DLTemplate.config()), DataLabelStack.Settings())
    }

    // MARK: Configuration errors

    func testBadConfigurationNamesFileAndKey() throws {
        func expectError(_ overrides: [(String, String)], key: String, contains text: String, line: UInt = #line) {
            XCTAssertThrowsError(try DLTemplate.synthesize(overrides: overrides), line: line) { error in
                guard let e = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", line: line) }
                XCTAssertEqual(e.file, "config/data-label.json", line: line)
                XCTAssertEqual(e.key, key, line: line)
                XCTAssertTrue(e.message.contains(text), "\(e.message)", line: line)
            }
        }
        expectError([("SCRAPER_INSTANCE", "t3.small")], key: "context.SCRAPER_INSTANCE", contains: "unknown key")
        expectError([("SCRAPER_MIN_INSTANCES", "many")], key: "context.SCRAPER_MIN_INSTANCES", contains: "must be an integer")
        expectError([("SCRAPER_MAX_INSTANCES", "0")], key: "context.SCRAPER_MAX_INSTANCES", contains: "between 1 and 100")
        expectError([("VPC_ID", "vpc-0123456789abcdef0")], key: "context.PRIVATE_SUBNET_IDS", contains: "required with VPC_ID")
        expectError([("VPC_ID", "my-vpc"), ("PRIVATE_SUBNET_IDS", "subnet-01234567")], key: "context.VPC_ID", contains: "not a VPC id")
        expectError([("VPC_CIDR", "10.0.0.0/8")], key: "context.VPC_CIDR", contains: "prefix length must be between /16 and /28")
        expectError([("SITE_DOMAIN", "labels.example.com")], key: "context.SITE_CERTIFICATE_ARN", contains: "required with SITE_DOMAIN")
        expectError([("SITE_DOMAIN", "labels.example.com"),
                     ("SITE_CERTIFICATE_ARN", "arn:aws:acm:eu-west-1:123456789012:certificate/abc")],
                    key: "context.SITE_CERTIFICATE_ARN", contains: "us-east-1")
        expectError(Self.domain + [("HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"), ("HOSTED_ZONE_NAME", "other.org")],
                    key: "context.HOSTED_ZONE_NAME", contains: "is not in the zone")
        expectError([("PREPROCESS_TIMEOUT_SECONDS", "300")], key: "context.QUEUE_VISIBILITY_TIMEOUT_SECONDS", contains: "at least PREPROCESS_TIMEOUT_SECONDS")
        expectError([("PREPROCESS_MAX_CONCURRENCY", "1")], key: "context.PREPROCESS_MAX_CONCURRENCY", contains: "between 2 and 1000")
        expectError([("LOG_RETENTION_DAYS", "10")], key: "context.LOG_RETENTION_DAYS", contains: "not a retention")
        expectError([("API_CORS_ORIGINS", "*,https://a.example.com")], key: "context.API_CORS_ORIGINS", contains: "only origin")
        expectError([("LABELED_POSTS_PREFIX", "preprocessed_posts/x/")], key: "context.LABELED_POSTS_PREFIX", contains: "overlap")
        expectError([("FUNCTIONS_DIR", "functions/no-such-folder")], key: "context.FUNCTIONS_DIR", contains: "is not a folder")
        expectError([("SCRAPER_REPOSITORY_NAME", "Scraper")], key: "context.SCRAPER_REPOSITORY_NAME", contains: "not an ECR repository name")
    }
}

/// A synthesized data-label template, parsed, with lookups for the assertions above.
private struct DLTemplate {
    let text: String
    let root: [String: Any]
    var resources: [String: [String: Any]] { (root["Resources"] as? [String: [String: Any]]) ?? [:] }

    static func config(overrides: [(String, String)] = []) throws -> StackConfig {
        let url = Snapshot.root.appendingPathComponent("config/data-label.json")
        var cfg = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/data-label.json")
        cfg.applyOverrides(overrides)
        return cfg
    }

    static func assembly(overrides: [(String, String)] = []) throws -> (CloudAssembly, StackConfig) {
        let cfg = try config(overrides: overrides)
        let app = App()
        try DataLabelStack.build(app, config: cfg)
        return (try app.synthesize(), cfg)
    }

    static func synthesize(overrides: [(String, String)] = []) throws -> DLTemplate {
        let (assembly, _) = try assembly(overrides: overrides)
        let text = try assembly.render(assembly.stacks[0], format: .json)
        let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        return DLTemplate(text: text, root: root)
    }

    func ids(type: String) -> [String] {
        resources.filter { $0.value["Type"] as? String == type }.map(\.key).sorted()
    }

    func id(prefix: String, type: String) throws -> String {
        let found = ids(type: type).filter { $0.hasPrefix(prefix) }
        guard found.count == 1 else { throw DLError("expected one \(type) with prefix \(prefix), found \(found)") }
        return found[0]
    }

    func properties(_ id: String) -> [String: Any] { (resources[id]?["Properties"] as? [String: Any]) ?? [:] }

    /// The role of a `Function` construct `name`.
    func functionRole(_ name: String) throws -> String {
        let fn = try id(prefix: name, type: "AWS::Lambda::Function")
        guard let role = Self.getAttTarget(properties(fn)["Role"]) else { throw DLError("\(fn) has no role") }
        return role
    }

    struct Statement {
        let raw: [String: Any]
        var effect: String { raw["Effect"] as? String ?? "" }
        var actions: [String] { (raw["Action"] as? [String]) ?? [(raw["Action"] as? String)].compactMap { $0 } }
        var resources: [Any] { (raw["Resource"] as? [Any]) ?? [raw["Resource"]].compactMap { $0 } }
        /// The logical ids the resources' `Fn::GetAtt`s name (directly or inside joins).
        var resourceTargets: [String] {
            Array(Set(resources.compactMap { DLTemplate.getAttTarget($0) ?? DLTemplate.firstGetAtt(in: $0) })).sorted()
        }
        var resourceRefs: [String] { resources.compactMap { DLTemplate.refTarget($0) } }
        var resourceTexts: [String] { resources.map { DLTemplate.json($0) } }
    }

    func statementsOf(_ document: [String: Any]) -> [Statement] {
        ((document["Statement"] as? [[String: Any]]) ?? []).map(Statement.init)
    }

    func statements(ofRole role: String) -> [Statement] {
        let policies = (properties(role)["Policies"] as? [[String: Any]]) ?? []
        return policies.flatMap { statementsOf(($0["PolicyDocument"] as? [String: Any]) ?? [:]) }
    }

    static func getAttTarget(_ value: Any?) -> String? {
        ((value as? [String: Any])?["Fn::GetAtt"] as? [Any])?.first as? String
    }

    static func refTarget(_ value: Any?) -> String? { (value as? [String: Any])?["Ref"] as? String }

    static func firstGetAtt(in value: Any) -> String? {
        if let t = getAttTarget(value) { return t }
        if let d = value as? [String: Any] { for v in d.values { if let t = firstGetAtt(in: v) { return t } } }
        if let a = value as? [Any] { for v in a { if let t = firstGetAtt(in: v) { return t } } }
        return nil
    }

    static func json(_ value: Any?) -> String {
        guard let value else { return "" }
        if let s = value as? String { return s }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}

private struct DLError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import InfraAWS
import InfraTestSupport
import InfraURLSession
import XCTest

/// Every call infra makes, against a real verifying server: `moto_server` (started by the
/// tests, once per process) with signature checks on. moto missing from PATH fails the tests.
final class MotoIntegrationTests: XCTestCase {
    override class func tearDown() {
        MotoServer.releaseShared()
        super.tearDown()
    }

    /// The shared server; when it cannot start (e.g. moto_server missing) the test fails with why.
    func moto() async throws -> MotoServer {
        try await MotoServer.instance()
    }

    func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    func testSTSGetCallerIdentity() async throws {
        let moto = try await moto()
        let identity = try await STSClient(client: moto.client()).getCallerIdentity()
        XCTAssertEqual(identity.account, "123456789012")
        XCTAssertEqual(identity.arn, moto.userArn)
    }

    func testWrongSecretIsRejectedWithAClearError() async throws {
        let moto = try await moto()
        var wrong = moto.credentials
        wrong.secretAccessKey = "not-the-secret"
        let client = try moto.client(credentials: wrong)
        do {
            _ = try await STSClient(client: client).getCallerIdentity()
            XCTFail("a wrong secret must be rejected")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "SignatureDoesNotMatch")
            XCTAssertEqual(error.statusCode, 403)
            XCTAssertTrue(error.description.hasPrefix("STS GetCallerIdentity failed: SignatureDoesNotMatch"), error.description)
            XCTAssertFalse(error.description.contains("not-the-secret"))
        }
        do {
            _ = try await S3Client(client: client).headObject(bucket: "whatever", key: "k")
            XCTFail("a wrong secret must be rejected")
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode, 403)
        }
        do {
            _ = try await CloudFormationClient(client: client).listStacks()
            XCTFail("a wrong secret must be rejected")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "SignatureDoesNotMatch")
        }
        do {
            _ = try await ECRClient(client: client).describeRepositories()
            XCTFail("a wrong secret must be rejected")
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode, 403, error.description)
        }
    }

    func testS3Objects() async throws {
        let moto = try await moto()
        let s3 = S3Client(client: try moto.client())
        let bucket = unique("infra-assets")
        try await s3.createBucket(bucket)
        let info = try await s3.headBucket(bucket)
        XCTAssertNotNil(info)
        let missingBucket = try await s3.headBucket(unique("missing"))
        XCTAssertNil(missingBucket)

        // Keys that exercise S3's path rules (no normalization of `//`, dots kept). moto checks
        // signatures against werkzeug's re-quoted URL, so it rejects keys with `+ ( ) = ! * '` or
        // non-ASCII characters even from botocore; those keys are checked against botocore's
        // signatures in SigningTests instead.
        let objects: [String: String] = [
            "assets/a.zip": "A",
            "assets/with space.txt": "B",
            "assets/nested/deeper/c.json": "{\"c\": 1}",
            "assets//double//slash": "D",
            "assets/.hidden/..dots..": "E",
            "top~level_-.txt": "F",
        ]
        for (key, body) in objects.sorted(by: { $0.key < $1.key }) {
            let put = try await s3.putObject(bucket: bucket, key: key, body: Data(body.utf8), contentType: "text/plain",
                                             metadata: ["source-hash": "abc123"])
            XCTAssertNotNil(put.eTag)
        }
        do {
            try await s3.putObject(bucket: bucket, key: "assets/./dot/../segments", body: Data())
            XCTFail("dot segments must be refused")
        } catch let error as AWSClientError {
            XCTAssertTrue("\(error)".contains("'.' or '..' path segment"), "\(error)")
        }
        let head = try await s3.headObject(bucket: bucket, key: "assets/with space.txt")
        XCTAssertEqual(head?.contentLength, 1)
        XCTAssertEqual(head?.metadata["source-hash"], "abc123")
        let missing = try await s3.headObject(bucket: bucket, key: "assets/nope")
        XCTAssertNil(missing)

        for (key, body) in objects {
            let got = try await s3.getObject(bucket: bucket, key: key)
            XCTAssertEqual(String(decoding: got.body, as: UTF8.self), body, key)
        }

        // (a prefix with `/` trips moto's verifier, which decodes %2F in the query; botocore too)
        let page = try await s3.listObjectsV2(bucket: bucket, prefix: "assets", maxKeys: 2)
        XCTAssertEqual(page.objects.count, 2)
        XCTAssertNotNil(page.nextContinuationToken)
        let all = try await s3.listAllObjects(bucket: bucket, pageSize: 2)
        XCTAssertEqual(Set(all.map(\.key)), Set(objects.keys))

        let url = try await s3.presignedGetURL(bucket: bucket, key: "assets/a.zip", expires: 300)
        XCTAssertTrue(url.absoluteString.contains("X-Amz-Signature="))
        // moto answers presigned requests with HTTP 500 while checks are on (botocore's URLs too),
        // so the URL's target is fetched with checks briefly off; its signature is checked against
        // botocore's in SigningTests.
        try await moto.motoAPI("reset-auth", body: "inf")
        let fetched = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: url), timeout: 10)
        try await moto.motoAPI("reset-auth", body: "0")
        XCTAssertEqual(fetched.statusCode, 200, fetched.bodyText)
        XCTAssertEqual(fetched.bodyText, "A")

        let deleted = try await s3.deleteObjects(bucket: bucket, keys: Array(objects.keys))
        XCTAssertEqual(Set(deleted.deleted), Set(objects.keys))
        XCTAssertEqual(deleted.errors, [])
        let after = try await s3.listAllObjects(bucket: bucket)
        XCTAssertEqual(after, [])

        do {
            _ = try await s3.getObject(bucket: bucket, key: "assets/a.zip")
            XCTFail("expected NoSuchKey")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "NoSuchKey")
            XCTAssertEqual(error.statusCode, 404)
        }
    }

    static let template = """
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Description": "infra test stack: queue + bucket (spaces, ünïcode, +*~'()!)",
          "Parameters": {"QueueName": {"Type": "String"}},
          "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "QueueName"}}},
            "Bucket": {"Type": "AWS::S3::Bucket"}
          },
          "Outputs": {
            "QueueUrl": {"Value": {"Ref": "Queue"}, "Description": "the queue"},
            "BucketName": {"Value": {"Ref": "Bucket"}, "Export": {"Name": "infra-test-bucket"}}
          }
        }
        """

    static let updatedTemplate = template.replacingOccurrences(
        of: "\"Bucket\": {\"Type\": \"AWS::S3::Bucket\"}",
        with: "\"Bucket\": {\"Type\": \"AWS::S3::Bucket\"},\n    \"Second\": {\"Type\": \"AWS::SQS::Queue\"}")

    func testCloudFormationStackLifecycle() async throws {
        let moto = try await moto()
        let cfn = CloudFormationClient(client: try moto.client())
        let stackName = unique("infra-test")
        let queueName = unique("queue")
        let settings = StackSettings(template: .body(Self.template),
                                     parameters: [StackParameter(key: "QueueName", value: queueName)],
                                     tags: [Tag(key: "project", value: "infra tests")],
                                     capabilities: [.iam])

        let stackId = try await cfn.createStack(stackName: stackName, settings: settings,
                                                enableTerminationProtection: false)
        XCTAssertTrue(stackId.hasPrefix("arn:aws:cloudformation:us-east-1:123456789012:stack/\(stackName)/"))

        let described = try await cfn.describeStack(stackName)
        let stack = try XCTUnwrap(described)
        XCTAssertEqual(stack.status, .createComplete)
        XCTAssertEqual(stack.stackId, stackId)
        XCTAssertEqual(stack.parameters.first?.value, queueName)
        XCTAssertEqual(stack.tags, [Tag(key: "project", value: "infra tests")])
        XCTAssertTrue(stack.outputValues["QueueUrl"]?.contains(queueName) ?? false, "\(stack.outputs)")
        XCTAssertNotNil(stack.outputValues["BucketName"])
        let missing = try await cfn.describeStack(unique("no-such-stack"))
        XCTAssertNil(missing)

        let events = try await cfn.stackEvents(stackName: stackName)
        XCTAssertFalse(events.isEmpty)
        XCTAssertTrue(events.contains { $0.resourceStatus == .createComplete })

        let resources = try await cfn.describeStackResources(stackName: stackName)
        XCTAssertEqual(Set(resources.map(\.logicalResourceId)), ["Queue", "Bucket"])
        XCTAssertEqual(resources.first { $0.logicalResourceId == "Queue" }?.resourceType, "AWS::SQS::Queue")

        let body = try await cfn.getTemplate(stackName: stackName)
        XCTAssertTrue(body.contains("ünïcode, +*~'()!"), body)

        // change set: create, describe (all pages), execute
        var updated = settings
        updated.template = .body(Self.updatedTemplate)
        let created = try await cfn.createChangeSet(stackName: stackName, changeSetName: "add-second",
                                                    type: .update, settings: updated, description: "adds a queue")
        XCTAssertEqual(created.stackId, stackId)
        let changeSet = try await cfn.waitForChangeSet(created.changeSetId, stackName: stackName, pollInterval: 0.05)
        XCTAssertEqual(changeSet.status, .createComplete)
        XCTAssertEqual(changeSet.changeSetName, "add-second")
        let add = changeSet.changes.first { $0.logicalResourceId == "Second" }
        XCTAssertEqual(add?.action, .add)
        XCTAssertEqual(add?.resourceType, "AWS::SQS::Queue")
        try await cfn.executeChangeSet("add-second", stackName: stackName)
        let afterUpdate = try await cfn.waitForStack(stackName, pollInterval: 0.05)
        XCTAssertEqual(afterUpdate?.status, .updateComplete)
        let resourcesAfter = try await cfn.describeStackResources(stackName: stackName)
        XCTAssertTrue(resourcesAfter.contains { $0.logicalResourceId == "Second" })

        // a change set that is created and then deleted
        _ = try await cfn.createChangeSet(stackName: stackName, changeSetName: "discard-me", type: .update,
                                          settings: settings)
        try await cfn.deleteChangeSet("discard-me", stackName: stackName)
        do {
            _ = try await cfn.describeChangeSet("discard-me", stackName: stackName)
            XCTFail("deleted change set still described")
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode / 100, 4, error.description)
        }

        // UpdateStack
        let updateId = try await cfn.updateStack(stackName: stackName, settings: settings)
        XCTAssertEqual(updateId, stackId)

        // moto 5.2.1 has no UpdateTerminationProtection (it answers HTTP 500); the request and
        // answer are covered against AWS's documented XML in CloudFormationScriptedTests.
        do {
            try await cfn.updateTerminationProtection(stackName: stackName, enabled: false)
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode, 500, "moto's answer to UpdateTerminationProtection changed: \(error)")
        }

        let summaries = try await cfn.listStacks()
        XCTAssertTrue(summaries.contains { $0.stackName == stackName })

        try await cfn.deleteStack(stackName: stackName)
        let gone = try await cfn.describeStack(stackId)
        XCTAssertTrue(gone == nil || gone?.status == .deleteComplete, "\(String(describing: gone?.status))")
        let deleted = try await cfn.listStacks(statusFilter: [.deleteComplete])
        XCTAssertTrue(deleted.contains { $0.stackId == stackId })
    }

    func testCloudFormationChangeSetCreatingAStack() async throws {
        let moto = try await moto()
        let cfn = CloudFormationClient(client: try moto.client())
        let stackName = unique("infra-cs")
        let settings = StackSettings(template: .body(Self.template),
                                     parameters: [StackParameter(key: "QueueName", value: unique("q"))])
        let created = try await cfn.createChangeSet(stackName: stackName, changeSetName: "initial", type: .create,
                                                    settings: settings)
        let review = try await cfn.describeStack(stackName)
        XCTAssertEqual(review?.status, .reviewInProgress)
        let described = try await cfn.describeChangeSet(created.changeSetId)
        XCTAssertEqual(Set(described.changes.map(\.logicalResourceId)), ["Queue", "Bucket"])
        XCTAssertTrue(described.changes.allSatisfy { $0.action == .add })
        try await cfn.executeChangeSet(created.changeSetId)
        let stack = try await cfn.waitForStack(stackName, pollInterval: 0.05)
        XCTAssertEqual(stack?.status, .createComplete)
        try await cfn.deleteStack(stackName: stackName)
    }

    func testECR() async throws {
        let moto = try await moto()
        let ecr = ECRClient(client: try moto.client())
        let name = unique("infra-images")
        let repo = try await ecr.createRepository(name: name, imageTagMutability: "IMMUTABLE", scanOnPush: true)
        XCTAssertEqual(repo.repositoryName, name)
        let repos = try await ecr.describeRepositories(names: [name])
        XCTAssertEqual(repos.map(\.repositoryName), [name])
        XCTAssertNotNil(repos.first?.repositoryUri)
        XCTAssertNotNil(repos.first?.createdAt)
        let all = try await ecr.describeRepositories()
        XCTAssertTrue(all.contains { $0.repositoryName == name })
        let none = try await ecr.describeImages(repositoryName: name)
        XCTAssertEqual(none, [])
        // push a manifest through the generic JSON call, then read it back
        struct PutImage: Encodable { var repositoryName: String; var imageManifest: String; var imageTag: String }
        struct Ignored: Decodable {}
        let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#
        let _: Ignored = try await ecr.client.json(.ecr, "PutImage",
                                                   PutImage(repositoryName: name, imageManifest: manifest, imageTag: "v1"))
        let images = try await ecr.describeImages(repositoryName: name)
        XCTAssertEqual(images.count, 1)
        XCTAssertEqual(images.first?.imageTags, ["v1"])
        XCTAssertTrue(images.first?.imageDigest?.hasPrefix("sha256:") ?? false)
        let tagged = try await ecr.describeImages(repositoryName: name, imageIds: [.init(imageTag: "v1")])
        XCTAssertEqual(tagged.count, 1)
        let tokens = try await ecr.getAuthorizationToken()
        XCTAssertEqual(tokens.count, 1)
        XCTAssertEqual(tokens.first?.userAndPassword?.user, "AWS")
        XCTAssertNotNil(tokens.first?.proxyEndpoint)
        do {
            _ = try await ecr.describeImages(repositoryName: unique("missing"))
            XCTFail("expected RepositoryNotFoundException")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "RepositoryNotFoundException")
            XCTAssertEqual(error.service, "ECR")
        }
    }

    func testVerboseLogRedactsSecrets() async throws {
        let moto = try await moto()
        let lines = LockedLines()
        let client = try moto.client(logger: { lines.append($0) })
        _ = try await STSClient(client: client).getCallerIdentity()
        let log = lines.all.joined(separator: "\n")
        XCTAssertTrue(log.contains("STS GetCallerIdentity POST"), log)
        XCTAssertTrue(log.contains("Signature=<redacted>"), log)
        XCTAssertFalse(log.contains(moto.credentials.secretAccessKey))
        XCTAssertFalse(log.contains(moto.credentials.accessKeyId))
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

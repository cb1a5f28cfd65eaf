import Foundation
import InfraDSL
import InfraTesting
import Testing
import XCTest

/// Collects the failures an assertion reports instead of failing the test, to check messages.
final class Reported: @unchecked Sendable {
    var messages: [String] = []
    func attach(_ t: inout Template) { t.report = { [self] m, _, _ in messages.append(m) } }
}

final class TemplateTests: XCTestCase {
    /// A queue with a dead-letter queue, a bucket, an output.
    func sample() throws -> Template {
        let app = App()
        let stack = Stack(app, "pipeline")
        let dlq = Queue(stack, "JobsDLQ")
        _ = Queue(stack, "Jobs", visibilityTimeout: .seconds(120), deadLetterQueue: .init(queue: dlq, maxReceiveCount: 5))
        let data = Bucket(stack, "Data", versioned: true)
        _ = Output(stack, "BucketName", value: data.bucketName)
        return try Template(stack: stack)
    }

    func collecting(_ t: Template) -> (Template, Reported) {
        var t = t
        let r = Reported()
        r.attach(&t)
        return (t, r)
    }

    func testPassingAssertionsReportNothing() throws {
        let (t, r) = collecting(try sample())
        t.resourceCountIs("AWS::SQS::Queue", 2)
        t.hasResourceProperties("AWS::SQS::Queue", ["VisibilityTimeout": 120, "RedrivePolicy": ["maxReceiveCount": 5]])
        t.hasResource("AWS::S3::Bucket", ["DeletionPolicy": "Retain", "Properties": ["VersioningConfiguration": ["Status": "Enabled"]]])
        t.hasNoResource("AWS::SNS::Topic")
        t.hasOutput("BucketName", ["Value": .ref("Data*")])
        t.hasOutput("Bucket*")
        t.templateMatches(["Resources": .anyValue(), "Parameters": .absent()])
        XCTAssertEqual(r.messages, [])
    }

    func testLookupByConstructPath() throws {
        let t = try sample()
        let jobs = try XCTUnwrap(t.logicalId(at: "Jobs"))
        XCTAssertTrue(jobs.hasPrefix("Jobs"))
        XCTAssertEqual(t.logicalId(at: "pipeline/Jobs"), jobs)  // with the stack's id
        XCTAssertEqual(t.logicalId(at: "Jobs/Resource"), jobs)
        XCTAssertEqual(t.path(ofLogicalId: jobs), "Jobs/Resource")
        XCTAssertEqual(t.properties(at: "Jobs")?["VisibilityTimeout"], 120)
        // the DLQ's ARN in the redrive policy, by path instead of a hashed id
        let dlq = try XCTUnwrap(t.logicalId(at: "JobsDLQ"))
        t.hasProperties(at: "Jobs", ["RedrivePolicy": ["deadLetterTargetArn": .getAtt(dlq, "Arn")]])
        XCTAssertNotNil(t.logicalId(at: "Jobs/Policy"))
    }

    func testFailureShowsTheClosestResourceAndDifferingPaths() throws {
        let (t, r) = collecting(try sample())
        t.hasResourceProperties("AWS::SQS::Queue", ["VisibilityTimeout": 300, "RedrivePolicy": ["maxReceiveCount": 5]])
        XCTAssertEqual(r.messages.count, 1)
        let lines = r.messages[0].split(separator: "\n").map(String.init)
        let jobs = t.logicalId(at: "Jobs")!
        let dlq = t.logicalId(at: "JobsDLQ")!
        XCTAssertEqual(lines[0], "no AWS::SQS::Queue matches (2 of that type). Closest: \(jobs) (Jobs/Resource), 1 difference:")
        XCTAssertEqual(lines[1], "  at /Properties/VisibilityTimeout: expected 300, found 120")
        XCTAssertEqual(lines[2], "others: \(dlq) (JobsDLQ/Resource) (2)")
    }

    func testFailureForAMissingTypeNamesTheNearestTypes() throws {
        let (t, r) = collecting(try sample())
        t.hasResourceProperties("AWS::SQS::Queues", [:])
        t.resourceCountIs("AWS::SNS::Topic", 1)
        t.resourceCountIs("AWS::SQS::Queue", 1)
        XCTAssertEqual(r.messages.count, 3)
        XCTAssertTrue(r.messages[0].hasPrefix("no resource of type AWS::SQS::Queues in the template (types present, nearest first: AWS::SQS::Queue, "), r.messages[0])
        XCTAssertTrue(r.messages[1].hasPrefix("expected 1 resource of type AWS::SNS::Topic, found 0 (types present"), r.messages[1])
        XCTAssertTrue(r.messages[2].hasPrefix("expected 1 resource of type AWS::SQS::Queue, found 2: Jobs"), r.messages[2])
        XCTAssertTrue(r.messages[2].contains("(Jobs/Resource)"), r.messages[2])
    }

    func testFailuresOfPathsOutputsAndAbsence() throws {
        let (t, r) = collecting(try sample())
        XCTAssertNil(t.resource(at: "Job"))
        t.hasOutput("QueueUrl")
        t.hasOutput("BucketName", ["Value": "literal"])
        t.hasNoResource("AWS::S3::Bucket")
        t.hasProperties(at: "Data", ["VersioningConfiguration": ["Status": "Suspended"]])
        XCTAssertEqual(r.messages.count, 5)
        XCTAssertTrue(r.messages[0].hasPrefix("no resource at construct path 'Job' in stack pipeline; nearest paths: Jobs/Policy, Jobs/Resource, "), r.messages[0])
        XCTAssertEqual(r.messages[1], "no output named 'QueueUrl' (outputs: BucketName)")
        XCTAssertTrue(r.messages[2].hasPrefix("output 'BucketName' does not match objectLike({Value: exact(\"literal\")}):\n  at /Value: expected \"literal\", found {\"Ref\":\"Data"), r.messages[2])
        XCTAssertTrue(r.messages[3].hasPrefix("expected no AWS::S3::Bucket matching anyValue(), found Data"), r.messages[3])
        XCTAssertTrue(r.messages[4].contains("at /Properties/VersioningConfiguration/Status: expected \"Suspended\", found \"Enabled\""), r.messages[4])
    }

    func testAppWithSeveralStacksNeedsAName() throws {
        let app = App()
        _ = Queue(Stack(app, "a"), "Q")
        _ = Bucket(Stack(app, "b", stackName: "bee"), "B")
        XCTAssertThrowsError(try Template(app: app)) { XCTAssertTrue("\($0)".contains("the app has 2 stacks (a, b)")) }
        XCTAssertEqual(try Template(app: app, stack: "bee").resources(ofType: "AWS::S3::Bucket").count, 1)
        XCTAssertThrowsError(try Template(app: app, stack: "c")) { XCTAssertTrue("\($0)".contains("no stack 'c'")) }
    }

    func testSynthesisErrorsAreThrownWithTheirPaths() {
        let app = App()
        let stack = Stack(app, "s")
        _ = Queue(stack, "Q")
        _ = Queue(stack, "Q")
        XCTAssertThrowsError(try Template(stack: stack)) { error in
            XCTAssertTrue("\(error)".contains("s: there is already a construct with id 'Q'"), "\(error)")
        }
    }

    func testGoldenFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-golden-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.json").path
        XCTAssertTrue(Golden.check("a\nb\n", path: path)!.hasPrefix("missing golden file \(path): run INFRA_RECORD=1 swift test"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("a\nb\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(Golden.check("a\nb\n", path: path))
        XCTAssertEqual(Golden.check("a\nc\n", path: path), """
            differs from golden file \(path) at line 2:
              golden: b
              actual: c
            if the change is intended, run INFRA_RECORD=1 swift test --filter <this test> and review the diff
            """)
        // relative paths resolve against the test file's folder, not the working directory
        XCTAssertTrue(Golden.check("x", path: "no-such.golden")!.contains("/Tests/InfraTestingTests/no-such.golden"))
    }

    func testGoldenRecordingWritesTheFile() throws {
        // The recording path runs in a child process with INFRA_RECORD=1 would cost a build;
        // instead check the variable's name and that recording is off in this run.
        XCTAssertEqual(Golden.recordVariable, "INFRA_RECORD")
        if ProcessInfo.processInfo.environment["INFRA_RECORD"] == nil { XCTAssertFalse(Golden.recording) }
    }
}

/// The same assertions from Swift Testing: a failure becomes an issue at the caller's line.
@Suite struct SwiftTestingUse {
    @Test func assertionsWork() throws {
        let app = App()
        _ = Queue(Stack(app, "s"), "Jobs", visibilityTimeout: .seconds(60))
        let t = try Template(app: app)
        t.hasResourceProperties("AWS::SQS::Queue", ["VisibilityTimeout": 60])
        t.resourceCountIs("AWS::SQS::Queue", 1)
        withKnownIssue("a failing assertion is recorded as a Swift Testing issue") {
            t.resourceCountIs("AWS::SQS::Queue", 3)
        }
    }
}

import Foundation
@testable import InfraAWS
import InfraCLI
@testable import InfraDeploy
import XCTest

/// Deploy behaviour moto cannot show (it has no rollback, stack-level events only, an error
/// instead of an empty change set, no operations in progress, no throttling), played by
/// `ScriptedCloudFormation` - a scripted CloudFormation stand-in answering with AWS's XML.
/// Every test here uses that stand-in, not moto.
final class ScriptedDeployTests: XCTestCase {
    static let queueAndBucket = template("""
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 3000000}}
        """)

    func deploy(_ fake: ScriptedCloudFormation, _ stacks: [TestStack], args: [String] = [], console: TestConsole,
                sleeps: Sleeps = Sleeps()) async throws -> Int32 {
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: stacks)
        let command = try Deploy.parse(["--assembly", dir.path, "--all"] + args)
        return await command.execute(fake.context(console, sleeps: sleeps))
    }

    // MARK: Rollback

    /// Server: scripted. A create fails on one resource, the other is cancelled, the stack rolls
    /// back: the first cause (not "cancelled", not "rollback requested by user") comes first,
    /// then the cancellation, then the final state; exit 1.
    func testFailedCreateRollsBackAndReportsTheFirstCause() async throws {
        let fake = ScriptedCloudFormation()
        let queueReason = "Resource handler returned message: \"Value 3000000 for parameter MessageRetentionPeriod is "
            + "invalid. Reason: Must be between 60 and 1209600. (Service: Sqs, Status Code: 400)\""
        fake.execution = { s, _ in [
            .init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
                           ("Bucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", nil),
                           ("Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", nil)], status: "CREATE_IN_PROGRESS"),
            .init(events: [("Queue", "AWS::SQS::Queue", "CREATE_FAILED", queueReason),
                           ("Bucket", "AWS::S3::Bucket", "CREATE_FAILED", "Resource creation cancelled"),
                           (s.name, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS",
                            "The following resource(s) failed to create: [Bucket, Queue]. Rollback requested by user.")],
                  status: "ROLLBACK_IN_PROGRESS"),
            .init(events: [("Bucket", "AWS::S3::Bucket", "DELETE_COMPLETE", nil),
                           ("Queue", "AWS::SQS::Queue", "DELETE_COMPLETE", nil),
                           (s.name, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", nil)],
                  status: "ROLLBACK_COMPLETE",
                  reason: "The following resource(s) failed to create: [Bucket, Queue]. Rollback requested by user."),
        ] }
        let console = TestConsole()
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console)
        assertExit(code, 1, console)
        let err = console.stderr
        let first = try XCTUnwrap(err.range(of: "first cause: Queue (AWS::SQS::Queue) CREATE_FAILED: \(queueReason)"),
                                  err)
        let cancelled = try XCTUnwrap(err.range(of: "also failed: Bucket (AWS::S3::Bucket) CREATE_FAILED: Resource creation cancelled"))
        XCTAssertLessThan(first.lowerBound, cancelled.lowerBound)
        XCTAssertTrue(err.contains("final stack state: ROLLBACK_COMPLETE"), err)
        XCTAssertTrue(err.contains("the next `infra deploy app` deletes the failed stack and creates it again"), err)
        // every resource event was shown while it happened (events mode: not a terminal)
        XCTAssertTrue(console.stdout.contains("app | 00:00:"), console.stdout)
        XCTAssertTrue(console.stdout.contains("| CREATE_FAILED | AWS::SQS::Queue | Queue | Resource handler"), console.stdout)
        XCTAssertEqual(fake.stack("app")?.status, "ROLLBACK_COMPLETE")
    }

    /// Server: scripted. A stack left in ROLLBACK_COMPLETE is deleted (and waited for), then
    /// created again with a CREATE change set.
    func testRollbackCompleteStackIsDeletedAndCreatedAgain() async throws {
        let fake = ScriptedCloudFormation()
        let old = fake.addStack("app", status: "ROLLBACK_COMPLETE", template: Self.queueAndBucket,
                                reason: "The following resource(s) failed to create: [Queue].")
        fake.outputs = ["QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/app-queue"]
        let console = TestConsole()
        let outputsDir = TempDir()
        let outputsFile = outputsDir.url.appendingPathComponent("out/outputs.json")
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)],
                                    args: ["--outputs-file", outputsFile.path], console: console)
        assertExit(code, 0, console)
        let actions = fake.actions
        let delete = try XCTUnwrap(actions.firstIndex(of: "DeleteStack"))
        let create = try XCTUnwrap(actions.firstIndex(of: "CreateChangeSet"))
        XCTAssertLessThan(delete, create)
        XCTAssertEqual(fake.calls("DeleteStack").first?.fields["StackName"], old.id, "deleted by id")
        XCTAssertEqual(fake.calls("CreateChangeSet").first?.fields["ChangeSetType"], "CREATE")
        XCTAssertTrue(console.stdout.contains("the stack is in ROLLBACK_COMPLETE (its creation failed earlier); deleting"),
                      console.stdout)
        XCTAssertTrue(console.stdout.contains("✅ app: created"), console.stdout)
        XCTAssertNotEqual(fake.stack("app")?.id, old.id)
        XCTAssertEqual(fake.stack("app")?.status, "CREATE_COMPLETE")
        // outputs printed and written
        XCTAssertTrue(console.stdout.contains("app.QueueUrl = https://sqs.us-east-1.amazonaws.com/123456789012/app-queue"))
        let written = try String(contentsOf: outputsFile, encoding: .utf8)
        XCTAssertEqual(written, """
            {
              "app": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/app-queue"
              }
            }

            """)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: outputsFile.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["outputs.json"], "no temporary file left")
    }

    // MARK: No changes

    /// Server: scripted. A change set with nothing to change comes back FAILED with AWS's "didn't
    /// contain changes" reason: it is deleted, the stack reported unchanged, exit 0, nothing executed.
    func testEmptyChangeSetIsDeletedAndReportedUnchanged() async throws {
        let fake = ScriptedCloudFormation()
        // the deployed text differs (whitespace), so the local comparison cannot skip the change set
        fake.addStack("app", status: "UPDATE_COMPLETE", template: Self.queueAndBucket + "\n")
        fake.noChanges = true
        let console = TestConsole()
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console)
        assertExit(code, 0, console)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 1)
        XCTAssertEqual(fake.calls("DeleteChangeSet").count, 1)
        XCTAssertEqual(fake.calls("ExecuteChangeSet").count, 0)
        XCTAssertTrue(console.stdout.contains("✅ app: no changes"), console.stdout)
    }

    /// Server: scripted. An identical template, parameters and tags skip the change set
    /// entirely; --force creates one anyway.
    func testUnchangedStackIsSkippedUnlessForced() async throws {
        let fake = ScriptedCloudFormation()
        fake.addStack("app", status: "UPDATE_COMPLETE", template: Self.queueAndBucket, tags: ["team": "data"])
        let stack = TestStack(name: "app", template: Self.queueAndBucket, tags: ["team": "data"])
        let console = TestConsole()
        assertExit(try await deploy(fake, [stack], console: console), 0, console)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 0)
        XCTAssertTrue(console.stdout.contains("✅ app: no changes"))

        fake.noChanges = true
        assertExit(try await deploy(fake, [stack], args: ["--force"], console: console), 0, console)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 1)

        // a changed tag is a change
        fake.noChanges = false
        var retagged = stack
        retagged.tags = ["team": "platform"]
        assertExit(try await deploy(fake, [retagged], console: console), 0, console)
        XCTAssertEqual(fake.calls("ExecuteChangeSet").count, 1)
        XCTAssertEqual(fake.stack("app")?.tags, ["team": "platform"])
    }

    // MARK: Throttling

    /// Server: scripted. CloudFormation throttles several calls in the middle of a deploy: each
    /// is retried with backoff (recorded, not slept) and the deploy succeeds.
    func testThrottlingMidDeployIsRetried() async throws {
        let fake = ScriptedCloudFormation()
        fake.throttle = ["DescribeStackEvents": 2, "ExecuteChangeSet": 1, "DescribeChangeSet": 1]
        let sleeps = Sleeps()
        let console = TestConsole()
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console,
                                    sleeps: sleeps)
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("✅ app: created"))
        XCTAssertEqual(fake.calls("ExecuteChangeSet").count, 2)
        let tokens = Set(fake.calls("ExecuteChangeSet").compactMap { $0.fields["ClientRequestToken"] })
        XCTAssertEqual(tokens.count, 1, "a retried ExecuteChangeSet reuses its client request token")
        // retry backoff (0.5 s, 1 s, ...) appears among the recorded sleeps
        XCTAssertTrue(sleeps.recorded.contains(0.5), "\(sleeps.recorded)")
        XCTAssertTrue(sleeps.recorded.contains(1.0), "\(sleeps.recorded)")
    }

    // MARK: Operations in progress, Ctrl-C

    /// Server: scripted. A stack already being updated is waited for (its events shown), then
    /// the deploy goes on (here: nothing left to change).
    func testOperationInProgressIsWaitedFor() async throws {
        let fake = ScriptedCloudFormation()
        fake.addStack("app", status: "UPDATE_IN_PROGRESS", template: Self.queueAndBucket, pending: [
            .init(events: [("Queue", "AWS::SQS::Queue", "UPDATE_IN_PROGRESS", nil)], status: "UPDATE_IN_PROGRESS"),
            .init(events: [("Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", nil)], status: "UPDATE_IN_PROGRESS"),
            .init(events: [("app", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", nil)], status: "UPDATE_COMPLETE"),
        ])
        let console = TestConsole()
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console)
        assertExit(code, 0, console)
        let out = console.stdout
        XCTAssertTrue(out.contains("app: UPDATE_IN_PROGRESS in progress"), out)
        XCTAssertTrue(out.contains("| UPDATE_COMPLETE | AWS::SQS::Queue | Queue"), out)
        XCTAssertTrue(out.contains("the operation in progress ended in UPDATE_COMPLETE"), out)
        XCTAssertTrue(out.contains("✅ app: no changes"), out)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 0)
    }

    /// Server: scripted. Ctrl-C while CloudFormation works stops watching, says the operation
    /// goes on and how to attach again, exit 130; nothing is written locally.
    func testInterruptStopsWatchingAndSaysHowToResume() async throws {
        let fake = ScriptedCloudFormation()
        fake.execution = { s, _ in
            (0..<50).map { i in .init(events: [("R\(i)", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", nil)],
                                      status: "CREATE_IN_PROGRESS") }
        }
        final class TaskBox: @unchecked Sendable { var task: Task<Int32, Never>? }
        let box = TaskBox()
        fake.onCall = { action, count in
            // >= : under load the task may poll before `box.task` is set (== 4 then never cancels)
            if action == "DescribeStackEvents" && count >= 4 { box.task?.cancel() }
        }
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [TestStack(name: "app", template: Self.queueAndBucket)])
        let outputs = dir.url.appendingPathComponent("outputs.json")
        let console = TestConsole()
        let context = fake.context(console)
        let command = try Deploy.parse(["--assembly", dir.path, "--outputs-file", outputs.path])
        let task = Task { await command.execute(context) }
        box.task = task
        let code = await task.value
        assertExit(code, 130, console)
        XCTAssertTrue(console.stderr.contains("app: stopped watching (Ctrl-C). CloudFormation carries on creating the stack"),
                      console.stderr)
        XCTAssertTrue(console.stderr.contains("Run `infra deploy app` again to wait for it and continue"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outputs.path))

        // running again attaches to the operation in progress
        fake.onCall = nil
        // (preflight reads the stack once before the deployer does: one more poll still in progress)
        fake.stack("app")!.pending = [.init(events: [], status: "CREATE_IN_PROGRESS"),
                                      .init(events: [("app", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil)],
                                            status: "CREATE_COMPLETE")]
        let again = TestConsole()
        assertExit(await command.execute(fake.context(again)), 0, again)
        XCTAssertTrue(again.stdout.contains("app: CREATE_IN_PROGRESS in progress"), again.stdout)
    }

    // MARK: Polling

    /// Server: scripted. While the stack works quietly the monitor makes one call per poll
    /// (DescribeStackEvents; DescribeStacks only on the first poll and every `statusEvery`-th);
    /// the stack's own final event is confirmed by one DescribeStacks, and that ends the watch.
    func testQuietPollsAskForEventsOnlyAndTheFinalEventIsConfirmed() async throws {
        let fake = ScriptedCloudFormation()
        let quiet = ScriptedCloudFormation.Step(events: [], status: "CREATE_IN_PROGRESS")
        fake.execution = { s, _ in
            [.init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated")],
                   status: "CREATE_IN_PROGRESS")]
                + Array(repeating: quiet, count: 6)
                + [.init(events: [("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil),
                                  ("Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE", nil),
                                  (s.name, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil)],
                         status: "CREATE_COMPLETE")]
        }
        let console = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console), 0,
                   console)
        XCTAssertTrue(console.stdout.contains("✅ app: created"), console.stdout)
        let actions = fake.actions
        let watch = Array(actions[(actions.lastIndex(of: "ExecuteChangeSet") ?? 0)...].dropFirst())
        let stacks = watch.filter { $0 == "DescribeStacks" }.count
        let events = watch.filter { $0 == "DescribeStackEvents" }.count
        // every step of this stand-in waits for a DescribeStacks (8 steps, each after up to
        // `statusEvery` event polls), then one confirms the final event
        XCTAssertEqual(stacks, 9, "\(watch)")
        XCTAssertGreaterThanOrEqual(events, (stacks - 2) * StackMonitor.statusEvery, "\(watch)")
        XCTAssertEqual(watch.suffix(2), ["DescribeStackEvents", "DescribeStacks"], "\(watch)")
    }

    /// Server: scripted. Polling starts at once, backs off while nothing happens and returns to
    /// the initial interval as soon as events arrive.
    func testPollingBacksOffAndResetsOnNews() async throws {
        let fake = ScriptedCloudFormation()
        let quiet = ScriptedCloudFormation.Step(events: [], status: "CREATE_IN_PROGRESS")
        fake.execution = { s, _ in
            [.init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated")],
                   status: "CREATE_IN_PROGRESS"), quiet, quiet, quiet, quiet,
             .init(events: [("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil)], status: "CREATE_IN_PROGRESS"),
             .init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil)], status: "CREATE_COMPLETE")]
        }
        let sleeps = Sleeps()
        let console = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console,
                                    sleeps: sleeps), 0, console)
        let policy = sleeps.polling
        // the change set wait (one poll in progress), then the stack watch
        let d = sleeps.recorded
        XCTAssertEqual(d.first, policy.initial, "\(d)")
        XCTAssertTrue(d.allSatisfy { $0 <= policy.maximum }, "\(d)")
        // somewhere the delay grew while nothing happened, then dropped back to the initial one
        let grew = zip(d, d.dropFirst()).contains { $0 < $1 }
        let reset = zip(d, d.dropFirst()).contains { $0 > $1 && $1 == policy.initial }
        XCTAssertTrue(grew && reset, "\(d)")
        XCTAssertEqual(policy.next(after: 0.1, news: false), 0.16, accuracy: 1e-9)
        XCTAssertEqual(policy.next(after: 2.0, news: false), 2.5)
        XCTAssertEqual(policy.next(after: 2.0, news: true), 0.1)
    }

    /// Server: scripted. Once every resource the operation touched has finished, the stack's
    /// own final status is due: polls are held at `settle` (not backed off towards `maximum`),
    /// so the end of a long operation is reported within about `settle`.
    func testPollsStayShortWhileTheStackSettles() async throws {
        let fake = ScriptedCloudFormation()
        let quiet = ScriptedCloudFormation.Step(events: [], status: "CREATE_IN_PROGRESS")
        fake.execution = { s, _ in
            [.init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
                            ("Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", nil)], status: "CREATE_IN_PROGRESS")]
                + Array(repeating: quiet, count: 6)
                + [.init(events: [("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil)], status: "CREATE_IN_PROGRESS")]
                // the stand-in moves a step per DescribeStacks (every `statusEvery`-th poll): 4 steps
                // stay inside the settling polls (`settleWindow / settle`)
                + Array(repeating: quiet, count: 4)
                + [.init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil)], status: "CREATE_COMPLETE")]
        }
        let sleeps = Sleeps()
        let console = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console,
                                    sleeps: sleeps), 0, console)
        let policy = sleeps.polling
        let d = sleeps.recorded
        // while the queue was being created the delay backed off past `settle` ...
        XCTAssertTrue(d.contains { $0 > policy.settle }, "\(d)")
        // ... and after it finished it never exceeded `settle` again
        guard let lastLong = d.lastIndex(where: { $0 > policy.settle }) else { return XCTFail("\(d)") }
        XCTAssertGreaterThanOrEqual(d.count - lastLong - 1, 10, "the settling polls: \(d)")
        XCTAssertEqual(policy.next(after: 2.0, hint: .settling), policy.settle)
        XCTAssertEqual(policy.next(after: 0.1, hint: .settling), min(policy.settle, 0.16), accuracy: 1e-9)
        XCTAssertEqual(policy.next(after: 2.0, hint: .quiet), 2.5)
    }

    // MARK: Approval, termination protection, parameters

    static let roleTemplate = template("""
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
          "Policies": [{"PolicyName": "data", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}]}}]}},
        "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web",
          "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}},
        "Bucket": {"Type": "AWS::S3::Bucket"}
        """)

    /// Server: scripted. Broadening IAM / security-group changes without a terminal: the table is
    /// shown and the deploy fails with what to do, before any change set exists.
    func testBroadeningChangesNeedApprovalWithoutATerminal() async throws {
        let fake = ScriptedCloudFormation()
        let console = TestConsole(terminal: false, interactive: false)
        let code = try await deploy(fake, [TestStack(name: "app", template: Self.roleTemplate)], console: console)
        assertExit(code, 1, console)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 0)
        let out = console.stdout
        XCTAssertTrue(out.contains("IAM statement changes"), out)
        XCTAssertTrue(out.contains("| + | Role (trust policy)"), out)
        XCTAssertTrue(out.contains("Service:lambda.amazonaws.com"), out)
        XCTAssertTrue(out.contains("s3:GetObject, s3:PutObject"), out)
        XCTAssertTrue(out.contains("${Bucket.Arn}/*"), out)
        XCTAssertTrue(out.contains("| + | Group | in  | TCP 443"), out)
        XCTAssertTrue(console.stderr.contains("--require-approval broadening needs a person to approve them, but there "
            + "is no terminal to ask in"), console.stderr)
        XCTAssertTrue(console.stderr.contains("deploy with --require-approval never"))
    }

    /// Server: scripted. In a terminal the deploy asks; "no" deploys nothing, "yes" deploys.
    func testBroadeningChangesAskInATerminal() async throws {
        let fake = ScriptedCloudFormation()
        let refuse = TestConsole(terminal: true, interactive: true, answers: [false])
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.roleTemplate)], console: refuse), 1, refuse)
        XCTAssertEqual(refuse.questions, ["Deploy app with these security changes that widen access?"])
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 0)

        let accept = TestConsole(terminal: true, interactive: true, answers: [true])
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.roleTemplate)], console: accept), 0, accept)
        XCTAssertEqual(fake.stack("app")?.status, "CREATE_COMPLETE")
        // bar mode: the live block was drawn with cursor movements, then cleared
        XCTAssertTrue(accept.rawOutput.contains("\u{1B}[2K"), "live progress redraws in place")
        XCTAssertTrue(accept.rawOutput.contains("done"), accept.rawOutput)

        // unchanged IAM: no question
        let again = TestConsole(terminal: true, interactive: true, answers: [])
        fake.noChanges = true
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.roleTemplate)], args: ["--force"],
                                    console: again), 0, again)
        XCTAssertEqual(again.questions, [])
    }

    /// Server: scripted. --require-approval any-change asks before executing any change set;
    /// --no-execute leaves the change set unexecuted.
    func testAnyChangeApprovalAndNoExecute() async throws {
        let fake = ScriptedCloudFormation()
        let console = TestConsole(terminal: true, interactive: true, answers: [false])
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)],
                                    args: ["--require-approval", "any-change"], console: console), 1, console)
        XCTAssertEqual(console.questions.count, 1)
        XCTAssertEqual(fake.calls("DeleteChangeSet").count, 1, "the refused change set is deleted")
        XCTAssertEqual(fake.calls("DeleteStack").count, 1, "and the empty stack its CREATE made")

        let fake2 = ScriptedCloudFormation()
        let quiet = TestConsole()
        assertExit(try await deploy(fake2, [TestStack(name: "app", template: Self.queueAndBucket)],
                                    args: ["--no-execute"], console: quiet), 0, quiet)
        XCTAssertEqual(fake2.calls("ExecuteChangeSet").count, 0)
        XCTAssertTrue(quiet.stdout.contains("created and not executed (--no-execute)"), quiet.stdout)
        XCTAssertTrue(quiet.stdout.contains("+ Add     Queue (AWS::SQS::Queue)"), quiet.stdout)
    }

    /// Server: scripted. Termination protection follows the manifest after a create and on an
    /// unchanged stack.
    func testTerminationProtectionIsApplied() async throws {
        let fake = ScriptedCloudFormation()
        var stack = TestStack(name: "app", template: Self.queueAndBucket)
        stack.terminationProtection = true
        let console = TestConsole()
        assertExit(try await deploy(fake, [stack], console: console), 0, console)
        XCTAssertEqual(fake.calls("UpdateTerminationProtection").last?.fields["EnableTerminationProtection"], "true")
        XCTAssertTrue(fake.stack("app")!.terminationProtection)
        stack.terminationProtection = false
        assertExit(try await deploy(fake, [stack], console: console), 0, console)
        XCTAssertEqual(fake.calls("UpdateTerminationProtection").count, 2)
        XCTAssertFalse(fake.stack("app")!.terminationProtection)
        XCTAssertTrue(console.stdout.contains("app: termination protection disabled"))
    }

    /// Server: scripted. --parameters: per stack, for every stack, previous values kept; an
    /// unknown parameter is a usage error.
    func testParameters() async throws {
        let fake = ScriptedCloudFormation()
        let t = template(#""Queue": {"Type": "AWS::SQS::Queue"}"#,
                         parameters: #""Env": {"Type": "String"}, "Size": {"Type": "Number", "Default": 1}"#)
        fake.addStack("app", status: "UPDATE_COMPLETE", template: t, parameters: ["Env": "dev", "Size": "3"])
        let console = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: t)],
                                    args: ["--parameters", "app:Env=prod"], console: console), 0, console)
        let fields = try XCTUnwrap(fake.calls("CreateChangeSet").first?.fields)
        XCTAssertEqual(fields["Parameters.member.1.ParameterKey"], "Env")
        XCTAssertEqual(fields["Parameters.member.1.ParameterValue"], "prod")
        XCTAssertEqual(fields["Parameters.member.2.ParameterKey"], "Size")
        XCTAssertEqual(fields["Parameters.member.2.UsePreviousValue"], "true")
        XCTAssertEqual(fields["Capabilities.member.1"], "CAPABILITY_IAM")
        XCTAssertEqual(fields["Capabilities.member.2"], "CAPABILITY_NAMED_IAM")
        XCTAssertEqual(fields["Capabilities.member.3"], "CAPABILITY_AUTO_EXPAND")
        XCTAssertEqual(fake.stack("app")?.parameters, ["Env": "prod", "Size": "3"])

        let bad = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: t)], args: ["--parameters", "app:Nope=1"],
                                    console: bad), 2, bad)
        XCTAssertTrue(bad.stderr.contains("the template of app has no parameter Nope (parameters: Env, Size)"), bad.stderr)
    }

    // MARK: Several stacks

    /// Server: scripted. Dependencies first; after a failure, dependents are not started.
    func testDependencyOrderAndStopAfterFailure() async throws {
        let fake = ScriptedCloudFormation()
        fake.execution = { s, cs in
            let created = cs.type == "CREATE"
            if s.name == "net" { return [.init(events: [(s.name, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil)],
                                               status: "CREATE_COMPLETE")] }
            _ = created
            return [.init(events: [("Queue", "AWS::SQS::Queue", "CREATE_FAILED", "quota exceeded"),
                                   (s.name, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", nil)],
                          status: "ROLLBACK_COMPLETE")]
        }
        let stacks = [TestStack(name: "web", template: Self.queueAndBucket, dependencies: ["app"]),
                      TestStack(name: "app", template: Self.queueAndBucket, dependencies: ["net"]),
                      TestStack(name: "net", template: Self.queueAndBucket)]
        let console = TestConsole()
        assertExit(try await deploy(fake, stacks, args: ["--concurrency", "3"], console: console), 1, console)
        XCTAssertEqual(fake.calls("CreateChangeSet").map { $0.fields["StackName"] }, ["net", "app"])
        XCTAssertTrue(console.stderr.contains("first cause: Queue (AWS::SQS::Queue) CREATE_FAILED: quota exceeded"))
        XCTAssertTrue(console.stderr.contains("not deployed because of the failure above: web"), console.stderr)
    }

    /// Server: scripted. Each stack goes to its manifest region (one client per region, the
    /// others in the default region); a stack for another account is refused before anything.
    func testRegionsAndAccounts() async throws {
        let fake = ScriptedCloudFormation()
        let console = TestConsole()
        let stacks = [TestStack(name: "eu", template: Self.queueAndBucket, region: "eu-west-1"),
                      TestStack(name: "home", template: Self.queueAndBucket)]
        assertExit(try await deploy(fake, stacks, console: console), 0, console)
        let hosts = Dictionary(fake.calls("CreateChangeSet").map { ($0.fields["StackName"]!, $0.host) },
                               uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(hosts, ["eu": "cloudformation.eu-west-1.amazonaws.com",
                               "home": "cloudformation.us-east-1.amazonaws.com"])

        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [TestStack(name: "other", template: Self.queueAndBucket)])
        var manifest = try String(contentsOf: dir.url.appendingPathComponent("manifest.json"), encoding: .utf8)
        manifest = manifest.replacingOccurrences(of: "\"template\": \"other.template.json\",",
                                                 with: "\"template\": \"other.template.json\",\n\"account\": \"111111111111\",")
        try manifest.write(to: dir.url.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let wrong = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", dir.path]).execute(fake.context(wrong)), 2, wrong)
        XCTAssertTrue(wrong.stderr.contains("other is for account 111111111111, but the credentials are for account "
            + "123456789012"), wrong.stderr)
        XCTAssertNil(fake.stack("other"))
    }

    /// Server: scripted. A change set CloudFormation rejects: its reason, exit 1, and the empty
    /// stack its CREATE made is removed.
    func testFailedChangeSetReportsItsReason() async throws {
        let fake = ScriptedCloudFormation()
        fake.changeSetFailure = "Template format error: Unresolved resource dependencies [Missing] in the Resources block"
        let console = TestConsole()
        assertExit(try await deploy(fake, [TestStack(name: "app", template: Self.queueAndBucket)], console: console), 1, console)
        XCTAssertTrue(console.stderr.contains("app: the change set failed (FAILED): Template format error: Unresolved "
            + "resource dependencies [Missing]"), console.stderr)
        XCTAssertEqual(fake.calls("DeleteChangeSet").count, 1)
        XCTAssertEqual(fake.calls("DeleteStack").count, 1, "the REVIEW_IN_PROGRESS stack is deleted")
    }

    /// Server: scripted. A stack with assets needs the toolkit: missing or too old, the error
    /// says to run infra bootstrap.
    func testToolkitTooOld() async throws {
        let fake = ScriptedCloudFormation()
        let toolkit = fake.addStack("InfraToolkit", status: "CREATE_COMPLETE", template: "{}")
        toolkit.outputs = ["BucketName": "infra-assets-123456789012-us-east-1", "BootstrapVersion": "0"]
        let dir = TempDir()
        try Data("zip".utf8).write(to: dir.url.appendingPathComponent("asset.abc.zip"))
        try writeAssembly(dir.url, stacks: [TestStack(name: "app", template: Self.queueAndBucket, assets: ["abc"])],
                          assets: [TestAsset(id: "abc", type: "zip", path: "asset.abc.zip", source: "src")])
        let console = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", dir.path]).execute(fake.context(console)), 1, console)
        XCTAssertTrue(console.stderr.contains("the toolkit stack InfraToolkit in us-east-1 is version 0, too old for this "
            + "infra (it needs version 1 or later): run `infra bootstrap --region us-east-1` to upgrade it"), console.stderr)
        XCTAssertEqual(fake.calls("CreateChangeSet").count, 0)
    }

    /// No server: at most --concurrency stacks run at once, each after its dependencies.
    func testSchedulerBoundsConcurrency() async throws {
        final class Tracker: @unchecked Sendable {
            let lock = NSLock()
            var running = 0, peak = 0
            var order: [String] = []
        }
        let tracker = Tracker()
        let stacks = ["a", "b", "c", "d"].map { AssemblyStack(id: $0, stackName: $0, templateFile: "", templateBody: "",
                                                               dependencies: $0 == "d" ? ["a", "b", "c"] : []) }
        let outcome = await StackScheduler.run(stacks, concurrency: 2) { stack in
            tracker.lock.withLock { tracker.running += 1; tracker.peak = max(tracker.peak, tracker.running) }
            try await Task.sleep(nanoseconds: 20_000_000)
            tracker.lock.withLock { tracker.running -= 1; tracker.order.append(stack.stackName) }
            return StackResult(stackName: stack.stackName, region: "r", stackId: nil, outcome: .unchanged, outputs: [:])
        }
        XCTAssertEqual(tracker.peak, 2)
        XCTAssertEqual(tracker.order.last, "d")
        XCTAssertEqual(outcome.finished.count, 4)
        XCTAssertEqual(outcome.notStarted, [])
    }

    // MARK: Destroy

    /// Server: scripted. Destroy without a terminal needs --force; with it, dependents go first,
    /// retained resources are listed.
    func testDestroyConfirmsDeletesInReverseOrderAndListsRetained() async throws {
        let fake = ScriptedCloudFormation()
        let kept = template("""
            "Logs": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot"},
            "Queue": {"Type": "AWS::SQS::Queue"}
            """)
        let base = fake.addStack("base", status: "CREATE_COMPLETE", template: kept)
        base.resources = [("Logs", "AWS::S3::Bucket", "CREATE_COMPLETE", nil), ("Db", "AWS::RDS::DBInstance", "CREATE_COMPLETE", nil),
                          ("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil)]
        fake.addStack("web", status: "UPDATE_COMPLETE", template: Self.queueAndBucket)
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [TestStack(name: "base", template: kept),
                                            TestStack(name: "web", template: Self.queueAndBucket, dependencies: ["base"]),
                                            TestStack(name: "other", template: Self.queueAndBucket)])
        let refused = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", dir.path, "base"]).execute(fake.context(refused)), 2, refused)
        XCTAssertTrue(refused.stderr.contains("pass --force to delete without asking"), refused.stderr)
        XCTAssertEqual(fake.calls("DeleteStack").count, 0)

        let console = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", dir.path, "base", "--force"]).execute(fake.context(console)), 0, console)
        XCTAssertEqual(fake.calls("DeleteStack").map { $0.fields["StackName"]?.contains("/web/") }, [true, false])
        XCTAssertNil(fake.stack("base"))
        XCTAssertNil(fake.stack("web"))
        let out = console.stdout
        XCTAssertTrue(out.contains("✅ web: deleted"), out)
        XCTAssertTrue(out.contains("retained (DeletionPolicy Retain"), out)
        XCTAssertTrue(out.contains("Logs (AWS::S3::Bucket) base-logs"), out)
        XCTAssertTrue(out.contains("Db (AWS::RDS::DBInstance): deleted after a final snapshot"), out)
        XCTAssertFalse(out.contains("other"), "stacks not selected (nor depending on the selection) stay")
    }

    /// Server: scripted. A delete that fails names the resources that were not deleted and why.
    func testDestroyFailureListsResourcesNotDeleted() async throws {
        let fake = ScriptedCloudFormation()
        let s = fake.addStack("app", status: "CREATE_COMPLETE", template: Self.queueAndBucket)
        s.resources = [("Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE", nil), ("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil)]
        fake.deletion = { s in [
            .init(events: [(s.name, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated"),
                           ("Queue", "AWS::SQS::Queue", "DELETE_COMPLETE", nil)], status: "DELETE_IN_PROGRESS"),
            .init(events: [("Bucket", "AWS::S3::Bucket", "DELETE_FAILED",
                            "The bucket you tried to delete is not empty (Service: S3, Status Code: 409)"),
                           (s.name, "AWS::CloudFormation::Stack", "DELETE_FAILED",
                            "The following resource(s) failed to delete: [Bucket].")],
                  status: "DELETE_FAILED", reason: "The following resource(s) failed to delete: [Bucket]."),
        ] }
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [TestStack(name: "app", template: Self.queueAndBucket)])
        let console = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", dir.path, "--force"]).execute(fake.context(console)), 1, console)
        let err = console.stderr
        XCTAssertTrue(err.contains("app: the delete failed (DELETE_FAILED)"), err)
        XCTAssertTrue(err.contains("first cause: Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty"), err)
    }
}

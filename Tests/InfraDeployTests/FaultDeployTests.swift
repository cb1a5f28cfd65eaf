import BuiltinStacks
import Foundation
@testable import InfraAWS
@testable import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraTestSupport
import XCTest

/// The deploy path under faults: moto_server (signature checks on) behind the fault-injecting
/// proxy (`Tests/FaultProxy/fault_proxy.py`, a scripted stand-in for what moto cannot show:
/// throttling, 5xx, connections reset or closed after the server acted, slow answers, bursts
/// of throttling). The resources are checked in moto through the AWS APIs, the proxy's log
/// proves that no mutation was applied twice, and its timestamps that no fault cost more than
/// its backoff.
final class FaultDeployTests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    static let appStack = "infra-fault-app"

    override class func tearDown() {
        MotoServer.releaseShared()
        super.tearDown()
    }

    // MARK: Fixtures

    func moto() async throws -> MotoServer { try await requireMoto() }

    /// A deploy context whose every AWS call goes through the proxy; polling as the CLI's, shorter.
    func context(_ moto: MotoServer, _ proxy: FaultProxy, _ console: TestConsole, polling: PollingPolicy? = nil,
                 cwd: URL = FileManager.default.temporaryDirectory) -> DeployContext {
        motoDeployContext(moto, console, endpoint: proxy.endpoint,
                          polling: polling ?? PollingPolicy(initial: 0.05, maximum: 0.5, errorBackoff: 0.5,
                                                            errorBackoffMax: 4, limiter: CallRateLimiter()),
                          retry: nil, cwd: cwd)
    }

    /// A small app: a bucket, a queue, a role and a function whose code is a zip asset.
    func writeApp(_ dir: TempDir, name: String = FaultDeployTests.appStack) throws -> (assembly: URL, hash: String) {
        let source = try dir.write("src/index.py", "def handler(event, context):\n    return 'fault-tests'\n")
        let zip = dir.url.appendingPathComponent("asset.zip")
        try Self.zip(source, to: zip)
        let hash = Hash.hex(Hash.sha256(Array(try Data(contentsOf: zip))))
        let assembly = dir.sub("infra.out")
        try FileManager.default.moveItem(at: zip, to: assembly.appendingPathComponent("asset.\(hash).zip"))
        let body = template("""
            "Uploads": {"Type": "AWS::S3::Bucket"},
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
              "Role": {"Fn::GetAtt": ["Role", "Arn"]},
              "Code": {"S3Bucket": {"Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "\(hash).zip"},
              "Environment": {"Variables": {"QUEUE_URL": {"Ref": "Jobs"}}}}}
            """, outputs: #""QueueUrl": {"Value": {"Ref": "Jobs"}}"#)
        try writeAssembly(assembly, stacks: [TestStack(name: name, template: body, assets: [hash])],
                          assets: [TestAsset(id: hash, type: "zip", path: "asset.\(hash).zip", source: source.path)])
        return (assembly, hash)
    }

    static func zip(_ file: URL, to zip: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[2], 'w') as z:
                z.writestr(zipfile.ZipInfo('index.py', (1980, 1, 1, 0, 0, 0)), open(sys.argv[1]).read())
            """, file.path, zip.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    /// Runs a step, returns its exit code and seconds.
    func timed(_ step: () async throws -> Int32) async rethrows -> (Int32, TimeInterval) {
        let start = Date()
        let code = try await step()
        return (code, Date().timeIntervalSince(start))
    }

    /// No mutation applied twice; after a connection was reset or closed, the client's next call
    /// came within `bound` seconds (its backoff), never after a request timeout.
    func checkLog(_ log: [FaultProxy.Entry], bound: TimeInterval, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(log.appliedTwice, [], "mutations applied twice", file: file, line: line)
        let sorted = log.sorted { $0.seq < $1.seq }
        for (i, e) in sorted.enumerated() where e.fault == "closed" || e.fault == "reset" {
            guard let next = sorted[(i + 1)...].first(where: { $0.t > e.t }) else { continue }
            XCTAssertLessThan(next.t - e.t, bound, "after \(e.fault!) of \(e.operation) (#\(e.seq)) the next call "
                + "(\(next.operation)) came \(String(format: "%.1f", next.t - e.t)) s later", file: file, line: line)
        }
    }

    // MARK: Tests

    /// Server: moto behind the fault proxy, 20% of calls faulted (every kind, seeded), at most
    /// two faults in a row per operation. Bootstrap of two regions, a deploy with a zip asset
    /// (created: checked in moto), an unchanged redeploy, a --no-execute of data-label (four zip
    /// assets, the change set checked), destroy: each completes, nothing applied twice, and no
    /// fault costs more than its backoff.
    func testWorkflowThroughTwentyPercentFaults() async throws {
        let moto = try await moto()
        try await moto.reset()
        let seed = ProcessInfo.processInfo.environment["INFRA_FAULT_SEED"].flatMap { Int($0) } ?? 5
        let proxy = try FaultProxy.start(upstream: moto.endpoint, config: .init(seed: seed, rate: 0.2, slowSeconds: 0.3))
        defer { proxy.stop() }
        let dir = TempDir("infra-fault-app")
        let (assembly, hash) = try writeApp(dir)
        let started = Date()

        let boot = TestConsole()
        let (bootCode, bootTime) = try await timed {
            try await Bootstrap.parse(["us-east-1", "eu-west-1"]).execute(context(moto, proxy, boot))
        }
        assertExit(bootCode, 0, boot)

        let deploy = TestConsole()
        let (deployCode, deployTime) = try await timed {
            try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
                .execute(context(moto, proxy, deploy))
        }
        assertExit(deployCode, 0, deploy)
        XCTAssertTrue(deploy.stdout.contains("✅ \(Self.appStack): created"), deploy.stdout)

        // in moto: the stack, its function (code from the published asset), queue and bucket
        let client = try moto.client()
        let cfn = CloudFormationClient(client: client)
        let stack = try await cfn.describeStack(Self.appStack)
        XCTAssertEqual(stack?.status, .createComplete)
        let resources = try await cfn.listStackResources(Self.appStack)
        XCTAssertEqual(Set(resources.map(\.logicalId)), ["Uploads", "Jobs", "Role", "Worker"])
        let function = try await Inspect(client: client).function(
            try XCTUnwrap(resources.first { $0.logicalId == "Worker" }?.physicalId))
        XCTAssertNotNil(function, "the function exists in moto")
        let queue = try await Inspect(client: client).queueURL(
            try XCTUnwrap(resources.first { $0.logicalId == "Jobs" }?.physicalId).split(separator: "/").last.map(String.init) ?? "")
        XCTAssertNotNil(queue, "the queue exists in moto")
        let bucket = Toolkit.bucketName(account: "123456789012", region: "us-east-1")
        let object = try await S3Client(client: client).headObject(bucket: bucket, key: "\(hash).zip")
        XCTAssertNotNil(object, "the asset is in the toolkit bucket")
        for region in ["us-east-1", "eu-west-1"] {
            let toolkit = try await CloudFormationClient(client: client.with(region: region)).describeStack(Toolkit.defaultStackName)
            XCTAssertEqual(toolkit?.status, .createComplete, "toolkit in \(region)")
        }

        let again = TestConsole()
        let (againCode, againTime) = try await timed {
            try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
                .execute(context(moto, proxy, again))
        }
        assertExit(againCode, 0, again)
        XCTAssertTrue(again.stdout.contains("✅ \(Self.appStack): no changes"), again.stdout)

        // --no-execute of a real stack with four zip assets (data-label)
        let config = TempDir("infra-fault-config")
        try config.write("data-label.json", try String(contentsOf: repositoryRoot.appendingPathComponent("config/data-label.json"),
                                                         encoding: .utf8))
        let parsed = try StackConfig.parse(String(contentsOf: config.url.appendingPathComponent("data-label.json"),
                                                  encoding: .utf8), file: "data-label.json")
        let dlRegion = parsed.region ?? MotoServer.region
        if !["us-east-1", "eu-west-1"].contains(dlRegion) {
            let more = TestConsole()
            assertExit(try await Bootstrap.parse([dlRegion]).execute(context(moto, proxy, more)), 0, more)
        }
        let work = TempDir("infra-fault-work")
        let review = TestConsole()
        let (reviewCode, reviewTime) = try await timed {
            try await Deploy.parse(["--config", config.path, "--output", work.url.appendingPathComponent("infra.out").path,
                                    "--require-approval", "never", "--no-execute"])
                .execute(context(moto, proxy, review))
        }
        assertExit(reviewCode, 0, review)
        XCTAssertTrue(review.stdout.contains("created and not executed (--no-execute)"), review.stdout)
        let reviewed = try await CloudFormationClient(client: client.with(region: dlRegion)).describeStack(parsed.stackName)
        XCTAssertEqual(reviewed?.status, .reviewInProgress)
        let dlBucket = Toolkit.bucketName(account: "123456789012", region: dlRegion)
        let objects = try await S3Client(client: client.with(region: dlRegion)).listAllObjects(bucket: dlBucket)
        XCTAssertGreaterThanOrEqual(objects.filter { $0.key.hasSuffix(".zip") }.count, 4, "data-label's four zips")

        let destroy = TestConsole()
        let (destroyCode, destroyTime) = try await timed {
            try await Destroy.parse(["--assembly", assembly.path, "--force"]).execute(context(moto, proxy, destroy))
        }
        assertExit(destroyCode, 0, destroy)
        let gone = try await cfn.describeStack(Self.appStack)
        XCTAssertNil(gone, "the stack is deleted in moto")

        let log = try await proxy.log()
        let faults = log.faultCounts
        print("fault workflow: bootstrap \(bootTime) s, deploy \(deployTime) s, redeploy \(againTime) s, "
            + "no-execute \(reviewTime) s, destroy \(destroyTime) s; \(log.count) calls, faults \(faults): "
            + log.filter { $0.fault != nil }.map { "\($0.operation)=\($0.fault!)" }.joined(separator: " "))
        XCTAssertGreaterThanOrEqual(Double(faults.values.reduce(0, +)), 0.08 * Double(log.count), "faults were injected")
        XCTAssertGreaterThanOrEqual(faults.count, 4, "kinds met: \(faults)")
        XCTAssertGreaterThan((faults["closed"] ?? 0) + (faults["reset"] ?? 0), 0, "dropped connections met: \(faults)")
        checkLog(log, bound: 10)
        // about 10 s here; one attempt waiting out its deadline (30 s) for a dropped connection would show
        XCTAssertLessThan(Date().timeIntervalSince(started), 40, "the whole workflow")
    }

    /// Server: moto behind the fault proxy, which forwards the first CreateChangeSet,
    /// ExecuteChangeSet, PutObject and DeleteStack, reads moto's answer and closes the connection
    /// without answering: each outcome is unknown to infra. Each is resolved by a read of the real
    /// state (DescribeChangeSet, the change set's ExecutionStatus, HeadObject, DescribeStacks),
    /// never by a second call: moto applied each exactly once, and the stack is created and deleted.
    func testLostAnswersAreResolvedByLooking() async throws {
        let moto = try await moto()
        try await moto.reset()
        let proxy = try FaultProxy.start(upstream: moto.endpoint)
        defer { proxy.stop() }
        let boot = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, proxy, boot)), 0, boot)
        try await proxy.clear()
        try await proxy.configure(.init(script: ["CreateChangeSet": ["closed"], "ExecuteChangeSet": ["closed"],
                                                 "PutObject": ["closed"], "DeleteStack": ["closed"]]))
        let dir = TempDir("infra-fault-lost")
        let (assembly, hash) = try writeApp(dir, name: "infra-fault-lost")

        let console = TestConsole()
        let (code, seconds) = try await timed {
            try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
                .execute(context(moto, proxy, console))
        }
        assertExit(code, 0, console)
        for text in ["the answer to PutObject was lost", "uploaded (same size and checksum)",
                     "the answer to CreateChangeSet was lost", "was created; carrying on with it",
                     "the answer to ExecuteChangeSet was lost", "the change set was executed",
                     "✅ infra-fault-lost: created"] {
            XCTAssertTrue(console.stdout.contains(text), "\(text) in:\n\(console.stdout)")
        }
        XCTAssertLessThan(seconds, 15, "no lost answer waited for a timeout")
        let client = try moto.client()
        let cfn = CloudFormationClient(client: client)
        let stack = try await cfn.describeStack("infra-fault-lost")
        XCTAssertEqual(stack?.status, .createComplete)
        let resources = try await cfn.listStackResources("infra-fault-lost")
        XCTAssertEqual(Set(resources.map(\.logicalId)), ["Uploads", "Jobs", "Role", "Worker"])
        let object = try await S3Client(client: client).headObject(
            bucket: Toolkit.bucketName(account: "123456789012", region: "us-east-1"), key: "\(hash).zip")
        XCTAssertNotNil(object)

        let destroy = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", assembly.path, "--force"]).execute(context(moto, proxy, destroy)),
                   0, destroy)
        XCTAssertTrue(destroy.stdout.contains("the answer to DeleteStack was lost"), destroy.stdout)
        XCTAssertTrue(destroy.stdout.contains("✅ infra-fault-lost: deleted"), destroy.stdout)
        let gone = try await cfn.describeStack("infra-fault-lost")
        XCTAssertNil(gone)

        let log = try await proxy.log()
        for op in ["CreateChangeSet", "ExecuteChangeSet", "PutObject", "DeleteStack"] {
            let applied = log.filter { $0.operation == op && $0.applied }
            XCTAssertEqual(applied.count, 1, "\(op) applied once: \(applied.map(\.seq))")
            XCTAssertEqual(applied.first?.delivered, false, "\(op)'s answer was lost")
        }
        XCTAssertEqual(log.appliedTwice, [])
        checkLog(log, bound: 5)
    }

    /// Server: moto behind the fault proxy. For 30 s after ExecuteChangeSet every DescribeStacks
    /// and DescribeStackEvents is throttled (what CloudFormation does when monitors poll too
    /// hard): the deploy keeps watching with backoff, says so, and completes once the burst is
    /// over, within its backoff of the burst's end.
    func testThirtySecondThrottlingBurstWhileWatching() async throws {
        let moto = try await moto()
        try await moto.reset()
        let burst = FaultProxy.Burst(trigger: "ExecuteChangeSet", operations: ["DescribeStackEvents", "DescribeStacks"],
                                     seconds: 30)
        let proxy = try FaultProxy.start(upstream: moto.endpoint)
        defer { proxy.stop() }
        let dir = TempDir("infra-fault-burst")
        let (assembly, _) = try writeApp(dir, name: "infra-fault-burst")
        let boot = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, proxy, boot)), 0, boot)
        try await proxy.clear()
        try await proxy.configure(.init(seed: 3, rate: 0, bursts: [burst]))  // from the deploy's ExecuteChangeSet on

        let console = TestConsole()
        let polling = PollingPolicy(initial: 0.05, maximum: 0.5, errorBackoff: 1, errorBackoffMax: 5, limiter: CallRateLimiter())
        let (code, seconds) = try await timed {
            try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
                .execute(context(moto, proxy, console, polling: polling))
        }
        assertExit(code, 0, console)
        XCTAssertTrue(console.stdout.contains("✅ infra-fault-burst: created"), console.stdout)
        XCTAssertTrue(console.stdout.contains("still watching (CloudFormation carries on)"), console.stdout)
        let log = try await proxy.log()
        let execute = try XCTUnwrap(log.first { $0.operation == "ExecuteChangeSet" })
        let throttled = log.filter { $0.burst != nil }
        XCTAssertGreaterThan(throttled.count, 2, "the burst throttled the monitor")
        let last = try XCTUnwrap(log.last)
        print("burst: deploy \(seconds) s, \(throttled.count) throttled calls, last call \(last.t - execute.t) s after ExecuteChangeSet")
        XCTAssertGreaterThanOrEqual(last.t - execute.t, 30, "watched through the burst")
        // the end is seen within one backoff (5 s) plus the client's own retries of the last throttled poll
        XCTAssertLessThan(last.t - execute.t, 30 + 5 + 4, "seen soon after the burst")
        XCTAssertLessThan(throttled.count, 60, "the monitor backed off instead of hammering")
        let stack = try await CloudFormationClient(client: try moto.client()).describeStack("infra-fault-burst")
        XCTAssertEqual(stack?.status, .createComplete)
        XCTAssertEqual(log.appliedTwice, [])
    }

    /// Server: moto behind the fault proxy. Throttling that outlasts the watch's patience: the
    /// deploy stops watching with an error that says CloudFormation carries on and how to attach
    /// again; it never aborts on the first throttled poll.
    func testWatchThatMustStopSaysHowToAttachAgain() async throws {
        let moto = try await moto()
        try await moto.reset()
        let burst = FaultProxy.Burst(trigger: "ExecuteChangeSet", operations: ["DescribeStackEvents", "DescribeStacks"],
                                     seconds: 60)
        let proxy = try FaultProxy.start(upstream: moto.endpoint)
        defer { proxy.stop() }
        let boot = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, proxy, boot)), 0, boot)
        try await proxy.clear()
        try await proxy.configure(.init(seed: 3, rate: 0, bursts: [burst]))
        let dir = TempDir("infra-fault-giveup")
        try writeAssembly(dir.url, stacks: [TestStack(name: "infra-fault-giveup", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#))])
        let console = TestConsole()
        let polling = PollingPolicy(initial: 0.05, maximum: 0.5, errorPatience: 3, errorBackoff: 0.5, errorBackoffMax: 1)
        let (code, seconds) = try await timed {
            try await Deploy.parse(["--assembly", dir.path, "--require-approval", "never"])
                .execute(context(moto, proxy, console, polling: polling))
        }
        assertExit(code, 1, console)
        XCTAssertTrue(console.stderr.contains("infra-fault-giveup: stopped watching after"), console.stderr)
        XCTAssertTrue(console.stderr.contains("CloudFormation carries on with the operation"), console.stderr)
        XCTAssertTrue(console.stderr.contains("`infra deploy infra-fault-giveup`"), console.stderr)
        XCTAssertTrue(console.stderr.contains("Throttling"), console.stderr)
        XCTAssertLessThan(seconds, 20, "stopped after its patience, not after the burst")
        let stack = try await CloudFormationClient(client: try moto.client()).describeStack("infra-fault-giveup")
        XCTAssertEqual(stack?.status, .createComplete, "CloudFormation (moto) carried on")
    }

    /// Server: moto behind the fault proxy (a 4 s burst of throttling after ExecuteChangeSet,
    /// so the deploy is still watching, and writing, after its reader left). The real `infra`
    /// executable as `infra deploy | head -1`: the reader closes the pipe after the first line;
    /// the deploy is not killed by SIGPIPE, finishes (the stack is created in moto) and exits 0.
    func testDeployPipedIntoHeadFinishes() async throws {
        let binary = repositoryRoot.appendingPathComponent(".build/debug/infra")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("\(binary.path) is not built (swift build builds it; swift test does too)")
            return
        }
        let moto = try await moto()
        try await moto.reset()
        let proxy = try FaultProxy.start(upstream: moto.endpoint)
        defer { proxy.stop() }
        let boot = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, proxy, boot)), 0, boot)
        try await proxy.configure(.init(bursts: [.init(trigger: "ExecuteChangeSet",
                                                      operations: ["DescribeStackEvents", "DescribeStacks"], seconds: 4)]))
        let dir = TempDir("infra-fault-pipe")
        try writeAssembly(dir.url, stacks: [TestStack(name: "infra-fault-pipe", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#))])

        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": dir.path,
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
            "AWS_ENDPOINT_URL": proxy.endpoint.absoluteString,
            "AWS_REGION": MotoServer.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let (pid, reader) = try Self.spawnWithDefaultSIGPIPE(
            binary.path, ["deploy", "--assembly", dir.path, "--require-approval", "never", "--progress", "events"],
            environment: environment)
        // head -1: read one line, then go away
        var first = [UInt8]()
        var byte: UInt8 = 0
        while read(reader, &byte, 1) == 1 {
            first.append(byte)
            if byte == UInt8(ascii: "\n") { break }
        }
        close(reader)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(60)
        var done = false
        while !done, Date() < deadline {
            done = waitpid(pid, &status, WNOHANG) == pid
            if !done { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        if !done { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0) }
        XCTAssertTrue(done, "the deploy finished")
        XCTAssertFalse(first.isEmpty, "head got its line")
        XCTAssertEqual(status & 0x7f, 0, "not ended by a signal (signal \(status & 0x7f); 13 is SIGPIPE)")
        XCTAssertEqual((status >> 8) & 0xff, 0, "the deploy's own status")
        let log = try await proxy.log()
        XCTAssertTrue(log.contains { $0.burst != nil }, "it was still watching (and writing) after the reader left")
        let stack = try await CloudFormationClient(client: try moto.client()).describeStack("infra-fault-pipe")
        XCTAssertEqual(stack?.status, .createComplete)
    }

    /// Starts `path` with SIGPIPE at its default action (whatever this test process ignores: an
    /// ignored signal is inherited across exec, which would make the test pass vacuously), its
    /// standard output a pipe whose read end is returned, standard input and error /dev/null.
    static func spawnWithDefaultSIGPIPE(_ path: String, _ arguments: [String], environment: [String: String]) throws
        -> (pid_t, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw CocoaError(.executableLoad)
        }
        return (pid, fds[0])
    }
}

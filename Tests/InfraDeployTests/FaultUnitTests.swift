import Foundation
@testable import InfraAWS
@testable import InfraCLI
import InfraCore
@testable import InfraDeploy
import InfraTestSupport
import InfraURLSession
import XCTest

/// A transport in front of moto that records the S3 calls' headers and, when `foreignBucket`
/// is set, answers every call to that bucket as S3 does when `x-amz-expected-bucket-owner` names
/// an account that does not own it: 403 AccessDenied (a scripted stand-in: moto does not check
/// the header).
final class BucketOwnerTransport: HTTPTransport, @unchecked Sendable {
    let inner = URLSessionTransport()
    let foreignBucket: String?
    private let lock = NSLock()
    private var s3Calls: [(method: String, path: String, owner: String?)] = []

    init(foreignBucket: String? = nil) {
        self.foreignBucket = foreignBucket
    }

    var calls: [(method: String, path: String, owner: String?)] { lock.withLock { s3Calls } }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let isQueryOrJSON = request.headers["Content-Type"]?.contains("x-www-form-urlencoded") == true
            || request.headers["X-Amz-Target"] != nil
        if !isQueryOrJSON, request.url.path.hasPrefix("/infra-assets-") {
            let owner = request.headers[S3Client.expectedBucketOwnerHeader]
            lock.withLock { s3Calls.append((request.method, request.url.path, owner)) }
            if let foreign = foreignBucket, request.url.path.hasPrefix("/\(foreign)") {
                let body = request.method == "HEAD" ? Data() : Data("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>owner-check</RequestId></Error>
                    """.utf8)
                return HTTPResponse(statusCode: 403, headers: ["Content-Type": "application/xml"], body: body)
            }
        }
        return try await inner.send(request, timeout: timeout)
    }
}

final class FaultUnitTests: XCTestCase {
    override class func tearDown() {
        MotoServer.releaseShared()
        super.tearDown()
    }

    func context(_ moto: MotoServer, _ console: TestConsole, transport: any HTTPTransport) -> DeployContext {
        motoDeployContext(moto, console, transport: transport)
    }

    /// Server: moto (S3 owner refusals scripted, see `BucketOwnerTransport`). Every call to the
    /// asset bucket carries the account from STS as `x-amz-expected-bucket-owner`; a bucket owned
    /// by someone else is a clear error naming the bucket, nothing is uploaded, and nothing deployed.
    func testAssetBucketOwnerIsCheckedOnEveryCall() async throws {
        let moto = try await MotoServer.instance()
        try await moto.reset()
        let bootConsole = TestConsole()
        assertExit(try await Bootstrap.parse([]).execute(context(moto, bootConsole, transport: URLSessionTransport())),
                   0, bootConsole)
        let dir = TempDir("infra-owner")
        let source = try dir.write("src/index.py", "def handler(event, context):\n    return 1\n")
        let zip = dir.url.appendingPathComponent("a.zip")
        try FaultDeployTests.zip(source, to: zip)
        let hash = Hash.hex(Hash.sha256(Array(try Data(contentsOf: zip))))
        let assembly = dir.sub("infra.out")
        try FileManager.default.moveItem(at: zip, to: assembly.appendingPathComponent("asset.\(hash).zip"))
        let body = template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
              "Role": {"Fn::GetAtt": ["Role", "Arn"]},
              "Code": {"S3Bucket": {"Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "\(hash).zip"}}}
            """)
        try writeAssembly(assembly, stacks: [TestStack(name: "infra-owner-test", template: body, assets: [hash])],
                          assets: [TestAsset(id: hash, type: "zip", path: "asset.\(hash).zip", source: source.path)])
        let bucket = Toolkit.bucketName(account: "123456789012", region: "us-east-1")

        // someone else owns the bucket: refused before anything is uploaded or deployed
        let foreign = BucketOwnerTransport(foreignBucket: bucket)
        let refused = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
            .execute(context(moto, refused, transport: foreign)), 1, refused)
        XCTAssertTrue(refused.stderr.contains("the asset bucket \(bucket) is not owned by this account (123456789012)"),
                      refused.stderr)
        XCTAssertTrue(refused.stderr.contains("run `infra bootstrap --region us-east-1` again"), refused.stderr)
        XCTAssertFalse(foreign.calls.contains { $0.method == "PUT" }, "nothing uploaded: \(foreign.calls)")
        let cfn = CloudFormationClient(client: try moto.client())
        let notDeployed = try await cfn.describeStack("infra-owner-test")
        XCTAssertNil(notDeployed)

        // our own bucket: every call names the owner
        let own = BucketOwnerTransport()
        let console = TestConsole()
        assertExit(try await Deploy.parse(["--assembly", assembly.path, "--require-approval", "never"])
            .execute(context(moto, console, transport: own)), 0, console)
        XCTAssertTrue(own.calls.contains { $0.method == "PUT" }, "uploaded: \(own.calls)")
        for call in own.calls {
            XCTAssertEqual(call.owner, "123456789012", "\(call.method) \(call.path)")
        }
        let destroy = TestConsole()
        assertExit(try await Destroy.parse(["--assembly", assembly.path, "--force"])
            .execute(context(moto, destroy, transport: URLSessionTransport())), 0, destroy)
    }

    /// SIGPIPE ignored (as `infra` does at start), a console whose standard output lost its
    /// reader (`infra deploy | head` after head exited) keeps the process alive: the failed
    /// write marks the stream closed, later lines are dropped, standard error still works.
    func testBrokenPipeOnStandardOutputDoesNotEndTheProcess() throws {
        ProcessSignals.ignoreBrokenPipes()
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&outPipe), 0)
        XCTAssertEqual(pipe(&errPipe), 0)
        defer { close(outPipe[1]); close(errPipe[0]); close(errPipe[1]) }
        let console = StandardConsole(output: outPipe[1], error: errPipe[1])
        console.out("first line")
        close(outPipe[0])  // the reader goes away (head exits)
        for i in 0..<100 { console.out("progress line \(i)") }
        console.raw("redraw")
        XCTAssertTrue(console.outputClosed, "the write failed with EPIPE and was handled")
        console.err("still reported")
        XCTAssertFalse(console.errorClosed)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(errPipe[0], &buffer, buffer.count)
        XCTAssertEqual(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self), "still reported\n")
    }

    /// libcurl is opened on first use: when it cannot be loaded (here: `INFRA_LIBCURL` names a
    /// file that is not there, as a machine without the library would), the first AWS call fails
    /// at once with the loader's reason, is not retried, and the process exits 1 without a crash.
    /// The `infra` executable in a child process: this test process has libcurl loaded already.
    func testMissingLibcurlIsAClearErrorNotACrash() throws {
        let binary = repositoryRoot.appendingPathComponent(".build/debug/infra")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("\(binary.path) is not built (swift build builds it; swift test does too)")
        }
        let dir = TempDir("infra-no-libcurl")
        let p = Process()
        p.executableURL = binary
        p.arguments = ["bootstrap", "--region", "us-east-1"]
        p.currentDirectoryURL = dir.url
        p.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret",
            // were the variable ignored, the call would go here and fail otherwise (refused)
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "INFRA_LIBCURL": "/nonexistent/libcurl.so.4",
        ]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, text)
        XCTAssertEqual(p.terminationStatus, 1, text)
        XCTAssertTrue(text.contains("cannot load libcurl (/nonexistent/libcurl.so.4)"), text)
        XCTAssertTrue(text.contains("No such file or directory"), text)
        XCTAssertTrue(text.contains("after 1 attempt"), "a missing library is not retried: \(text)")
    }

    /// The shared budget: a burst, then calls spaced at the rate; throttling halves the rate,
    /// successes win it back.
    func testSharedRateLimiter() {
        let limiter = CallRateLimiter(rate: 4, burst: 8, minimumRate: 0.5)
        let t0 = Date(timeIntervalSince1970: 1000)
        for _ in 0..<8 { XCTAssertEqual(limiter.reserve("us-east-1", now: t0), 0) }
        XCTAssertEqual(limiter.reserve("us-east-1", now: t0), 0.25, accuracy: 1e-9)
        XCTAssertEqual(limiter.reserve("eu-west-1", now: t0), 0, "each region has its own budget")
        limiter.throttled("us-east-1")
        XCTAssertEqual(limiter.currentRate("us-east-1"), 2)
        for _ in 0..<5 { limiter.throttled("us-east-1") }
        XCTAssertEqual(limiter.currentRate("us-east-1"), 0.5, "never below the minimum")
        for _ in 0..<200 { limiter.succeeded("us-east-1") }
        XCTAssertEqual(limiter.currentRate("us-east-1"), 4)
        XCTAssertEqual(limiter.reserve("us-east-1", now: t0.addingTimeInterval(-60)), 0,
                       "another clock (earlier): a fresh budget, not a wait")
    }

    /// Transient failures are watched through; others end the watch.
    func testTransientFailuresOfAWatch() {
        func err(_ code: String, _ status: Int) -> AWSError {
            AWSError(service: "CloudFormation", operation: "DescribeStackEvents", statusCode: status, code: code, message: "")
        }
        XCTAssertTrue(isTransientAWSFailure(err("Throttling", 400)))
        XCTAssertTrue(isTransientAWSFailure(err("InternalFailure", 500)))
        XCTAssertTrue(isTransientAWSFailure(err("BadGateway", 502)))
        XCTAssertTrue(isTransientAWSFailure(AWSClientError.transport(service: "CloudFormation", operation: "DescribeStacks",
                                                                      attempts: 3, underlying: "connection reset")))
        XCTAssertFalse(isTransientAWSFailure(err("ValidationError", 400)))
        XCTAssertFalse(isTransientAWSFailure(err("AccessDenied", 403)))
    }

    /// A `docker build` that is interrupted (the deploy's task cancelled, as Ctrl-C does) is
    /// ended at once, not left running: a stand-in `docker` (DOCKER=script) that sleeps.
    func testInterruptedDockerBuildIsEnded() async throws {
        let dir = TempDir("infra-docker")
        let pidFile = dir.url.appendingPathComponent("pid")
        let script = try dir.write("docker", "#!/bin/sh\necho $$ > \(pidFile.path)\nexec sleep 30\n")
        chmod(script.path, 0o755)
        let runner = ProcessDockerRunner(environment: ["DOCKER": script.path])
        let started = Date()
        let task = Task { try await runner.run(["build", "-t", "x", "."], input: nil) }
        var pid: pid_t?
        while pid == nil, Date().timeIntervalSince(started) < 10 {
            try await Task.sleep(nanoseconds: 20_000_000)
            pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let child = try XCTUnwrap(pid, "the stand-in docker started")
        XCTAssertEqual(kill(child, 0), 0, "docker build is running")
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled build is not a result")
        } catch is CancellationError {
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "ended at once, not after the build's 30 s")
        XCTAssertNotEqual(kill(child, 0), 0, "docker build no longer runs")
    }

    /// A `docker info` that never answers (a hung daemon) is "no engine" after its deadline.
    func testDockerInfoHasADeadline() async throws {
        let dir = TempDir("infra-docker-info")
        let script = try dir.write("docker", "#!/bin/sh\nexec sleep 30\n")
        chmod(script.path, 0o755)
        let started = Date()
        let r = try await ProcessDockerRunner(environment: ["DOCKER": script.path], infoTimeout: 0.5).run(["info"], input: nil)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("did not finish within"), r.error)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
    }

    /// Server: scripted (operations unfold over polls). Six stacks watched at once
    /// (`--concurrency 6`) with fast polling: without a shared budget their DescribeStackEvents
    /// calls pile up; with one (`CallRateLimiter`, 20 calls/s, burst 4, shared through the
    /// deploy's polling policy) no second holds more than the budget allows.
    func testConcurrentWatchesShareOneCallBudget() async throws {
        final class Times: @unchecked Sendable {
            let lock = NSLock()
            var values: [Date] = []
        }
        func peak(limiter: CallRateLimiter?) async throws -> (Int, Int) {
            let fake = ScriptedCloudFormation()
            let times = Times()
            fake.onCall = { action, _ in
                if action == "DescribeStackEvents" { times.lock.withLock { times.values.append(Date()) } }
            }
            let console = TestConsole()
            var context = fake.context(console)
            context.polling = PollingPolicy(initial: 0.005, maximum: 0.02, limiter: limiter)
            let dir = TempDir()
            try writeAssembly(dir.url, stacks: (1...6).map { TestStack(name: "s\($0)", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#)) })
            let code = await (try Deploy.parse(["--assembly", dir.path, "--all", "--concurrency", "6",
                                                "--require-approval", "never"])).execute(context)
            assertExit(code, 0, console)
            let all = times.lock.withLock { times.values }.sorted()
            var best = 0
            for (i, t) in all.enumerated() {
                best = max(best, all[i...].prefix { $0.timeIntervalSince(t) < 1 }.count)
            }
            return (best, all.count)
        }
        let (unlimited, calls) = try await peak(limiter: nil)
        let (limited, limitedCalls) = try await peak(limiter: CallRateLimiter(rate: 20, burst: 4))
        print("DescribeStackEvents in the busiest second: \(unlimited) of \(calls) without a budget, "
            + "\(limited) of \(limitedCalls) with 20/s")
        XCTAssertGreaterThan(unlimited, 30, "the watches alone poll faster than the budget")
        // 20 a second plus the burst, plus one newest-event read per stack before its execution (not a poll)
        XCTAssertLessThanOrEqual(limited, 20 + 4 + 6)
    }
}

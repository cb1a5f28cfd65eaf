import Foundation
@testable import InfraAWS
import XCTest

/// Retry decisions by idempotency class, the retry quota, retry configuration, the clock-skew
/// bound and the container-credentials host check. Scripted transports stand in for failures no
/// real server shows on request (the transport's own behaviour is in TransportTests).
final class ResilienceTests: XCTestCase {
    static let identity = HTTPResponse.xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:root</Arn><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
    static let executed = HTTPResponse.xml(200, "<ExecuteChangeSetResponse><ExecuteChangeSetResult/></ExecuteChangeSetResponse>")
    static let lost = TransportError("127.0.0.1:1: connection closed after the request was sent", isRetryable: true,
                                     delivery: .maybeSent)
    static let refused = TransportError("127.0.0.1:1: could not connect", isRetryable: true, delivery: .notSent)

    // MARK: Idempotency classes

    func testDefaultIdempotencyFollowsTheMethodAndServiceClientsMarkTheirReads() async throws {
        XCTAssertEqual(AWSRequest(service: .s3, operation: "GetObject", method: "GET").idempotency, .safe)
        XCTAssertEqual(AWSRequest(service: .s3, operation: "HeadObject", method: "HEAD").idempotency, .safe)
        XCTAssertEqual(AWSRequest(service: .s3, operation: "PutObject", method: "PUT").idempotency, .mutation)
        XCTAssertEqual(AWSRequest(service: .cloudFormation, operation: "X").idempotency, .mutation)
        for action in ["DescribeStacks", "DescribeStackEvents", "GetTemplate", "ListStacks", "ValidateTemplate",
                       "DescribeChangeSet", "GetTemplateSummary"] {
            XCTAssertEqual(CloudFormationClient.idempotency(of: action), .safe, action)
        }
        for action in ["CreateChangeSet", "ExecuteChangeSet", "DeleteStack", "DeleteChangeSet", "CreateStack",
                       "UpdateStack", "UpdateTerminationProtection"] {
            XCTAssertEqual(CloudFormationClient.idempotency(of: action), .mutation, action)
        }
        // what reaches the transport
        let transport = ScriptedTransport { request, _ in
            let target = request.headers["X-Amz-Target"] ?? ""
            if target.hasSuffix("DescribeRepositories") { return .json(200, #"{"repositories":[]}"#) }
            if target.hasSuffix("DescribeImages") { return .json(200, #"{"imageDetails":[]}"#) }
            if target.hasSuffix("GetAuthorizationToken") { return .json(200, #"{"authorizationData":[]}"#) }
            if target.hasSuffix("CreateRepository") { return .json(200, #"{"repository":{"repositoryName":"r"}}"#) }
            return Self.identity
        }
        let client = scriptedClient(transport)
        _ = try await STSClient(client: client).getCallerIdentity()
        _ = try await ECRClient(client: client).describeRepositories()
        _ = try await ECRClient(client: client).describeImages(repositoryName: "r")
        _ = try await ECRClient(client: client).getAuthorizationToken()
        _ = try await ECRClient(client: client).createRepository(name: "r")
        XCTAssertEqual(transport.requests.map(\.idempotency), [.safe, .safe, .safe, .safe, .mutation])
    }

    func testALostAnswerToAMutationIsAmbiguousAndNeverResent() async throws {
        let transport = ScriptedTransport { _, _ in throw Self.lost }
        let sleeps = SleepRecorder()
        let cfn = CloudFormationClient(client: scriptedClient(transport, retry: sleeps.policy()))
        do {
            try await cfn.executeChangeSet("cs", stackName: "s")
            XCTFail("expected an ambiguous outcome")
        } catch let error as AWSClientError {
            guard case let .ambiguous(service, operation, underlying) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([service, operation], ["CloudFormation", "ExecuteChangeSet"])
            XCTAssertEqual(underlying, Self.lost.message)
            XCTAssertTrue("\(error)".contains("may or may not have been applied, and was not sent again"), "\(error)")
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(sleeps.recorded, [])
    }

    func testAMutationIsRetriedWhenItProvablyNeverLeftOrAWSSaysItWasNotApplied() async throws {
        let transport = ScriptedTransport { _, index in
            switch index {
            case 0: throw Self.refused
            case 1: return .xml(400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>")
            case 2: return HTTPResponse(statusCode: 503)
            default: return Self.executed
            }
        }
        let sleeps = SleepRecorder()
        try await CloudFormationClient(client: scriptedClient(transport, retry: sleeps.policy(maxAttempts: 4)))
            .executeChangeSet("cs", stackName: "s")
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(sleeps.recorded.count, 3)
        // ...but a lost answer after a refused connection is still ambiguous
        let mixed = ScriptedTransport { _, index in if index == 0 { throw Self.refused } else { throw Self.lost } }
        do {
            try await CloudFormationClient(client: scriptedClient(mixed, retry: SleepRecorder().policy()))
                .executeChangeSet("cs", stackName: "s")
            XCTFail("expected an ambiguous outcome")
        } catch AWSClientError.ambiguous {
        }
        XCTAssertEqual(mixed.requests.count, 2)
    }

    func testAReadIsRetriedOnAnyTransientFailureWithMorePatience() async throws {
        let transport = ScriptedTransport { _, index in
            if index < 6 { throw index % 2 == 0 ? Self.lost : TransportError("t", isRetryable: true, isTimeout: true) }
            return Self.identity
        }
        let sleeps = SleepRecorder()
        let policy = RetryPolicy.default
        XCTAssertEqual(policy.maxAttempts, 3)
        XCTAssertEqual(policy.readMaxAttempts, 8)
        var recorded = sleeps.policy(maxAttempts: 3)
        recorded.readMaxAttempts = 8
        _ = try await STSClient(client: scriptedClient(transport, retry: recorded)).getCallerIdentity()
        XCTAssertEqual(transport.requests.count, 7)
        XCTAssertEqual(sleeps.recorded, [0.5, 1, 2, 4, 8, 16])
    }

    func testOnly500502503504AreRetriedAmongServerErrors() async throws {
        for (status, attempts) in [(500, 3), (502, 3), (503, 3), (504, 3), (501, 1), (505, 1), (507, 1)] {
            let transport = ScriptedTransport([HTTPResponse(statusCode: status)])
            do {
                _ = try await STSClient(client: scriptedClient(transport, retry: SleepRecorder().policy(maxAttempts: 3)))
                    .getCallerIdentity()
                XCTFail("expected an error for \(status)")
            } catch let error as AWSError {
                XCTAssertEqual(error.statusCode, status)
            }
            XCTAssertEqual(transport.requests.count, attempts, "HTTP \(status)")
        }
    }

    // MARK: Retry quota

    func testTheRetryQuotaStopsRetriesAndSuccessRefillsIt() async throws {
        let transport = ScriptedTransport([HTTPResponse(statusCode: 500)])
        var policy = SleepRecorder().policy(maxAttempts: 1000)
        policy.readMaxAttempts = 1000
        let client = scriptedClient(transport, retry: policy)
        XCTAssertEqual(client.retryQuota.available, 500)
        do {
            _ = try await STSClient(client: client).getCallerIdentity()
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode, 500)
        }
        // 500 tokens / 5 per retry = 100 retries, then the failure surfaces
        XCTAssertEqual(transport.requests.count, 101)
        XCTAssertEqual(client.retryQuota.available, 0)

        // the next failing call is not retried at all: the quota is per client, shared by calls
        do { _ = try await STSClient(client: client).getCallerIdentity() } catch {}
        XCTAssertEqual(transport.requests.count, 102)

        // timeouts cost 10
        let quota = RetryQuota()
        XCTAssertEqual(quota.acquire(timeout: true), 10)
        XCTAssertEqual(quota.acquire(timeout: false), 5)
        XCTAssertEqual(quota.available, 485)
        quota.release(retryCost: 10)   // a retried call that then succeeded gives its retry back
        quota.release(retryCost: nil)  // a call that succeeded at once adds 1
        XCTAssertEqual(quota.available, 496)
        for _ in 0..<10 { quota.release(retryCost: nil) }
        XCTAssertEqual(quota.available, 500, "never above the capacity")

        // success refills the client's quota
        let flaky = ScriptedTransport { _, index in index == 0 ? HTTPResponse(statusCode: 503) : Self.identity }
        let c2 = scriptedClient(flaky, retry: SleepRecorder().policy())
        _ = try await STSClient(client: c2).getCallerIdentity()
        XCTAssertEqual(c2.retryQuota.available, 500)
    }

    func testLegacyModeAndConfiguredAttempts() throws {
        let home = try TempHome(config: "[default]\nmax_attempts = 6\nretry_mode = legacy\n")
        let config = try AWSSharedConfig.load(home.environment())
        let fromProfile = RetryPolicy.default.configured(environment: home.environment(), profile: config.profile("default"))
        XCTAssertEqual(fromProfile.mode, .legacy)
        XCTAssertFalse(fromProfile.usesQuota)
        XCTAssertEqual([fromProfile.maxAttempts, fromProfile.readMaxAttempts], [6, 6])

        let env = home.environment(["AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"])
        let fromEnv = RetryPolicy.default.configured(environment: env, profile: config.profile("default"))
        XCTAssertEqual(fromEnv.mode, .standard)
        XCTAssertTrue(fromEnv.usesQuota)
        XCTAssertEqual([fromEnv.maxAttempts, fromEnv.readMaxAttempts], [2, 2])

        let untouched = RetryPolicy.default.configured(environment: AWSEnvironment(variables: [:], homeDirectory: "/x"), profile: nil)
        XCTAssertEqual([untouched.maxAttempts, untouched.readMaxAttempts], [3, 8])
    }

    func testBackoffIsExponentialWithFullJitterCappedAt20Seconds() {
        let top = RetryPolicy(random: { $0.upperBound })
        XCTAssertEqual((1...8).map { top.delay(beforeRetry: $0) }, [1, 2, 4, 8, 16, 20, 20, 20])
        let bottom = RetryPolicy(random: { $0.lowerBound })
        XCTAssertEqual(bottom.delay(beforeRetry: 5), 0)
        XCTAssertEqual(top.delay(beforeRetry: 10_000), 20)
    }

    // MARK: Clock skew

    func testClockSkewCorrectionIsBounded() async throws {
        let local = Date(timeIntervalSince1970: 1_440_938_160)
        XCTAssertEqual(ClockSkew.correction(serverDate: local.addingTimeInterval(3600), localNow: local, currentOffset: 0), .adjust(3600))
        XCTAssertEqual(ClockSkew.correction(serverDate: local.addingTimeInterval(-300), localNow: local, currentOffset: 0), .adjust(-300))
        // under 4 minutes: the clock is not the problem
        XCTAssertEqual(ClockSkew.correction(serverDate: local.addingTimeInterval(120), localNow: local, currentOffset: 0), .none)
        // already corrected
        XCTAssertEqual(ClockSkew.correction(serverDate: local.addingTimeInterval(3600), localNow: local, currentOffset: 3590), .none)
        XCTAssertEqual(ClockSkew.correction(serverDate: nil, localNow: local, currentOffset: 0), .none)
        XCTAssertEqual(ClockSkew.correction(serverDate: local.addingTimeInterval(3 * 86400), localNow: local, currentOffset: 0),
                       .tooLarge(3 * 86400))

        // through the client: a Date two days ahead is refused, and the offset stays 0
        let transport = ScriptedTransport { _, _ in
            .xml(403, "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>",
                 headers: ["Date": "Tue, 01 Sep 2015 12:36:00 GMT"])
        }
        let client = scriptedClient(transport, retry: SleepRecorder().policy(), now: { local })
        do {
            _ = try await S3Client(client: client).getObject(bucket: "b", key: "k")
            XCTFail("expected a clock skew error")
        } catch let error as AWSClientError {
            guard case .clockSkew = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("48 h ahead of this machine's clock"), "\(error)")
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(client.now, local)

        // a skew error whose Date is within 4 minutes of ours: reported as it is, no re-signing
        let near = ScriptedTransport { _, _ in
            .xml(403, "<Error><Code>RequestTimeTooSkewed</Code><Message>too large</Message></Error>",
                 headers: ["Date": "Sun, 30 Aug 2015 12:38:00 GMT"])
        }
        do {
            _ = try await S3Client(client: scriptedClient(near, retry: SleepRecorder().policy(), now: { local }))
                .getObject(bucket: "b", key: "k")
            XCTFail("expected the error")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "RequestTimeTooSkewed")
        }
        XCTAssertEqual(near.requests.count, 1)
    }

    // MARK: Container credentials host

    func testContainerCredentialsOverHTTPOnlyToLoopbackIPsOrTheAgents() {
        for host in ["127.0.0.1", "127.1.2.3", "127.255.255.254", "[::1]", "::1", "169.254.170.2", "169.254.170.23",
                     "[fd00:ec2::23]", "fd00:ec2:0::23", "[0:0:0:0:0:0:0:1]"] {
            XCTAssertTrue(ContainerCredentials.isAllowedHTTPHost(host), host)
        }
        for host in ["127.attacker.example", "127.0.0.1.attacker.example", "localhost", "localhost.", "169.254.170.3",
                     "169.254.169.254", "10.0.0.1", "128.0.0.1", "0x7f.0.0.1", "127.1", "2130706433", "::2",
                     "[fd00:ec2::24]", "[::ffff:127.0.0.1]", "", "127.0.0.1 ", "attacker.example"] {
            XCTAssertFalse(ContainerCredentials.isAllowedHTTPHost(host), host)
        }
    }

    func testContainerCredentialsFullURIRefusesLookalikeHosts() async throws {
        let home = try TempHome()
        let transport = ScriptedTransport { _, _ in
            .json(200, #"{"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
        }
        for uri in ["http://127.attacker.example/creds", "http://localhost:8080/creds", "http://169.254.169.254/creds"] {
            let chain = CredentialChain(environment: home.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri,
                                                                       "AWS_EC2_METADATA_DISABLED": "true"]),
                                        config: try AWSSharedConfig.load(home.environment()), profile: "default",
                                        region: "us-east-1", transport: transport)
            do {
                _ = try await chain.credentials()
                XCTFail("\(uri) must be refused")
            } catch let error as CredentialsError {
                XCTAssertTrue("\(error)".contains("must use https or a loopback"), "\(error)")
            }
        }
        XCTAssertEqual(transport.requests.count, 0, "nothing may be sent to a refused host")
        let ok = CredentialChain(environment: home.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9999/creds"]),
                                 config: try AWSSharedConfig.load(home.environment()), profile: "default",
                                 region: "us-east-1", transport: transport)
        let creds = try await ok.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIA")
    }
}
